import pytest

from fuhe.resources.models import Match
from fuhe.resources.services import match_offer, matching_run
from tests.resources.conftest import FAR


def test_the_timeline_is_append_only(tree, register, raise_demand):
    register(**FAR)
    raise_demand()
    run = matching_run(actor=tree.people["dispatcher"], region=tree.regions["劝业场街道"])
    match = match_offer(actor=tree.people["dispatcher"], match=Match.objects.get(run=run))
    event = match.events.get()
    event.reason = "改写"
    with pytest.raises(RuntimeError):
        event.save()
