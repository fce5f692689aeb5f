"""The matching run: the engine's input built from the database, its proposals stored with explanations.

Input of a run over a region: its open demands whose window has not ended, each with the units not yet covered by
an offer or a delivery; the active resources of the region's district (or of the whole region above district
level) not past their expiry, each with its capacity less the units held by open offers. A resource without
availability windows is available over the whole horizon of the demands. The engine's region of a demand (the
key of its conditions, preferences and fairness) is the demand's own region; a resource's allowed and preferred
regions are subtrees, resolved to the demands' regions they contain.

Urban–rural pairing (``services/pairing.py``): the resources an active pairing shares with a side whose demands
are in the run join it as candidates for that side's demands only (their allowed regions narrowed to the partner's
subtree, their reach ``PAIRING_REACH_KM``); each match on one names its pairing and is audited as a pairing use.

Emergency mode (``services/emergency.py``): a run under an emergency period takes only the region's open
emergency demands and counts as usable, besides the free units, the units reserved (offered or accepted) for
lower-priority demands; where the optimum uses such units, the lower-priority matches are withdrawn (least urgent
and latest first) with a reason, owner and requester told, and the emergency matches are offered at once."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fuhe.audit.services import audit_record
from fuhe.cases.services.notify import notify_unit, notify_users, platform_text
from fuhe.org.core.divisions import Level, district_range, subtree_range
from fuhe.org.models import Region
from fuhe.resources.core import explain as engine_explain
from fuhe.resources.core import fcfs as engine_fcfs
from fuhe.resources.core import matching as engine
from fuhe.resources.core.errors import MatchingInputError
from fuhe.resources.models import (
    HOLDING_STATES,
    SERVING_STATES,
    Demand,
    DemandPriority,
    DemandState,
    EmergencyPeriod,
    Match,
    MatchingRun,
    MatchState,
    Resource,
)
from fuhe.resources.rules import can_dispatch_in
from fuhe.resources.services.common import (
    engine_error,
    engine_resource,
)
from fuhe.resources.services.loop import match_step
from fuhe.resources.services.pairing import PAIRING_REACH_KM, pairing_candidates


def _in_any(region_id: int, ranges: list[tuple[int, int]]) -> bool:
    return any(low <= region_id < high for low, high in ranges)


def _region_ranges(resources) -> dict[int, tuple[int, int]]:
    """The subtree range of every region a resource's conditions or preferences name (one query)."""
    ids = {pk for resource in resources for pk in (*resource.allowed_region_ids, *resource.preferred_region_ids)}
    regions = Region.objects.filter(pk__in=sorted(ids)).values_list("id", "level")
    return {region_id: subtree_range(region_id, Level(level)) for region_id, level in regions}


@dataclass
class RunInput:
    demands: list
    remaining: dict  # demand id → units not yet served
    resources: list
    usable: dict  # resource id → units the engine may assign (free, plus displaceable ones under an emergency)
    free: dict  # resource id → units not held by offers or accepted matches
    paired: dict  # resource id → (pairing id, the partner subtree it may serve): shared across a pairing


def _sums(rows, field: str) -> dict:
    return dict(rows.values(field).annotate(total=Sum("quantity")).values_list(field, "total"))


