from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuhe.audit.models import AuditEvent
from fuhe.cases.models import Notification
from fuhe.resources.models import Match, MatchState, PairingShare, PairingState, ResourceKind
from fuhe.resources.services import ResourceError, match_accept, match_confirm, match_deliver, match_offer, matching_run
from fuhe.resources.services.pairing import (
    STREET_TO_TOWNSHIP,
    TOWNSHIP_TO_STREET,
    pairing_create,
    pairing_end,
    pairing_flow_rows,
    pairing_flows,
    pairing_get,
    pairing_list,
    pairings_expire,
)
from tests.resources.services.conftest import STREET_POINT


def _township_run(tree):
    return matching_run(actor=tree.people["jz-dispatcher"], region=tree.regions["渔阳镇"])


def _street_run(tree):
    return matching_run(actor=tree.people["dispatcher"], region=tree.regions["劝业场街道"])


# --- setting up -----------------------------------------------------------------------------------------------------


def test_only_a_leader_holding_both_sides_sets_up_a_pairing(tree, pair):
    # 和平区's leader does not hold 蓟州区: a pairing across districts is the city's
    with pytest.raises(PermissionDenied):
        pairing_create(
            actor=tree.people["leader"],
            street_id=tree.regions["劝业场街道"].pk,
            township_id=tree.regions["渔阳镇"].pk,
            purpose="结对",
            starts_on="2026-01-01",
            ends_on="2026-12-31",
            shares=[PairingShare.STREET_POOL],
        )
    pairing = pair()
    assert pairing.state == PairingState.ACTIVE
    assert AuditEvent.objects.filter(action="resources.pairing_create", object_id=str(pairing.pk)).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"street_id": "渔阳镇"}, "street"),  # a township is not an urban street
        ({"township_id": "小白楼街道"}, "township"),
        ({"purpose": "  "}, "purpose"),
        ({"ends_on": "2020-01-01"}, "ends_on"),
        ({"starts_on": "next week"}, "starts_on"),
        ({"shares": []}, "shares"),
        ({"shares": ["everything"]}, "shares"),
    ],
)
def test_bad_input_names_the_field(tree, pair, values, field):
    values = {key: tree.regions[value].pk if key.endswith("_id") else value for key, value in values.items()}
    with pytest.raises(ResourceError) as error:
        pair(**values)
    assert field in error.value.message_dict


def test_the_same_two_regions_cannot_be_paired_twice_over_the_same_dates(pair):
    pair()
    with pytest.raises(ResourceError) as error:
        pair()
    assert "township" in error.value.message_dict


# --- the street's pool serves the township ----------------------------------------------------------------------------


def test_without_a_pairing_the_street_is_out_of_the_townships_reach(tree, street_resource, township_demand):
    street_resource()
    township_demand()
    run = _township_run(tree)
    assert not Match.objects.filter(run=run).exists()


def test_a_paired_township_is_served_by_the_streets_shared_pool(tree, pair, street_resource, township_demand):
    pairing = pair()
    water = street_resource()
    demand = township_demand()
    run = _township_run(tree)
    match = Match.objects.get(run=run)
    assert (match.resource, match.demand, match.quantity, match.pairing) == (water, demand, 3, pairing)
    assert match.cost_terms["distance_km"] > 90  # across the city, costed by its length
    use = AuditEvent.objects.get(action="resources.pairing_use")
    assert use.object_id == str(pairing.pk) and use.summary["match"] == match.pk
    assert AuditEvent.objects.get(action="resources.matching_run", object_id=str(run.pk)).summary["paired_resources"]


def test_only_the_chosen_shares_are_candidates(tree, pair, street_resource, township_demand):
    pair(shares=[PairingShare.STREET_VOLUNTEER_SKILLS])
    street_resource()  # a stockpile: not shared
    helper = street_resource(name="心理咨询志愿者", kind=ResourceKind.VOLUNTEER_SKILL, skills=["心理疏导"], capacity=2)
    township_demand()
    township_demand(title="留守儿童心理疏导", kind=ResourceKind.VOLUNTEER_SKILL, skill="心理疏导", quantity=1)
    run = _township_run(tree)
    assert [m.resource_id for m in Match.objects.filter(run=run)] == [helper.pk]


