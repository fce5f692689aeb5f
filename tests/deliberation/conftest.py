"""Deliberation fixtures: residents of 花园路社区 and 西关村, a residents' council with members."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.deliberation import services
from fuhe.deliberation.models import BodyKind


def make_residents(tree, region_name: str, count: int, *, prefix: str, id_number: str = "") -> list[User]:
    people = []
    for n in range(count):
        person = User.objects.create_user(
            username=f"{prefix}{n}", password="x-password-123", display_name=f"{prefix}{n}", id_number=id_number
        )
        RoleAssignment.objects.create(user=person, role=Role.RESIDENT, region=tree.regions[region_name])
        people.append(person)
    return people


@pytest.fixture
def residents(tree):
    return make_residents(tree, "花园路社区第1网格", 6, prefix="hy")


@pytest.fixture
def council(tree, residents):
    body = services.body_create(
        actor=tree.people["community"],
        name="花园路社区居民议事会",
        kind=BodyKind.RESIDENTS_COUNCIL,
        region=tree.regions["花园路社区"],
        convener=tree.units["花园路社区居委会"],
    )
    for person in residents[:5]:
        services.body_member_add(actor=tree.people["community"], body=body, person=person)
    return body


@pytest.fixture
def meeting(tree, council):
    topic = services.topic_raise(actor=tree.people["community"], title="楼道堆物", region=tree.regions["花园路社区"])
    return services.meeting_schedule(
        actor=tree.people["community"],
        body=council,
        title="三月议事会",
        starts_at=timezone.now() + timedelta(days=2),
        place="社区会议室",
        topics=[topic],
    )
