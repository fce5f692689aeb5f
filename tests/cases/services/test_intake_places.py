"""Placement at intake: a point is placed in the grid holding it, an address through the gazetteer and the
region names (issue 15, item 4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fuhe.cases.services.intake import case_create, region_names_forget
from fuhe.org.core.places import geometry_of
from fuhe.org.models import Place
from fuhe.org.services import district_geometry_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(tree):
    district_geometry_build(actor=None, region=tree.regions["和平区"])
    return tree


def _inside(region) -> tuple[Decimal, Decimal]:
    region.refresh_from_db()
    point = geometry_of(region.geometry).point_on_surface()
    return Decimal(f"{point.y:.6f}"), Decimal(f"{point.x:.6f}")


def test_a_point_without_region_or_address_is_placed_in_its_grid(mapped):
    grid = mapped.regions["新华社区第2网格"]
    latitude, longitude = _inside(grid)
    case = case_create(actor=None, channel="web", text="路灯不亮", latitude=latitude, longitude=longitude).case
    assert case.region_id == grid.pk
    case.refresh_from_db()
    assert case.latitude == latitude and case.longitude == longitude  # the case keeps its point


def test_the_point_decides_over_the_address_and_a_given_region_over_both(mapped):
    grid = mapped.regions["五大道社区第1网格"]
    latitude, longitude = _inside(grid)
    placed = case_create(
        actor=None, channel="web", text="井盖", address="花园路社区", latitude=latitude, longitude=longitude
    ).case
    assert placed.region_id == grid.pk
    chosen = mapped.regions["新华社区"]
    given = case_create(
        actor=None, channel="web", text="井盖", region=chosen, latitude=latitude, longitude=longitude
    ).case
    assert given.region_id == chosen.pk


def test_a_point_outside_every_boundary_falls_back_to_the_address(mapped):
    case = case_create(
        actor=None,
        channel="web",
        text="噪音",
        address="新华社区8号楼",
        latitude=Decimal("22.5"),
        longitude=Decimal("114"),
    ).case
    assert case.region == mapped.regions["新华社区"]


def test_an_address_naming_a_gazetteer_place_is_placed_in_its_region(tree):
    Place.objects.create(name="滨江道购物中心", aliases=["滨江商厦"], region=tree.regions["五大道社区"])
    region_names_forget()
    assert (
        case_create(actor=None, channel="web", text="x", address="滨江道购物中心门口").case.region
        == tree.regions["五大道社区"]
    )
    assert (
        case_create(actor=None, channel="web", text="x", address="滨江商厦北侧").case.region
        == tree.regions["五大道社区"]
    )


def test_an_address_without_the_suffix_still_names_the_community(tree):
    case = case_create(actor=None, channel="web", text="x", address="劝业场新华8号楼").case
    assert case.region == tree.regions["新华社区"]
