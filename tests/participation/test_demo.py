"""The volunteer quarter of the demo, on the demo's people (hp-community, hp-volunteer) over the test tree."""

from __future__ import annotations

import pytest

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.participation.demo import OFFICER, demo_participation_build
from fuhe.participation.models import Certification, RedemptionItem, RequestState, ServiceRequest
from fuhe.participation.rules import certification_grants
from fuhe.participation.selectors import account_balance, account_of_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certification_check")]


@pytest.fixture
def demo_people(tree):
    for username, role, unit in (
        ("hp-community", Role.COMMUNITY_WORKER, tree.units["花园路社区居委会"]),
        ("hp-volunteer", Role.VOLUNTEER, tree.units["劝业场街道志愿服务队"]),
    ):
        person = User.objects.create_user(username=username, password="x-correct-horse-9", display_name=username)
        RoleAssignment.objects.create(user=person, role=role, region=tree.regions["花园路社区"], unit=unit)


def test_the_demo_certifies_posts_credits_and_fills_the_catalogue(demo_people):
    demo_participation_build()
    volunteer = User.objects.get(username="hp-volunteer")
    assert certification_grants(volunteer, "legal") and not certification_grants(volunteer, "medical")
    assert Certification.objects.get(volunteer=volunteer).issuer.name == "和平区法律援助中心"
    states = sorted(ServiceRequest.objects.values_list("field", "state"))
    assert ("legal", RequestState.OPEN) in states and ("medical", RequestState.OPEN) in states
    assert ("general", RequestState.SIGNED) in states
    assert account_balance(account=account_of_person(person=volunteer)) == 30
    assert RedemptionItem.objects.count() == 4
    assert User.objects.filter(username=OFFICER).exists()
    counts = (ServiceRequest.objects.count(), Certification.objects.count(), RedemptionItem.objects.count())
    demo_participation_build()  # idempotent
    assert (ServiceRequest.objects.count(), Certification.objects.count(), RedemptionItem.objects.count()) == counts
