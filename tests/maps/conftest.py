"""The map's fixtures: 和平区 with its boundary and generated cells, a resource, two demands (one an emergency), a
proposed match and two placed cases, all around 劝业场街道."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from fuhe.cases.services.intake import case_create
from fuhe.org.services import district_geometry_build
from fuhe.resources.models import DemandPriority, DemandSource, Match, MatchState, ResourceKind
from fuhe.resources.services import demand_create, resource_register

NEAR = {"latitude": "39.126465", "longitude": "117.181422"}
FAR = {"latitude": "39.129000", "longitude": "117.179000"}
#: two cases elsewhere in 劝业场街道 (not on the resource or the demands)
CASE_POINTS = (
    {"latitude": "39.120000", "longitude": "117.179000"},
    {"latitude": "39.131000", "longitude": "117.184000"},
)
#: a box around 和平区 (west, south, east, north)
HEPING_BBOX = "117.15,39.08,117.26,39.16"


@pytest.fixture(autouse=True)
def _empty_map_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class MapData:
    tree: object
    resource: object
    water: object
    emergency: object
    match: object
    cases: list


@pytest.fixture
def mapped(tree):
    district_geometry_build(actor=None, region=tree.regions["和平区"])
    return tree


@pytest.fixture
def map_data(mapped) -> MapData:
    tree = mapped
    now = timezone.now()
    resource = resource_register(
        actor=tree.people["volunteer"],
        owner_id=tree.units["劝业场街道志愿服务队"].pk,
        name="应急物资·矿泉水",
        kind=ResourceKind.STOCKPILE,
        capacity=5,
        contact_phone="13912345678",
        **NEAR,
    )
    common = {
        "source": DemandSource.PLAN,
        "kind": ResourceKind.STOCKPILE,
        "quantity": 3,
        "window_start": now,
        "window_end": now + timedelta(days=2),
        "region_id": tree.regions["花园路社区"].pk,
    }
    water = demand_create(
        actor=tree.people["dispatcher"],
        title="独居老人饮用水",
        priority=DemandPriority.BASIC_LIVELIHOOD,
        **common,
        **FAR,
    )
    emergency = demand_create(
        actor=tree.people["dispatcher"], title="停水应急送水", priority=DemandPriority.EMERGENCY, **common, **NEAR
    )
    match = Match.objects.create(demand=water, resource=resource, quantity=2, state=MatchState.PROPOSED, created_at=now)
    cases = [
        case_create(
            actor=tree.people["resident"],
            channel="web",
            text=text,
            address="花园路社区3号楼",
            reporter_phone="13912345678",
            **point,
        ).case
        for text, point in zip(("花园路3号楼停水两天", "路灯坏了，晚上很黑"), CASE_POINTS, strict=True)
    ]
    return MapData(tree, resource, water, emergency, match, cases)