def _run_input(region: Region, now: datetime, emergency: EmergencyPeriod | None = None) -> RunInput:
    """The open demands of the region (with what is not yet served), the district's free resources and those
    shared with the region by active pairings; under an emergency, only emergency demands, and the units reserved
    for lower-priority demands count as usable."""
    low, high = subtree_range(region.pk, Level(region.level))
    demands = Demand.objects.filter(state=DemandState.OPEN, region_id__gte=low, region_id__lt=high, window_end__gt=now)
    if emergency is not None:
        demands = demands.filter(priority=DemandPriority.EMERGENCY)
    demands = list(demands.order_by("created_at", "id"))
    served = _sums(Match.objects.filter(demand__in=[d.pk for d in demands], state__in=SERVING_STATES), "demand_id")
    remaining = {demand.pk: demand.quantity - served.get(demand.pk, 0) for demand in demands}
    demands = [demand for demand in demands if remaining[demand.pk] > 0]
    reach_low, reach_high = (low, high) if region.level in (Level.PROVINCE, Level.CITY) else _district(region)
    paired = pairing_candidates(region, today=timezone.localdate(now))
    resources = list(
        Resource.objects.filter(Q(region_id__gte=reach_low, region_id__lt=reach_high) | Q(pk__in=sorted(paired)))
        .filter(is_active=True)
        .exclude(expires_on__lt=timezone.localdate(now))  # the expiry is a local date
        .prefetch_related("windows")
        .order_by("id")
    )
    # a resource of the run's own district is a plain candidate, whatever pairing also shares it
    paired = {r.pk: paired[r.pk] for r in resources if r.pk in paired and not reach_low <= r.region_id < reach_high}
    ids = [r.pk for r in resources]
    held = _sums(Match.objects.filter(resource__in=ids, state__in=HOLDING_STATES), "resource_id")
    free = {resource.pk: resource.capacity - held.get(resource.pk, 0) for resource in resources}
    usable = dict(free)
    if emergency is not None:
        lower = Match.objects.filter(
            resource__in=ids, state__in=HOLDING_STATES, demand__priority__gt=DemandPriority.EMERGENCY
        )
        for pk, units in _sums(lower, "resource_id").items():
            usable[pk] += units
    resources = [resource for resource in resources if usable[resource.pk] > 0]
    return RunInput(demands, remaining, resources, usable, free, paired)


def _district(region: Region) -> tuple[int, int]:
    return district_range(region.pk, region.level)


def _to_engine(demands, remaining, resources, free, paired=None):
    paired = paired or {}
    demand_regions = {demand.region_id for demand in demands}
    engine_demands = [
        engine.Demand(
            id=f"d{demand.pk}",
            priority=engine.Priority(demand.priority),
            quantity=remaining[demand.pk],
            window=engine.Window(demand.window_start, demand.window_end),
            place=engine.Place(float(demand.latitude), float(demand.longitude)),
            kind=demand.kind,
            region=str(demand.region_id),
            skill=demand.skill or None,
            duration=timedelta(minutes=demand.duration_minutes),
            received_at=demand.created_at,
        )
        for demand in demands
    ]
    horizon = engine.Window(
        min((demand.window_start for demand in demands), default=timezone.now()),
        max((demand.window_end for demand in demands), default=timezone.now()),
    )
    engine_resources = []
    ranges = _region_ranges(resources)
    for resource in resources:
        windows = [engine.Window(w.starts_at, w.ends_at) for w in resource.windows.all()] or [horizon]
        base = engine_resource(resource, windows, capacity=free[resource.pk])
        allowed = [ranges[pk] for pk in resource.allowed_region_ids if pk in ranges]
        if not resource.allowed_region_ids:
            allowed = None  # no condition: any region
        allowed = _across_pairing(allowed, paired.get(resource.pk))
        preferred = [ranges[pk] for pk in resource.preferred_region_ids if pk in ranges]
        engine_resources.append(
            replace(
                base,
                allowed_regions=None
                if allowed is None
                else frozenset(str(r) for r in demand_regions if _in_any(r, allowed)),
                allowed_priorities=frozenset(engine.Priority(p) for p in resource.allowed_priorities) or None,
                preferred_regions=frozenset(str(r) for r in demand_regions if _in_any(r, preferred)),
            )
        )
    return engine_demands, engine_resources


def _across_pairing(allowed, shared):
    """A resource shared across a pairing serves only the partner's subtree (and the owner's conditions still
    hold: an owner who limited it to some regions keeps that limit)."""
    if shared is None:
        return allowed
    partner_low, partner_high = shared[1]
    if allowed is None:
        return [(partner_low, partner_high)]
    narrowed = [(max(a, partner_low), min(b, partner_high)) for a, b in allowed]
    return [(a, b) for a, b in narrowed if a < b]


