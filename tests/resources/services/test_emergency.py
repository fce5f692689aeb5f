from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuhe.audit.models import AuditEvent
from fuhe.cases.models import Notification
from fuhe.resources.models import (
    HOLDING_STATES,
    DemandPriority,
    DemandSource,
    EmergencyKind,
    Match,
    MatchState,
    ResourceKind,
)
from fuhe.resources.services import ResourceError, match_accept, match_offer, matching_run
from fuhe.resources.services.emergency import (
    active_emergency_for,
    demand_default_priority,
    emergency_demand_raise,
    emergency_end,
    emergency_get,
    emergency_list,
    emergency_record,
    emergency_record_workbook,
    emergency_start,
)
from tests.resources.conftest import NEAR


def _start(tree, actor="leader", region="劝业场街道"):
    return emergency_start(
        actor=tree.people[actor], region_id=tree.regions[region].pk, kind=EmergencyKind.FLOOD, reason="暴雨内涝"
    )


def _emergency_fields(tree, **values):
    now = timezone.now()
    fields = {
        "title": "低洼院落转移群众饮用水",
        "kind": ResourceKind.STOCKPILE,
        "quantity": 3,
        "window_start": now,
        "window_end": now + timedelta(hours=12),
        "region_id": tree.regions["花园路社区"].pk,
        **NEAR,
    }
    fields.update(values)
    return fields


def _held_for_livelihood(tree, register, raise_demand, capacity=5, quantity=5):
    """A resource wholly reserved (offered and accepted) for a basic-livelihood demand."""
    water = register(capacity=capacity)
    demand = raise_demand(quantity=quantity, **NEAR)
    match = Match.objects.get(run=matching_run(actor=tree.people["dispatcher"], region=tree.regions["劝业场街道"]))
    match_offer(actor=tree.people["dispatcher"], match=match)
    match_accept(actor=tree.people["volunteer"], match=match)
    return water, demand, match


# --- switching on and off -------------------------------------------------------------------------------------------


