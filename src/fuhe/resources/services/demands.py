"""Demands: raised by staff, from a case in one step, grouped when they are about one place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.accounts.scope import scope_for
from fuhe.audit.services import audit_record
from fuhe.cases.core.workcalendar import ClockUnit
from fuhe.cases.models import Case, Urgency
from fuhe.cases.services.clocks import work_calendar
from fuhe.org.models import Unit
from fuhe.resources.core import matching as engine
from fuhe.resources.models import (
    Demand,
    DemandGroup,
    DemandPriority,
    DemandSource,
    DemandState,
    Match,
    MatchState,
    ResourceKind,
)
from fuhe.resources.rules import can_dispatch_in
from fuhe.resources.services.common import (
    GROUP_RADIUS_M,
    ResourceError,
    choice_of,
    engine_check,
    place_of,
    region_of,
    whole_number,
)
from fuhe.resources.services.loop import match_step

# --- demands ------------------------------------------------------------------------------------------------------


def _distance_m(a_lat, a_lon, b_lat, b_lon) -> float:
    return 1000 * engine.haversine_km(
        engine.Place(float(a_lat), float(a_lon)), engine.Place(float(b_lat), float(b_lon))
    )


def _group_for(demand: Demand) -> DemandGroup | None:
    """The group of open demands about the demand's place (within ``GROUP_RADIUS_M`` in the same region), formed
    when a second demand arrives about it."""
    nearby = (
        Demand.objects.filter(region_id=demand.region_id, state=DemandState.OPEN)
        .exclude(pk=demand.pk)
        .select_related("group")
        .order_by("created_at", "id")[:2000]
    )
    for other in nearby:
        if _distance_m(demand.latitude, demand.longitude, other.latitude, other.longitude) > GROUP_RADIUS_M:
            continue
        if other.group is not None:
            return other.group
        group = DemandGroup.objects.create(
            region_id=demand.region_id,
            latitude=other.latitude,
            longitude=other.longitude,
            label=other.place_label or demand.place_label,
            created_at=timezone.now(),
        )
        Demand.objects.filter(pk=other.pk).update(group=group)
        return group
    return None


def demand_create(
    *,
    actor,
    title: str,
    source: str,
    priority: int,
    kind: str,
    quantity,
    window_start: datetime,
    window_end: datetime,
    region_id,
    requester_id=None,
    skill: str = "",
    duration_minutes=0,
    latitude=None,
    longitude=None,
    place_label: str = "",
    case: Case | None = None,
    source_reference: str = "",
) -> Demand:
    """Register a demand; demands about one place are grouped. The requester defaults to the actor's unit."""
    region = region_of(region_id)
    if not can_dispatch_in(actor, region):
        raise ResourceError({"region": _("No region with this id in your scope.")})
    choice_of(source, DemandSource, "source")
    if source == DemandSource.CASE and case is None:
        raise ResourceError({"case": _("A demand from a case names the case.")})
    priority = choice_of(whole_number(priority, "priority"), DemandPriority, "priority")
    kind = choice_of(kind, ResourceKind, "kind")
    quantity = whole_number(quantity, "quantity")
    duration = whole_number(duration_minutes, "duration_minutes")
    if not str(title or "").strip():
        raise ResourceError({"title": _("Say what is needed.")})
    for field, moment in (("window_start", window_start), ("window_end", window_end)):
        if not isinstance(moment, datetime) or timezone.is_naive(moment):
            raise ResourceError({field: _("Give the time with its time zone.")})
    requester = _requester(actor, requester_id)
    lat, lon = place_of(latitude, longitude, region)
    probe = engine.Demand(
        id="d0",
        priority=engine.Priority(priority),
        quantity=quantity,
        window=engine.Window(window_start, window_end),
        place=engine.Place(float(lat), float(lon)),
        kind=kind,
        region=str(region.pk),
        duration=timedelta(minutes=duration),
    )
    engine_check(demands=[probe])
    if quantity == 0:
        raise ResourceError({"quantity": _("Enter a number of at least %(min)s.") % {"min": 1}})
    if window_end - window_start < timedelta(minutes=duration):
        raise ResourceError({"duration_minutes": _("The duration does not fit inside the time window.")})
    now = timezone.now()
    if window_end <= now:
        raise ResourceError({"window_end": _("The time window has already ended.")})
    demand = Demand(
        title=str(title).strip()[:200],
        source=source,
        source_reference=str(source_reference or "")[:120],
        case=case,
        priority=priority,
        kind=kind,
        skill=str(skill or "").strip(),
        quantity=quantity,
        window_start=window_start,
        window_end=window_end,
        duration_minutes=duration,
        region=region,
        latitude=lat,
        longitude=lon,
        place_label=str(place_label or "")[:200],
        requester=requester,
        created_by=actor,
        created_at=now,
    )
    with transaction.atomic():
        demand.save()
        group = _group_for(demand)
        if group is not None:
            demand.group = group
            demand.save(update_fields=["group"])
        audit_record(
            actor=actor,
            action="resources.demand_created",
            target=demand,
            summary={
                "source": source,
                "case": demand.case_id,
                "priority": priority,
                "kind": kind,
                "quantity": quantity,
            },
        )
    return demand


