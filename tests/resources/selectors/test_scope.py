import pytest
from django.http import Http404

from fuhe.resources.models import Match
from fuhe.resources.selectors import demand_get, demand_list, match_get, match_list, resource_get
from fuhe.resources.services import matching_run
from tests.resources.conftest import FAR


@pytest.fixture
def proposal(tree, register, raise_demand):
    register(**FAR)
    raise_demand()
    return Match.objects.get(run=matching_run(actor=tree.people["dispatcher"], region=tree.regions["劝业场街道"]))


def test_another_street_sees_neither_the_demand_nor_the_match(tree, proposal, owner_xbl):
    with pytest.raises(Http404):
        demand_get(user=owner_xbl, demand_id=proposal.demand_id)
    with pytest.raises(Http404):
        match_get(user=owner_xbl, match_id=proposal.pk)
    with pytest.raises(Http404):
        resource_get(user=owner_xbl, resource_id=proposal.resource_id)
    assert not demand_list(user=owner_xbl).exists()
    assert not match_list(user=owner_xbl).exists()


def test_the_district_and_the_owner_see_them(tree, proposal):
    assert demand_get(user=tree.people["leader"], demand_id=proposal.demand_id) == proposal.demand
    assert match_get(user=tree.people["volunteer"], match_id=proposal.pk) == proposal
    assert list(match_list(user=tree.people["dispatcher"])) == [proposal]


def test_a_bad_id_is_a_404(tree):
    with pytest.raises(Http404):
        match_get(user=tree.people["admin"], match_id="abc")
