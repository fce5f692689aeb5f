"""``typical_cases_like``: the recommended item's typical cases nearest a case's words."""

from types import SimpleNamespace

import pytest

from fuhe.duties.models import DutyItem
from fuhe.routing.selectors import typical_cases_like

pytestmark = pytest.mark.django_db

CASES = [
    {"title": "停水", "text": "家里水龙头一滴水都没有"},
    {"title": "水发黄", "text": "自来水放出来是黄的有股味"},
    {"title": "水压低", "text": "高层水压太低洗不了澡"},
]


@pytest.fixture
def water_item(duty_list):
    item = duty_list.items.order_by("code").first()
    DutyItem.objects.filter(pk=item.pk).update(examples=CASES)
    return item


def test_nearest_first_and_at_most_the_limit(duty_list, water_item):
    case = SimpleNamespace(title="自来水是黄色的", text="今天早上自来水黄黄的还有味道")
    found = typical_cases_like(case=case, duty_list=duty_list, item_code=water_item.code)
    assert [f["title"] for f in found][0] == "水发黄" and len(found) == 2
    assert found[0]["similarity"] >= found[1]["similarity"]


def test_a_case_without_words_still_shows_what_the_item_covers(duty_list, water_item):
    found = typical_cases_like(case=SimpleNamespace(title="", text=" "), duty_list=duty_list, item_code=water_item.code)
    assert [f["title"] for f in found] == ["停水", "水发黄"]


def test_nothing_without_a_list_an_item_or_cases(duty_list, water_item):
    case = SimpleNamespace(title="停水", text="没水了")
    assert typical_cases_like(case=case, duty_list=None, item_code=water_item.code) == []
    assert typical_cases_like(case=case, duty_list=duty_list, item_code="") == []
    assert typical_cases_like(case=case, duty_list=duty_list, item_code="NO-SUCH") == []
    DutyItem.objects.filter(pk=water_item.pk).update(examples=[{"title": "", "text": ""}])
    assert typical_cases_like(case=case, duty_list=duty_list, item_code=water_item.code) == []
