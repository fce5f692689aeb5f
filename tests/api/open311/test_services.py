"""An Open311 service is an active category without active children; ``service_get`` finds exactly those."""

from __future__ import annotations

import pytest

from fuhe.api.open311.mapping import service_categories, service_get
from fuhe.cases.models import Category

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories():
    root = Category.objects.create(name="城乡建设", level=1, path="城乡建设")
    roads = Category.objects.create(name="道路", parent=root, level=2, path="城乡建设/道路")
    lamp = Category.objects.create(name="路灯", parent=roads, level=3, path="城乡建设/道路/路灯")
    closed = Category.objects.create(name="旧分类", parent=roads, level=3, path="城乡建设/道路/旧分类", is_active=False)
    bare = Category.objects.create(name="园林", parent=root, level=2, path="城乡建设/园林")
    emptied = Category.objects.create(name="环境", level=1, path="环境")
    Category.objects.create(name="停用", parent=emptied, level=2, path="环境/停用", is_active=False)
    return {"root": root, "roads": roads, "lamp": lamp, "closed": closed, "bare": bare, "emptied": emptied}


def test_service_get_finds_exactly_the_listed_services(categories):
    listed = set(service_categories().values_list("pk", flat=True))
    assert listed == {categories[name].pk for name in ("lamp", "bare", "emptied")}
    for category in Category.objects.all():
        found = service_get(str(category.pk))
        assert (found is not None) == (category.pk in listed), category.path
        if found is not None:
            assert (found.pk, found.name, found.path, found.parent_id, found.level, found.is_active) == (
                category.pk,
                category.name,
                category.path,
                category.parent_id,
                category.level,
                True,
            )


def test_a_code_that_is_no_number_or_no_category_is_no_service(categories):
    assert service_get("") is None and service_get("12a") is None and service_get("9" * 19) is None
    assert service_get("999999") is None
