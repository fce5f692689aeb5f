"""The deliberation demo on a database shaped like the core demo (its logins placed in the test tree)."""

import pytest

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.deliberation.core.procedure import DONE
from fuhe.deliberation.demo import demo_deliberation_build
from fuhe.deliberation.models import Body, HouseholdRegister, Proposal, Resolution, ResolutionItem, VillageMatter, Vote
from fuhe.deliberation.selectors import inclusion_report, register_ids


@pytest.fixture
def demo_logins(tree):
    for username, role, region, unit in (
        ("hp-community", Role.COMMUNITY_WORKER, "花园路社区", "花园路社区居委会"),
        ("hp-grid", Role.GRID_WORKER, "花园路社区第1网格", "花园路社区居委会"),
        ("hp-dispatcher", Role.STREET_DISPATCHER, "劝业场街道", "劝业场街道办事处"),
        ("hp-resident", Role.RESIDENT, "花园路社区", None),
        ("jz-community", Role.COMMUNITY_WORKER, "西关村", "西关村委会"),
    ):
        user = tree.people.get(username) or User.objects.create_user(username=username, password="x-demo-pass-1")
        RoleAssignment.objects.create(
            user=user, role=role, region=tree.regions[region], unit=tree.units.get(unit) if unit else None
        )
    return tree


def test_the_demo_builds_every_piece_once(demo_logins):
    messages = []
    demo_deliberation_build(progress=messages.append)
    body = Body.objects.get()
    assert body.memberships.count() == 9
    register = HouseholdRegister.objects.get(region=body.region)
    demo_residents = set(User.objects.filter(username__startswith="hp-yishi-").values_list("pk", flat=True))
    registered = register_ids(user=User.objects.get(username="hp-community"), region=body.region)
    assert register.people == len(registered) and demo_residents <= registered and len(demo_residents) == 9
    resolution = Resolution.objects.get()
    assert resolution.present == 7 and ResolutionItem.objects.filter(resolution=resolution).count() == 1
    assert Vote.objects.filter(assistant__username="hp-grid").count() == 1
    assert Proposal.objects.filter(status=Proposal.Status.REJECTED).exclude(rejection_reason="").count() == 1
    assert VillageMatter.objects.filter(state=DONE).count() == 1
    report = inclusion_report(region=body.region)
    assert report.total is not None and report.total >= 7
    demo_deliberation_build()  # idempotent
    assert Body.objects.count() == 1 and VillageMatter.objects.count() == 2 and HouseholdRegister.objects.count() == 1