def test_switching_on_needs_a_district_role_a_reason_and_a_kind(tree):
    with pytest.raises(PermissionDenied):
        _start(tree, actor="community")
    with pytest.raises(PermissionDenied):  # a street dispatcher does not hold the district
        _start(tree, actor="dispatcher")
    with pytest.raises(ResourceError) as error:
        emergency_start(actor=tree.people["leader"], region_id=tree.regions["劝业场街道"].pk, kind="flood", reason=" ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ResourceError) as error:
        emergency_start(actor=tree.people["leader"], region_id=tree.regions["劝业场街道"].pk, kind="war", reason="x")
    assert "kind" in error.value.message_dict
    with pytest.raises(ResourceError) as error:
        _start(tree, region="花园路社区")
    assert "region" in error.value.message_dict
    period = _start(tree)
    assert AuditEvent.objects.filter(action="resources.emergency_start", object_id=str(period.pk)).exists()
    with pytest.raises(ResourceError) as error:
        _start(tree)
    assert "region" in error.value.message_dict


def test_while_on_demands_there_default_to_emergency_priority(tree):
    garden = tree.regions["花园路社区"].pk
    assert demand_default_priority(garden) == DemandPriority.BASIC_LIVELIHOOD
    period = _start(tree)
    assert active_emergency_for(garden) == period
    assert demand_default_priority(garden) == DemandPriority.EMERGENCY
    assert demand_default_priority(tree.regions["五大道社区"].pk) == DemandPriority.BASIC_LIVELIHOOD
    demand = emergency_demand_raise(actor=tree.people["dispatcher"], period=period, **_emergency_fields(tree))
    assert (demand.priority, demand.source) == (DemandPriority.EMERGENCY, DemandSource.EMERGENCY)
    with pytest.raises(ResourceError) as error:
        emergency_demand_raise(
            actor=tree.people["dispatcher"],
            period=period,
            **_emergency_fields(tree, region_id=tree.regions["五大道社区"].pk),
        )
    assert "region_id" in error.value.message_dict


def test_switching_off_needs_a_summary_and_ends_the_mode(tree):
    period = _start(tree)
    with pytest.raises(ResourceError) as error:
        emergency_end(actor=tree.people["leader"], period=period, summary="")
    assert "summary" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        emergency_end(actor=tree.people["dispatcher"], period=period, summary="结束")
    emergency_end(actor=tree.people["leader"], period=period, summary="积水排除，转移群众全部返家")
    assert active_emergency_for(tree.regions["花园路社区"].pk) is None
    with pytest.raises(ResourceError):
        emergency_demand_raise(actor=tree.people["dispatcher"], period=period, **_emergency_fields(tree))


# --- pre-emption ----------------------------------------------------------------------------------------------------


def test_an_emergency_demand_takes_a_resource_reserved_for_a_livelihood_need(tree, register, raise_demand):
    water, livelihood, held = _held_for_livelihood(tree, register, raise_demand)
    period = _start(tree)
    urgent = emergency_demand_raise(actor=tree.people["dispatcher"], period=period, **_emergency_fields(tree))
    held.refresh_from_db()
    assert held.state == MatchState.WITHDRAWN
    assert "暴雨内涝" in held.events.last().reason
    taken = Match.objects.get(demand=urgent)
    assert (taken.resource, taken.quantity, taken.state, taken.emergency) == (water, 3, MatchState.OFFERED, period)
    # the owner (the loop's notice) and the requester are told
    assert Notification.objects.filter(recipient=tree.people["volunteer"]).exists()
    assert Notification.objects.filter(recipient=tree.people["dispatcher"], text__contains=livelihood.title).exists()
    preempt = AuditEvent.objects.get(action="resources.emergency_preempt")
    assert preempt.summary["displaced"] == [held.pk]
    # the livelihood demand is open again and gets what is left, as a proposal
    assert Match.objects.filter(demand=livelihood, state=MatchState.PROPOSED).aggregate(t=Sum("quantity"))["t"] == 2


def test_without_emergency_mode_a_reservation_is_never_taken(tree, register, raise_demand):
    _water, _livelihood, held = _held_for_livelihood(tree, register, raise_demand)
    from fuhe.resources.services import demand_create

    demand_create(
        actor=tree.people["dispatcher"],
        source=DemandSource.EMERGENCY,
        priority=DemandPriority.EMERGENCY,
        **_emergency_fields(tree),
    )
    matching_run(actor=tree.people["dispatcher"], region=tree.regions["劝业场街道"])
    held.refresh_from_db()
    assert held.state == MatchState.ACCEPTED


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    capacities=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    lower=st.lists(st.tuples(st.integers(1, 3), st.sampled_from([1, 2]), st.booleans()), min_size=1, max_size=3),
    urgent=st.lists(st.integers(1, 4), min_size=1, max_size=2),
)
def test_property_no_lower_priority_demand_holds_what_an_unmet_emergency_could_use(
    tree, register, raise_demand, capacities, lower, urgent
):
    with transaction.atomic():
        for index, capacity in enumerate(capacities):
            register(name=f"矿泉水{index}", capacity=capacity)
        for index, (quantity, priority, accept) in enumerate(lower):
            raise_demand(title=f"民生{index}", quantity=quantity, priority=priority, **NEAR)
            for match in Match.objects.filter(
                run=matching_run(actor=tree.people["dispatcher"], region=tree.regions["劝业场街道"]),
                demand__title=f"民生{index}",
            ):
                match_offer(actor=tree.people["dispatcher"], match=match)
                if accept:
                    match_accept(actor=tree.people["volunteer"], match=match)
        period = _start(tree)
        demands = [
            emergency_demand_raise(
                actor=tree.people["dispatcher"], period=period, **_emergency_fields(tree, title=f"应急{i}", quantity=q)
            )
            for i, q in enumerate(urgent)
        ]
        unmet = sum(
            demand.quantity
            - (Match.objects.filter(demand=demand, state__in=HOLDING_STATES).aggregate(t=Sum("quantity"))["t"] or 0)
            for demand in demands
        )
        lower_held = Match.objects.filter(state__in=HOLDING_STATES, demand__priority__gt=DemandPriority.EMERGENCY)
        if unmet > 0:  # every resource here could serve it: none may stay with a lower-priority demand
            assert not lower_held.exists()
        for resource_id, capacity in Match.objects.filter(state__in=HOLDING_STATES).values_list(
            "resource_id", "resource__capacity"
        ):
            held = Match.objects.filter(resource_id=resource_id, state__in=HOLDING_STATES).aggregate(t=Sum("quantity"))[
                "t"
            ]
            assert held <= capacity
        transaction.set_rollback(True)


# --- the after-action record --------------------------------------------------------------------------------------


def test_everything_done_under_it_is_filed_and_exported(tree, register, raise_demand):
    _water, _livelihood, held = _held_for_livelihood(tree, register, raise_demand)
    before = AuditEvent.objects.order_by("-seq").first().seq
    period = _start(tree)
    urgent = emergency_demand_raise(actor=tree.people["dispatcher"], period=period, **_emergency_fields(tree))
    emergency_end(actor=tree.people["leader"], period=period, summary="积水排除")
    rows = emergency_record(period)
    actions = [row.action for row in rows]
    assert actions[0] == "resources.emergency_start" and actions[-1] == "resources.emergency_end"
    assert {
        "resources.demand_created",
        "resources.matching_run",
        "resources.match_withdraw",
        "resources.match_offer",
    } <= set(actions)
    assert all(row.seq > before for row in rows)  # the earlier reservation's own steps are not part of it
    assert any(row.object_id == str(urgent.pk) for row in rows if row.action == "resources.demand_created")
    assert any(row.object_id == str(held.pk) for row in rows if row.action == "resources.match_withdraw")
    workbook = emergency_record_workbook(period)
    assert workbook["emergency"]["B3"].value == "暴雨内涝"
    assert workbook["record"].max_row == len(rows) + 1


def test_an_emergency_is_seen_by_staff_in_its_region_only(tree, owner_xbl):
    period = _start(tree)
    for name in ("dispatcher", "community", "leader"):
        assert emergency_get(user=tree.people[name], period_id=period.pk) == period
        assert emergency_list(user=tree.people[name]) == [period]
    for person in (tree.people["resident"], tree.people["jz-dispatcher"], owner_xbl):
        with pytest.raises(Http404):
            emergency_get(user=person, period_id=period.pk)