def _arcs(engine_demands, engine_resources, paired, weights):
    """The candidate arcs: the district's resources within the usual reach, a pairing's within ``PAIRING_REACH_KM``."""
    weights = weights or engine.Weights()
    shared_ids = {f"r{pk}" for pk in paired}
    local = [r for r in engine_resources if r.id not in shared_ids]
    shared = [r for r in engine_resources if r.id in shared_ids]
    arcs = engine.candidate_arcs(engine_demands, local, weights)
    if shared:
        reach = replace(weights, max_distance_km=max(weights.max_distance_km, PAIRING_REACH_KM))
        arcs += engine.candidate_arcs(engine_demands, shared, reach)
    return arcs


def _arc_terms(arc: engine.Arc) -> dict:
    return {
        "distance_km": round(arc.distance_km, 3),
        "travel": round(arc.travel, 2),
        "funds": round(arc.funds, 2),
        "preference": round(arc.preference, 2),
        "cost": round(arc.cost, 2),
        "start": arc.start.isoformat(),
    }


def _pk(engine_id: str | None) -> int | None:
    return int(engine_id[1:]) if engine_id else None


def matching_run(
    *, actor, region: Region, weights: engine.Weights | None = None, emergency: EmergencyPeriod | None = None
) -> MatchingRun:
    """Solve the region's open demands against the district's free resources (optimal, explained) and store the
    proposals. Nothing is reserved: a dispatcher offers each proposal (``match_offer``). Earlier proposals of the
    region that nobody offered are withdrawn (superseded by this run). Under ``emergency`` (the region's open
    emergency period) the run pre-empts: see the module's docstring."""
    if not can_dispatch_in(actor, region):
        raise PermissionDenied(_("You may not run the matching in this region."))
    now = timezone.now()
    with transaction.atomic():
        data = _run_input(region, now, emergency)
        demands, resources = data.demands, data.resources
        engine_demands, engine_resources = _to_engine(demands, data.remaining, resources, data.usable, data.paired)
        try:
            arcs = _arcs(engine_demands, engine_resources, data.paired, weights)
            result = engine.match(engine_demands, engine_resources, weights, arcs=arcs)
        except MatchingInputError as error:
            raise engine_error(error) from None
        explanation = engine_explain.explain(result)
        fcfs = engine_fcfs.first_come_first_served(result.instance)
        low, high = subtree_range(region.pk, Level(region.level))
        superseded = Match.objects.filter(
            state=MatchState.PROPOSED, demand__region_id__gte=low, demand__region_id__lt=high
        )
        for old in superseded.select_related("demand", "resource"):
            match_step(actor=None, match=old, action="withdraw", reason=_("superseded by a new matching run"), now=now)
        run = MatchingRun.objects.create(
            region=region,
            created_by=actor,
            created_at=now,
            cost=asdict(result.cost),
            fcfs_cost={
                **asdict(fcfs.cost),
                # what first-come-first-served would have done, for the run's page beside the optimum
                "matches": [
                    {"demand": _pk(m.demand_id), "resource": _pk(m.resource_id), "quantity": m.quantity}
                    for m in fcfs.matches
                ],
                "shortfalls": [{"demand": _pk(s.demand_id), "unmet": s.quantity} for s in fcfs.shortfalls],
            },
            shortfalls=[
                {
                    "demand": _pk(item.demand_id),
                    "priority": int(item.priority),
                    "unmet": item.unmet,
                    "binding": item.binding.value,
                    "funnel": [[reason.value, count] for reason, count in item.funnel],
                    "taken_by": [{"resource": _pk(h.resource_id), "demand": _pk(h.demand_id)} for h in item.taken_by],
                    "is_taken_by_higher_priority": item.is_taken_by_higher_priority,
                }
                for item in explanation.shortfalls
            ],
        )
        matches = []
        for item in explanation.matches:
            next_best = item.next_best
            matches.append(
                Match(
                    run=run,
                    demand_id=_pk(item.demand_id),
                    resource_id=_pk(item.resource_id),
                    quantity=item.quantity,
                    cost_terms=_arc_terms(item.arc),
                    explanation={
                        "rank": item.rank,
                        "candidates": item.candidates,
                        "next_best": None
                        if next_best is None
                        else {
                            "resource": _pk(next_best.resource_id),
                            "extra_cost": round(next_best.extra_cost, 2),
                            "terms": _arc_terms(next_best.arc) if next_best.arc else None,
                        },
                    },
                    created_at=now,
                    pairing_id=data.paired.get(_pk(item.resource_id), (None,))[0],
                    emergency=emergency,
                )
            )
        Match.objects.bulk_create(matches)
        _pairing_uses(actor, matches)
        displaced = _preempt(actor, emergency, matches, data.free, now) if emergency is not None else []
        audit_record(
            actor=actor,
            action="resources.matching_run",
            target=run,
            summary={
                "demands": len(demands),
                "resources": len(resources),
                "matches": len(matches),
                "cost": run.cost["total"],
                "fcfs_cost": run.fcfs_cost["total"],
                "paired_resources": len(data.paired),
                "emergency": emergency.pk if emergency is not None else None,
                "displaced": displaced,
            },
        )
    return run