def test_the_townships_spaces_serve_the_street_back_and_nothing_else(tree, pair, township_resource, raise_demand):
    pairing = pair()
    school = township_resource()
    township_resource(name="镇农机", kind=ResourceKind.VEHICLE, capacity=1)
    demand = raise_demand(title="城区青少年研学活动场地", kind=ResourceKind.SPACE, quantity=2, **STREET_POINT)
    raise_demand(title="车辆", kind=ResourceKind.VEHICLE, quantity=1, **STREET_POINT)
    run = _street_run(tree)
    assert [(m.resource_id, m.demand_id, m.pairing_id) for m in Match.objects.filter(run=run)] == [
        (school.pk, demand.pk, pairing.pk)
    ]


def test_a_pairing_outside_its_dates_grants_nothing(tree, pair, street_resource, township_demand):
    today = timezone.localdate()
    pair(starts_on=today + timedelta(days=3), ends_on=today + timedelta(days=30))
    street_resource()
    township_demand()
    assert not Match.objects.filter(run=_township_run(tree)).exists()


# --- ending -----------------------------------------------------------------------------------------------------------


def test_ending_withdraws_what_is_not_accepted_and_keeps_accepted_reservations(
    tree, pair, street_resource, township_demand
):
    pairing = pair()
    first, second = street_resource(name="矿泉水", capacity=3), street_resource(name="方便面", capacity=3)
    accepted_demand = township_demand(quantity=3)
    run = _township_run(tree)
    accepted = Match.objects.get(run=run)
    match_offer(actor=tree.people["jz-dispatcher"], match=accepted)
    match_accept(actor=tree.people["volunteer"], match=accepted)
    township_demand(title="第二户", quantity=3)
    offered = Match.objects.get(run=_township_run(tree), demand__title="第二户")
    match_offer(actor=tree.people["jz-dispatcher"], match=offered)
    assert {accepted.resource_id, offered.resource_id} == {first.pk, second.pk}
    assert accepted_demand.pk == accepted.demand_id

    with pytest.raises(ResourceError) as error:
        pairing_end(actor=tree.people["city-leader"], pairing=pairing, reason=" ")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        pairing_end(actor=tree.people["jz-dispatcher"], pairing=pairing, reason="到期")
    pairing_end(actor=tree.people["city-leader"], pairing=pairing, reason="结对期满")

    offered.refresh_from_db()
    accepted.refresh_from_db()
    assert offered.state == MatchState.WITHDRAWN
    assert accepted.state == MatchState.ACCEPTED  # reservations already accepted stay
    # the requester hears of the withdrawn offer (the loop tells the owner)
    assert Notification.objects.filter(recipient=tree.people["jz-dispatcher"], text__contains="第二户").exists()
    township_demand(title="第三户", quantity=1)
    assert not Match.objects.filter(run=_township_run(tree)).exists()  # no cross-pairing access any more
    with pytest.raises(ResourceError):
        pairing_end(actor=tree.people["city-leader"], pairing=pairing, reason="again")


