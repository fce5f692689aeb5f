from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.funding import services
from fuhe.org.models import Unit, UnitKind
from fuhe.resources.models import DemandPriority, DemandSource, ResourceKind
from fuhe.resources.services import demand_create
from tests.conftest import PASSWORD

SOCIAL_ORG = "阳光社工服务中心"
OTHER_ORG = "和平区邻里互助社"
CRITERIA = [("需求契合度", 40), ("方案可行性", 40), ("资金效益", 20)]


def _person(tree, username, role, region, unit):
    person = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    RoleAssignment.objects.create(user=person, role=role, region=tree.regions[region], unit=unit)
    tree.people[username] = person
    return person


@pytest.fixture
def funding(tree):
    """The tree plus two social organisations (each with a worker), a panel expert who also works for the first one,
    and an open demand of 花园路社区居委会 (raised by the community worker)."""
    for name in (SOCIAL_ORG, OTHER_ORG):
        tree.units[name] = Unit.objects.create(name=name, kind=UnitKind.SOCIAL_ORG, region=tree.regions["劝业场街道"])
    _person(tree, "sg-worker", Role.VOLUNTEER, "劝业场街道", tree.units[SOCIAL_ORG])
    _person(tree, "nb-worker", Role.VOLUNTEER, "劝业场街道", tree.units[OTHER_ORG])
    _person(tree, "expert", Role.COMMUNITY_WORKER, "劝业场街道", tree.units[SOCIAL_ORG])
    now = timezone.now()
    tree.demand = demand_create(
        actor=tree.people["community"],
        title="独居老人助餐服务",
        source=DemandSource.PLAN,
        priority=DemandPriority.BASIC_LIVELIHOOD,
        kind=ResourceKind.SERVICE,
        quantity=30,
        window_start=now,
        window_end=now + timedelta(days=60),
        region_id=tree.regions["花园路社区"].pk,
        latitude="39.121000",
        longitude="117.199000",
    )
    return tree


@pytest.fixture
def publish(funding):
    def make(**overrides):
        today = timezone.localdate()
        values = {
            "actor": funding.people["dispatcher"],
            "owner_id": funding.units["劝业场街道办事处"].pk,
            "title": "2026年劝业场街道公益创投",
            "budget": "100000",
            "eligible_kinds": [UnitKind.SOCIAL_ORG, UnitKind.VOLUNTEER_TEAM],
            "opens_on": today,
            "closes_on": today + timedelta(days=20),
            "criteria": CRITERIA,
            "panel_ids": [funding.people[name].pk for name in ("leader", "supervisor", "expert")],
            "demand_ids": [funding.demand.pk],
        }
        values.update(overrides)
        return services.call_publish(**values)

    return make


@pytest.fixture
def apply(funding):
    def make(call, *, worker="sg-worker", unit=SOCIAL_ORG, requested="60000", **overrides):
        values = {
            "actor": funding.people[worker],
            "call": call,
            "applicant_id": funding.units[unit].pk,
            "demand_id": funding.demand.pk,
            "title": f"{unit}助餐项目",
            "plan": "每周五天为独居老人送餐，志愿者上门探访。",
            "requested": requested,
            "deliverables": [
                {
                    "description": "送餐服务",
                    "quantity": 30,
                    "unit_label": "户",
                    "due_on": timezone.localdate() + timedelta(days=30),
                }
            ],
        }
        values.update(overrides)
        return services.application_submit(**values)

    return make


def score_all(funding, application, values, members=("leader", "supervisor")):
    """Every named member scores every criterion with ``values`` (one number or one per criterion)."""
    criteria = list(application.call.criteria.all())
    if isinstance(values, int):
        values = [values] * len(criteria)
    for member in members:
        services.scores_submit(
            actor=funding.people[member],
            application=application,
            scores={c.pk: v for c, v in zip(criteria, values, strict=True)},
        )
