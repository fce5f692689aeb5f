from datetime import timedelta

import time_machine
from django.utils import timezone

from fuhe.resources.models import Match, MatchState
from fuhe.resources.services import match_offer, matching_run
from fuhe.resources.tasks import offers_expire
from tests.resources.conftest import FAR


def test_the_periodic_sweep_releases_expired_offers(tree, register, raise_demand):
    register(**FAR)
    raise_demand()
    run = matching_run(actor=tree.people["dispatcher"], region=tree.regions["劝业场街道"])
    match = match_offer(actor=tree.people["dispatcher"], match=Match.objects.get(run=run))
    assert offers_expire.call_local() == 0
    with time_machine.travel(match.reserved_until + timedelta(minutes=1), tick=False):
        assert timezone.now() > match.reserved_until
        assert offers_expire.call_local() == 1
    match.refresh_from_db()
    assert match.state == MatchState.EXPIRED