def test_a_pairing_past_its_end_date_is_ended_by_the_sweep(tree, pair, street_resource, township_demand):
    pairing = pair()
    street_resource()
    township_demand()
    proposal = Match.objects.get(run=_township_run(tree))
    assert pairings_expire(now=timezone.now() + timedelta(days=400)) == 1
    pairing.refresh_from_db()
    proposal.refresh_from_db()
    assert pairing.state == PairingState.ENDED and proposal.state == MatchState.WITHDRAWN


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shares=st.sets(st.sampled_from(list(PairingShare.values)), min_size=1),
    steps=st.lists(st.sampled_from(["proposed", "offered", "accepted"]), min_size=1, max_size=3),
)
def test_property_ending_a_pairing_leaves_no_cross_pairing_access(
    tree, pair, street_resource, township_resource, township_demand, raise_demand, shares, steps
):
    with transaction.atomic():
        pairing = pair(shares=sorted(shares))
        for index, step in enumerate(steps):
            street_resource(name=f"物资{index}", capacity=1)
            street_resource(name=f"志愿{index}", kind=ResourceKind.VOLUNTEER_SKILL, skills=["陪护"], capacity=1)
            township_resource(name=f"校舍{index}", capacity=1)
            township_demand(title=f"村需{index}", quantity=1)
            township_demand(title=f"村志愿{index}", kind=ResourceKind.VOLUNTEER_SKILL, skill="陪护", quantity=1)
            raise_demand(title=f"街需{index}", kind=ResourceKind.SPACE, quantity=1, **STREET_POINT)
            for run in (_township_run(tree), _street_run(tree)):
                for match in Match.objects.filter(run=run, pairing__isnull=False):
                    if step in ("offered", "accepted"):
                        match_offer(actor=tree.people["city-leader"], match=match)
                    if step == "accepted":
                        owner = tree.people[
                            "volunteer" if match.resource.owner.region.name != "渔阳镇" else "jz-dispatcher"
                        ]
                        match_accept(actor=owner, match=match)
        accepted_before = set(
            Match.objects.filter(pairing=pairing, state=MatchState.ACCEPTED).values_list("pk", flat=True)
        )
        pairing_end(actor=tree.people["city-leader"], pairing=pairing, reason="结束")
        assert not Match.objects.filter(pairing=pairing, state__in=(MatchState.PROPOSED, MatchState.OFFERED)).exists()
        assert set(Match.objects.filter(pairing=pairing, state=MatchState.ACCEPTED).values_list("pk", flat=True)) == (
            accepted_before
        )
        for run in (_township_run(tree), _street_run(tree)):
            for match in Match.objects.filter(run=run).select_related("resource__owner", "demand"):
                # every new proposal stays on its own side of the city
                assert match.pairing_id is None
                assert match.resource.owner.region_id // 10**9 == match.demand.region_id // 10**9
        transaction.set_rollback(True)


# --- flows --------------------------------------------------------------------------------------------------------


def test_flows_in_both_directions_are_counted_by_month_and_traceable(
    tree, pair, street_resource, township_resource, township_demand, raise_demand
):
    pairing = pair()
    street_resource()
    township_resource()
    township_demand(quantity=3)
    raise_demand(title="研学场地", kind=ResourceKind.SPACE, quantity=2, duration_minutes=180, **STREET_POINT)
    down = Match.objects.get(run=_township_run(tree))
    up = Match.objects.get(run=_street_run(tree), pairing=pairing)
    for match, owner, requester in (
        (down, "volunteer", "jz-dispatcher"),
        (up, "jz-dispatcher", "dispatcher"),
    ):
        match_offer(actor=tree.people[requester], match=match)
        match_accept(actor=tree.people[owner], match=match)
        match_deliver(actor=tree.people[owner], match=match)
        match_confirm(actor=tree.people[requester], match=match)
    flows = pairing_flows(pairing)
    month = timezone.localtime().strftime("%Y-%m")
    by_direction = {row.direction: row for row in flows}
    assert by_direction[STREET_TO_TOWNSHIP].month == month
    assert (by_direction[STREET_TO_TOWNSHIP].matches, by_direction[STREET_TO_TOWNSHIP].quantity) == (1, 3)
    assert by_direction[TOWNSHIP_TO_STREET].hours == 6.0  # 2 sessions × 3 hours
    assert by_direction[STREET_TO_TOWNSHIP].match_ids == [down.pk]
    assert pairing_flow_rows(pairing, direction=TOWNSHIP_TO_STREET, month=month) == [up]


def test_the_pairing_is_seen_by_staff_of_either_side_only(tree, pair, owner_xbl):
    pairing = pair()
    for name in ("jz-dispatcher", "dispatcher", "community", "city-leader"):
        assert pairing_get(user=tree.people[name], pairing_id=pairing.pk) == pairing
        assert pairing_list(user=tree.people[name]) == [pairing]
    for person in (tree.people["resident"], tree.people["volunteer"], owner_xbl):
        with pytest.raises(Http404):
            pairing_get(user=person, pairing_id=pairing.pk)
        assert pairing_list(user=person) == []


def test_the_nightly_task_ends_pairings_past_their_end_date(tree, pair):
    from fuhe.resources.tasks import pairings_end

    pairing = pair(ends_on=timezone.localdate() + timedelta(days=2))
    assert pairings_end.call_local() == 0
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        assert pairings_end.call_local() == 1
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ENDED