def _pairing_uses(actor, matches) -> None:
    """Every use of a pairing's share is audited on the pairing (the match's own steps are audited by the loop)."""
    for match in matches:
        if match.pairing_id is not None:
            audit_record(
                actor=actor,
                action="resources.pairing_use",
                target=match.pairing,
                summary={"match": match.pk, "resource": match.resource_id, "demand": match.demand_id},
            )


PREEMPTED_NOTICE = gettext_noop(
    "Emergency: %(resource)s reserved for “%(demand)s” was taken for an emergency demand (%(emergency)s); the "
    "matching will look for another resource."
)


def _preempt(actor, emergency: EmergencyPeriod, matches, free: dict, now: datetime) -> list[int]:
    """Withdraw the lower-priority reservations the optimum needs for emergency demands (least urgent, then latest
    first, whole matches), tell their owners and requesters, then offer every emergency match at once."""
    used: dict[int, int] = {}
    for match in matches:
        used[match.resource_id] = used.get(match.resource_id, 0) + match.quantity
    displaced = []
    reason = _("taken for an emergency demand (%(kind)s: %(reason)s)") % {
        "kind": emergency.get_kind_display(),
        "reason": emergency.reason,
    }
    for resource_id in sorted(used):
        Resource.objects.select_for_update(of=("self",)).get(pk=resource_id)
        need = used[resource_id] - max(free.get(resource_id, 0), 0)
        lower = (
            Match.objects.select_for_update(of=("self",))
            .filter(resource_id=resource_id, state__in=HOLDING_STATES, demand__priority__gt=DemandPriority.EMERGENCY)
            .select_related("demand", "demand__case", "resource", "resource__owner")
            .order_by("-demand__priority", "-offered_at", "-id")
        )
        for old in lower:
            if need <= 0:
                break
            match_step(actor=actor, match=old, action="withdraw", reason=reason, now=now)
            text = platform_text(
                PREEMPTED_NOTICE, resource=old.resource.name, demand=old.demand.title, emergency=emergency.reason
            )
            notify_users([old.demand.created_by_id], case=old.demand.case, text=text)
            notify_unit(old.demand.requester_id, case=old.demand.case, text=text)
            need -= old.quantity
            displaced.append(old.pk)
    for match in Match.objects.filter(pk__in=[m.pk for m in matches]).select_related(
        "demand", "demand__case", "resource", "resource__owner"
    ):
        match_step(actor=actor, match=match, action="offer", reason=_("emergency"), now=now)
    if displaced:
        audit_record(
            actor=actor,
            action="resources.emergency_preempt",
            target=emergency,
            summary={"displaced": displaced, "offered": [m.pk for m in matches]},
        )
    return displaced
