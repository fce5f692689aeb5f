"""Shared set-up of the pairing and emergency tests: a city leader, a township's resources and demands."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.resources.models import DemandPriority, DemandSource, PairingShare, ResourceKind
from fuhe.resources.services import demand_create, resource_register
from fuhe.resources.services.pairing import pairing_create
from tests.conftest import PASSWORD

# 渔阳镇西关村 (蓟州区), about 100 km north of 劝业场街道
VILLAGE = {"latitude": "40.045000", "longitude": "117.410000"}
STREET_POINT = {"latitude": "39.121000", "longitude": "117.199000"}


@pytest.fixture
def city_leader(tree):
    person = User.objects.create_user(username="city-leader", password=PASSWORD, display_name="市领导")
    RoleAssignment.objects.create(user=person, role=Role.LEADER, region=tree.regions["市辖区"])
    tree.people["city-leader"] = person
    return person


@pytest.fixture
def pair(tree, city_leader):
    def make(shares=(PairingShare.STREET_POOL, PairingShare.TOWNSHIP_SPACES), **values):
        today = timezone.localdate()
        fields = {
            "street_id": tree.regions["劝业场街道"].pk,
            "township_id": tree.regions["渔阳镇"].pk,
            "purpose": "城乡结对：物资与志愿服务下乡，村校舍接待城区研学",
            "starts_on": today - timedelta(days=1),
            "ends_on": today + timedelta(days=365),
            "shares": list(shares),
        }
        fields.update(values)
        return pairing_create(actor=city_leader, **fields)

    return make


@pytest.fixture
def street_resource(tree):
    def make(**values):
        fields = {"name": "应急物资·矿泉水", "kind": ResourceKind.STOCKPILE, "capacity": 5, **STREET_POINT}
        fields.update(values)
        return resource_register(
            actor=tree.people["volunteer"], owner_id=tree.units["劝业场街道志愿服务队"].pk, **fields
        )

    return make


@pytest.fixture
def township_resource(tree):
    def make(**values):
        fields = {"name": "西关村闲置校舍", "kind": ResourceKind.SPACE, "capacity": 4, **VILLAGE}
        fields.update(values)
        township = tree.units["渔阳镇人民政府"]
        return resource_register(actor=tree.people["jz-dispatcher"], owner_id=township.pk, **fields)

    return make


@pytest.fixture
def township_demand(tree):
    def make(**values):
        now = timezone.now()
        fields = {
            "title": "西关村独居老人饮用水",
            "source": DemandSource.PLAN,
            "priority": DemandPriority.BASIC_LIVELIHOOD,
            "kind": ResourceKind.STOCKPILE,
            "quantity": 3,
            "window_start": now,
            "window_end": now + timedelta(days=2),
            "region_id": tree.regions["西关村"].pk,
            **VILLAGE,
        }
        fields.update(values)
        return demand_create(actor=tree.people["jz-dispatcher"], **fields)

    return make
