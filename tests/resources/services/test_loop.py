from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from fuhe.audit.models import AuditEvent
from fuhe.cases.models import Notification
from fuhe.resources.models import DemandPriority, DemandState, Match, MatchState, Resource, ResourceKind
from fuhe.resources.selectors import match_timeline, resource_available
from fuhe.resources.services import (
    ResourceError,
    demand_cancel,
    demand_from_case,
    match_accept,
    match_confirm,
    match_decline,
    match_deliver,
    match_offer,
    matches_expire,
    matching_run,
)
from tests.resources.conftest import FAR


def _run(tree):
    return matching_run(actor=tree.people["dispatcher"], region=tree.regions["劝业场街道"])


def test_run_proposes_explained_matches_and_reserves_nothing(tree, register, raise_demand):
    near, far = register(capacity=2), register(capacity=5, **FAR)
    demand = raise_demand(quantity=3)
    run = _run(tree)
    matches = {m.resource_id: m for m in Match.objects.filter(run=run)}
    assert {pk: m.quantity for pk, m in matches.items()} == {far.pk: 3}  # the one at the demand's door
    proposal = matches[far.pk]
    assert proposal.state == MatchState.PROPOSED
    assert proposal.demand == demand
    assert proposal.cost_terms["distance_km"] < 0.01
    assert proposal.explanation["rank"] == 1
    assert proposal.explanation["next_best"]["resource"] in (near.pk, None)
    assert run.cost["total"] <= run.fcfs_cost["total"]
    assert resource_available(far) == 5  # a proposal holds nothing
    assert run.shortfalls == []


def test_a_shortfall_is_explained(tree, register, raise_demand):
    register(capacity=1, **FAR)
    demand = raise_demand(quantity=3)
    run = _run(tree)
    assert run.shortfalls == [
        {
            "demand": demand.pk,
            "priority": DemandPriority.BASIC_LIVELIHOOD,
            "unmet": 2,
            "binding": "capacity",
            "funnel": run.shortfalls[0]["funnel"],
            "taken_by": run.shortfalls[0]["taken_by"],
            "is_taken_by_higher_priority": False,
        }
    ]


def test_a_new_run_supersedes_proposals_nobody_offered(tree, register, raise_demand):
    register(**FAR)
    raise_demand()
    first = Match.objects.get(run=_run(tree))
    second = Match.objects.get(run=_run(tree))
    first.refresh_from_db()
    assert first.state == MatchState.WITHDRAWN
    assert second.state == MatchState.PROPOSED


def test_full_loop_from_case_closes_the_demand_and_tells_the_case(tree, register, new_case, owner_xbl):
    resource = register(**FAR)
    case = new_case()
    demand = demand_from_case(actor=tree.people["dispatcher"], case=case, kind=ResourceKind.STOCKPILE, quantity=2)
    match = Match.objects.get(run=_run(tree))
    with pytest.raises(PermissionDenied):
        match_offer(actor=tree.people["volunteer"], match=match)  # the owner does not offer to itself
    match = match_offer(actor=tree.people["dispatcher"], match=match)
    assert match.state == MatchState.OFFERED and match.reserved_until > timezone.now()
    assert resource_available(resource) == 3  # the offer holds its units
    assert Notification.objects.filter(recipient=tree.people["volunteer"]).exists()
    with pytest.raises(PermissionDenied):
        match_accept(actor=owner_xbl, match=match)
    match = match_accept(actor=tree.people["volunteer"], match=match)
    assert match.delivery_due > match.offered_at
    with pytest.raises(ResourceError):
        match_confirm(actor=tree.people["dispatcher"], match=match)  # not delivered yet
    match = match_deliver(actor=tree.people["volunteer"], match=match)
    resource.refresh_from_db()
    assert resource.capacity == 3  # delivered units are used up
    assert resource_available(resource) == 3
    with pytest.raises(PermissionDenied):
        match_confirm(actor=tree.people["volunteer"], match=match)  # the requester confirms, not the owner
    match = match_confirm(actor=tree.people["dispatcher"], match=match)
    assert match.state == MatchState.CONFIRMED
    demand.refresh_from_db()
    assert demand.state == DemandState.CLOSED and demand.closed_at is not None
    assert AuditEvent.objects.filter(
        action="resources.case_demand_met", object_type="cases.case", object_id=str(case.pk)
    ).exists()
    assert [event.action for event in match_timeline(match=match)] == ["offer", "accept", "deliver", "confirm"]
    assert {event.actor for event in match_timeline(match=match)} == {
        tree.people["dispatcher"],
        tree.people["volunteer"],
    }
    match_audit = AuditEvent.objects.filter(action__startswith="resources.match_", object_id=str(match.pk))
    assert match_audit.count() == 4


