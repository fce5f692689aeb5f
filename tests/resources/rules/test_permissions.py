"""One test per permission per role: who keeps resources, who dispatches, who answers and confirms."""

import pytest

from fuhe.resources.models import Match
from fuhe.resources.services import matching_run
from tests.resources.conftest import FAR

ROLES = ["grid", "community", "dispatcher", "handler", "leader", "supervisor", "volunteer", "resident", "admin"]


@pytest.fixture
def proposal(tree, register, raise_demand):
    register(**FAR)
    raise_demand()
    return Match.objects.get(run=matching_run(actor=tree.people["dispatcher"], region=tree.regions["劝业场街道"]))


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(who, who in {"volunteer", "admin"}) for who in ROLES] + [("jz-dispatcher", False)],
)
def test_change_resource(tree, proposal, who, allowed):
    assert tree.people[who].has_perm("resources.change_resource", proposal.resource) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(who, who in {"dispatcher", "leader", "admin"}) for who in ROLES] + [("jz-dispatcher", False)],
)
def test_dispatch_in_the_street(tree, who, allowed):
    assert tree.people[who].has_perm("resources.dispatch", tree.regions["劝业场街道"]) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(who, who in {"community", "dispatcher", "leader", "admin"}) for who in ROLES],
)
def test_dispatch_in_the_community(tree, who, allowed):
    """A community worker raises demands and runs the matching for their community only."""
    assert tree.people[who].has_perm("resources.dispatch", tree.regions["花园路社区"]) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(who, who in {"volunteer", "admin"}) for who in ROLES],
)
def test_answer_match(tree, proposal, who, allowed):
    assert tree.people[who].has_perm("resources.answer_match", proposal) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(who, who == "dispatcher") for who in ROLES],
)
def test_confirm_match(tree, proposal, who, allowed):
    assert tree.people[who].has_perm("resources.confirm_match", proposal) is allowed