def _requester(actor, requester_id) -> Unit:
    scope = scope_for(actor)
    if requester_id is None:
        units = sorted(scope.unit_ids)
        if not units:
            raise ResourceError({"requester": _("Name the unit that needs the resource.")})
        requester_id = units[0]
    try:
        unit = Unit.objects.get(pk=int(requester_id))
    except (Unit.DoesNotExist, TypeError, ValueError):
        unit = None
    if unit is None or not scope.contains_unit(unit.pk, unit.region_id):
        raise ResourceError({"requester": _("No unit with this id in your scope.")})
    return unit


CASE_PRIORITY = {
    Urgency.CRITICAL: DemandPriority.EMERGENCY,
    Urgency.URGENT: DemandPriority.BASIC_LIVELIHOOD,
    Urgency.NORMAL: DemandPriority.BASIC_LIVELIHOOD,
}


def demand_from_case(
    *, actor, case: Case, kind: str, quantity, skill: str = "", priority=None, window_end: datetime | None = None
) -> Demand:
    """A demand raised from a case in one step: its title, place, region and owner unit come from the case; a
    critical (特急) case is an emergency; the window runs from now to the case's deadline (or three working days)."""
    if Demand.objects.filter(case=case, kind=kind, state=DemandState.OPEN).exists():
        raise ResourceError({"case": _("This case already has an open demand of this kind.")})
    now = timezone.now()
    if window_end is None:
        window_end = case.resolution_due
    if window_end is None or window_end <= now:
        window_end = work_calendar().deadline_after(now, 3, ClockUnit.WORKING_DAY).at
    return demand_create(
        actor=actor,
        title=case.title,
        source=DemandSource.CASE,
        priority=CASE_PRIORITY.get(case.urgency, DemandPriority.BASIC_LIVELIHOOD) if priority is None else priority,
        kind=kind,
        quantity=quantity,
        skill=skill,
        window_start=now,
        window_end=window_end,
        region_id=case.region_id,
        requester_id=case.owner_unit_id,
        latitude=case.latitude,
        longitude=case.longitude,
        place_label=case.address,
        case=case,
        source_reference=case.tracking_code,
    )


def demands_group(*, actor, demands: Sequence[Demand], label: str = "") -> DemandGroup:
    """Group demands about one place by hand (the dispatcher knows they are one building)."""
    if len(demands) < 2:
        raise ResourceError({"demands": _("Choose at least two demands to group.")})
    regions = {demand.region_id for demand in demands}
    for demand in demands:
        if not can_dispatch_in(actor, demand.region):
            raise ResourceError({"demands": _("No demand with this id in your scope.")})
    first = demands[0]
    with transaction.atomic():
        group = DemandGroup.objects.create(
            region_id=first.region_id if len(regions) == 1 else first.region.parent_id or first.region_id,
            latitude=first.latitude,
            longitude=first.longitude,
            label=label or first.place_label,
            created_at=timezone.now(),
        )
        Demand.objects.filter(pk__in=[demand.pk for demand in demands]).update(group=group)
        audit_record(
            actor=actor, action="resources.demands_grouped", target=group, summary={"demands": [d.pk for d in demands]}
        )
    return group


def demand_cancel(*, actor, demand: Demand, reason: str) -> Demand:
    """Cancel an open demand (met otherwise, raised in error): its proposals, offers and accepted matches are
    withdrawn, so the resources they held are free again. A reason is required."""
    reason = str(reason or "").strip()
    if not reason:
        raise ResourceError({"reason": _("Say why the demand is cancelled.")})
    if not can_dispatch_in(actor, demand.region):
        raise PermissionDenied(_("You may not cancel this demand."))
    with transaction.atomic():
        demand = Demand.objects.select_for_update(of=("self",)).select_related("region").get(pk=demand.pk)
        if demand.state != DemandState.OPEN:
            raise ResourceError({"state": _("Only an open demand can be cancelled.")})
        now = timezone.now()
        open_matches = (
            Match.objects.select_for_update(of=("self",))
            .filter(demand=demand, state__in=(MatchState.PROPOSED, MatchState.OFFERED, MatchState.ACCEPTED))
            .select_related("demand", "demand__case", "resource", "resource__owner")
            .order_by("id")
        )
        for match in open_matches:
            match_step(actor=actor, match=match, action="withdraw", reason=reason, now=now)
        Demand.objects.filter(pk=demand.pk).update(state=DemandState.CANCELLED, closed_at=now)
        demand.state, demand.closed_at = DemandState.CANCELLED, now
        audit_record(actor=actor, action="resources.demand_cancelled", target=demand, summary={"reason": reason})
    return demand


def demand_close_met(*, actor, demand_id: int, summary: dict, now: datetime | None = None) -> Demand | None:
    """Close an open demand met by other means than a confirmed match (a funded project's confirmed deliveries):
    the row locked, its state and closing time set, ``resources.demand_closed`` audited with ``summary``, in the
    caller's transaction. Returns the demand, or None when it was not open (already closed or cancelled)."""
    now = now or timezone.now()
    demand = Demand.objects.select_for_update(of=("self",)).filter(pk=demand_id).first()
    if demand is None or demand.state != DemandState.OPEN:
        return None
    Demand.objects.filter(pk=demand.pk).update(state=DemandState.CLOSED, closed_at=now)
    demand.state, demand.closed_at = DemandState.CLOSED, now
    audit_record(actor=actor, action="resources.demand_closed", target=demand, summary=summary)
    return demand