def test_a_partial_confirmation_keeps_the_demand_open(tree, register, raise_demand):
    register(capacity=1, **FAR)
    demand = raise_demand(quantity=3)
    match = Match.objects.get(run=_run(tree))
    for step in (match_offer, match_accept, match_deliver, match_confirm):
        actor = tree.people["volunteer"] if step in (match_accept, match_deliver) else tree.people["dispatcher"]
        match = step(actor=actor, match=match)
    demand.refresh_from_db()
    assert demand.state == DemandState.OPEN


def test_decline_needs_a_reason_and_frees_the_units(tree, register, raise_demand):
    resource = register(**FAR)
    raise_demand()
    match = match_offer(actor=tree.people["dispatcher"], match=Match.objects.get(run=_run(tree)))
    with translation.override("en"), pytest.raises(ResourceError) as error:
        match_decline(actor=tree.people["volunteer"], match=match, reason="  ")
    assert error.value.message_dict == {"reason": ["Say why the offer is declined."]}
    match.refresh_from_db()
    assert match.state == MatchState.OFFERED
    match = match_decline(actor=tree.people["volunteer"], match=match, reason="车辆在检修")
    assert match.state == MatchState.DECLINED and match.decline_reason == "车辆在检修"
    assert resource_available(resource) == 5
    # the demand is open again: the next run proposes anew
    assert Match.objects.filter(run=_run(tree)).count() == 1


def test_an_offer_cannot_overbook_a_resource(tree, register, raise_demand):
    resource = register(capacity=3, **FAR)
    raise_demand(quantity=3)
    match_offer(actor=tree.people["dispatcher"], match=Match.objects.get(run=_run(tree)))
    other = raise_demand(quantity=3, title="另一栋楼")
    # a stale proposal of the same units (made before the first offer) cannot be offered on top of it
    stale = Match.objects.create(demand=other, resource=resource, quantity=3, created_at=timezone.now())
    with translation.override("en"), pytest.raises(ResourceError) as error:
        match_offer(actor=tree.people["dispatcher"], match=stale)
    assert error.value.message_dict == {"quantity": ["Only 0 units of this resource are free; run the matching again."]}
    stale.refresh_from_db()
    assert stale.state == MatchState.PROPOSED
    assert not stale.events.exists()


def test_a_demand_is_not_offered_twice(tree, register, raise_demand):
    register(capacity=3, **FAR)
    demand = raise_demand(quantity=3)
    first = Match.objects.get(run=_run(tree))
    second = register(capacity=3, name="第二批矿泉水")
    duplicate = Match.objects.create(demand=demand, resource=second, quantity=3, created_at=timezone.now())
    match_offer(actor=tree.people["dispatcher"], match=first)
    with pytest.raises(ResourceError) as error:
        match_offer(actor=tree.people["dispatcher"], match=duplicate)
    assert "quantity" in error.value.message_dict


def test_offers_expire_and_release_the_reservation(tree, register, raise_demand):
    resource = register(**FAR)
    raise_demand(priority=DemandPriority.EMERGENCY)
    match = match_offer(actor=tree.people["dispatcher"], match=Match.objects.get(run=_run(tree)))
    assert match.reserved_until <= timezone.now() + timedelta(hours=2, minutes=1)  # emergency: 2 natural hours
    assert matches_expire(now=timezone.now()) == 0
    assert resource_available(resource) == 2
    assert matches_expire(now=match.reserved_until + timedelta(seconds=1)) == 1
    match.refresh_from_db()
    assert match.state == MatchState.EXPIRED
    assert resource_available(resource) == 5
    assert match_timeline(match=match).last().actor is None
    with pytest.raises(ResourceError):
        match_accept(actor=tree.people["volunteer"], match=match)


