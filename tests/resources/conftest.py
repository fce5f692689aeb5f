from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.cases.services.intake import case_create
from fuhe.resources.models import DemandPriority, DemandSource, ResourceKind
from fuhe.resources.services import demand_create, resource_register
from tests.conftest import PASSWORD

# 劝业场街道 (Tianjin, 和平区): a point near 花园路社区 and one about 2 km away
NEAR = {"latitude": "39.121000", "longitude": "117.199000"}
FAR = {"latitude": "39.135000", "longitude": "117.215000"}


@pytest.fixture
def owner_xbl(tree):
    """A person acting for 小白楼街道办事处: another street's owner."""
    person = User.objects.create_user(username="xbl-owner", password=PASSWORD, display_name="小白楼管理员")
    RoleAssignment.objects.create(
        user=person, role=Role.STREET_DISPATCHER, unit=tree.units["小白楼街道办事处"], region=tree.regions["小白楼街道"]
    )
    tree.people["xbl-owner"] = person
    return person


@pytest.fixture
def register(tree):
    """A resource of the volunteer team (kept by the volunteer), by default 5 units near 花园路."""

    def make(actor=None, owner=None, **values):
        fields = {
            "name": "应急物资·矿泉水",
            "kind": ResourceKind.STOCKPILE,
            "capacity": 5,
            "contact_phone": "13912345678",
        }
        fields.update(NEAR)
        fields.update(values)
        return resource_register(
            actor=actor or tree.people["volunteer"],
            owner_id=(owner or tree.units["劝业场街道志愿服务队"]).pk,
            **fields,
        )

    return make


@pytest.fixture
def raise_demand(tree):
    def make(actor=None, **values):
        now = timezone.now()
        fields = {
            "title": "独居老人饮用水",
            "source": DemandSource.PLAN,
            "priority": DemandPriority.BASIC_LIVELIHOOD,
            "kind": ResourceKind.STOCKPILE,
            "quantity": 3,
            "window_start": now,
            "window_end": now + timedelta(days=2),
            "region_id": tree.regions["花园路社区"].pk,
        }
        fields.update(FAR)
        fields.update(values)
        return demand_create(actor=actor or tree.people["dispatcher"], **fields)

    return make


@pytest.fixture
def new_case(tree):
    def make(**overrides):
        fields = {
            "actor": tree.people["resident"],
            "channel": "web",
            "text": "花园路3号楼停水两天，家里有老人，急需饮用水",
            "address": "花园路社区3号楼",
            "reporter_phone": "13912345678",
            **FAR,
        }
        fields.update(overrides)
        return case_create(**fields).case

    return make
