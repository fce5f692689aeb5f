"""Who may manage, assist and vote, role by role."""

import pytest

from fuhe.deliberation import services
from fuhe.deliberation.rules import can_assist, can_manage, is_eligible_voter


@pytest.mark.parametrize(
    ("username", "manages"),
    [
        ("community", True),
        ("dispatcher", True),
        ("leader", True),
        ("admin", True),
        ("grid", False),
        ("resident", False),
        ("volunteer", False),
        ("handler", False),
        ("jz-dispatcher", False),  # another district
    ],
)
def test_who_manages_a_community(tree, username, manages):
    assert can_manage(tree.people[username], tree.regions["花园路社区"]) is manages


def test_a_grid_worker_assists_only_residents_of_their_grid(tree, residents):
    region = tree.regions["花园路社区"]
    assert can_assist(tree.people["grid"], region, residents[0])  # lives in 第1网格
    assert not can_assist(tree.people["grid"], region, tree.people["resident"])  # the community, not the grid
    assert not can_assist(tree.people["resident"], region, residents[0])


def test_eligibility_needs_residence_and_verification(tree, residents):
    region = tree.regions["花园路社区"]
    assert not is_eligible_voter(residents[0], region)
    services.resident_verify(actor=tree.people["community"], person=residents[0], region=region)
    assert is_eligible_voter(residents[0], region)
    assert not is_eligible_voter(residents[0], tree.regions["五大道社区"])