def test_expired_stockpile_and_other_kinds_are_not_matched(tree, register, raise_demand):
    register(expires_on=timezone.localdate() - timedelta(days=1), **FAR)
    register(kind=ResourceKind.VEHICLE, name="面包车", **FAR)
    raise_demand()
    run = _run(tree)
    assert not Match.objects.filter(run=run).exists()
    assert run.shortfalls[0]["binding"] == "kind"


def test_resource_conditions_are_kept(tree, register, raise_demand):
    register(allowed_region_ids=[tree.regions["五大道社区"].pk], **FAR)
    raise_demand()
    run = _run(tree)
    assert not Match.objects.filter(run=run).exists()
    assert run.shortfalls[0]["binding"] == "region"
    Resource.objects.update(allowed_region_ids=[tree.regions["劝业场街道"].pk])
    assert Match.objects.filter(run=_run(tree)).count() == 1


def test_only_staff_in_scope_run_the_matching(tree, owner_xbl):
    with pytest.raises(PermissionDenied):
        matching_run(actor=owner_xbl, region=tree.regions["劝业场街道"])
    with pytest.raises(PermissionDenied):
        matching_run(actor=tree.people["resident"], region=tree.regions["劝业场街道"])


def test_a_new_run_proposes_only_what_is_not_yet_covered(tree, register, raise_demand):
    small = register(capacity=1, **FAR)
    raise_demand(quantity=3)
    match_offer(actor=tree.people["dispatcher"], match=Match.objects.get(run=_run(tree)))
    big = register(capacity=5, name="第二批矿泉水", **FAR)
    proposals = list(Match.objects.filter(run=_run(tree)))
    # the offered unit is covered, and the small resource's only unit is held by it
    assert [(m.resource_id, m.quantity) for m in proposals] == [(big.pk, 2)]
    assert small.pk not in {m.resource_id for m in proposals}


def test_cancelling_a_demand_withdraws_its_offers(tree, register, raise_demand, owner_xbl):
    resource = register(**FAR)
    demand = raise_demand()
    match = match_offer(actor=tree.people["dispatcher"], match=Match.objects.get(run=_run(tree)))
    assert resource_available(resource) == 2
    with pytest.raises(ResourceError) as error:
        demand_cancel(actor=tree.people["dispatcher"], demand=demand, reason="")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        demand_cancel(actor=owner_xbl, demand=demand, reason="已由社区自行解决")
    demand = demand_cancel(actor=tree.people["dispatcher"], demand=demand, reason="已由社区自行解决")
    assert demand.state == DemandState.CANCELLED
    match.refresh_from_db()
    assert match.state == MatchState.WITHDRAWN
    assert resource_available(resource) == 5
    assert not Match.objects.filter(run=_run(tree)).exists()  # a cancelled demand is not matched again
    notice = Notification.objects.filter(recipient=tree.people["volunteer"]).latest("id")
    assert "已由社区自行解决" in notice.text  # the owner hears the offer is off


def test_the_requester_hears_of_a_decline(tree, register, raise_demand):
    register(**FAR)
    raise_demand()
    match = match_offer(actor=tree.people["dispatcher"], match=Match.objects.get(run=_run(tree)))
    match_decline(actor=tree.people["volunteer"], match=match, reason="车辆在检修")
    notice = Notification.objects.filter(recipient=tree.people["dispatcher"]).latest("id")
    assert "车辆在检修" in notice.text


def test_the_run_reads_the_database_in_a_fixed_number_of_queries(tree, register, raise_demand):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count):
        Match.objects.all().delete()
        for index in range(count):
            raise_demand(title=f"需求{index}", latitude=f"{39.10 + index * 0.01:.6f}")
            register(
                name=f"物资{index}",
                latitude=f"{39.10 + index * 0.01:.6f}",
                allowed_region_ids=[tree.regions["劝业场街道"].pk],
                preferred_region_ids=[tree.regions["花园路社区"].pk],
            )
        with CaptureQueriesContext(connection) as captured:
            _run(tree)
        return len(captured)

    assert queries(2) == queries(4)
