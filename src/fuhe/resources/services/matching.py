"""The matching run: the engine's input built from the database, its proposals stored with explanations.

Input of a run over a region: its open demands whose window has not ended, each with the units not yet covered by
an offer or a delivery; the active resources of the region's district (or of the whole region above district
level) not past their expiry, each with its capacity less the units held by open offers. A resource without
availability windows is available over the whole horizon of the demands. The engine's region of a demand (the
key of its conditions, preferences and fairness) is the demand's own region; a resource's allowed and preferred
regions are subtrees, resolved to the demands' regions they contain."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.audit.services import audit_record
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
    DemandState,
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


def _in_any(region_id: int, ranges: list[tuple[int, int]]) -> bool:
    return any(low <= region_id < high for low, high in ranges)


def _region_ranges(resources) -> dict[int, tuple[int, int]]:
    """The subtree range of every region a resource's conditions or preferences name (one query)."""
    ids = {pk for resource in resources for pk in (*resource.allowed_region_ids, *resource.preferred_region_ids)}
    regions = Region.objects.filter(pk__in=sorted(ids)).values_list("id", "level")
    return {region_id: subtree_range(region_id, Level(level)) for region_id, level in regions}


def _run_input(region: Region, now: datetime):
    """The open demands of the region (with what is not yet served) and the district's free resources."""
    low, high = subtree_range(region.pk, Level(region.level))
    demands = list(
        Demand.objects.filter(
            state=DemandState.OPEN, region_id__gte=low, region_id__lt=high, window_end__gt=now
        ).order_by("created_at", "id")
    )
    served = dict(
        Match.objects.filter(demand__in=[d.pk for d in demands], state__in=SERVING_STATES)
        .values("demand_id")
        .annotate(total=Sum("quantity"))
        .values_list("demand_id", "total")
    )
    remaining = {demand.pk: demand.quantity - served.get(demand.pk, 0) for demand in demands}
    demands = [demand for demand in demands if remaining[demand.pk] > 0]
    reach_low, reach_high = (low, high) if region.level in (Level.PROVINCE, Level.CITY) else _district(region)
    resources = list(
        Resource.objects.filter(is_active=True, region_id__gte=reach_low, region_id__lt=reach_high)
        .exclude(expires_on__lt=now.date())
        .prefetch_related("windows")
        .order_by("id")
    )
    held = dict(
        Match.objects.filter(resource__in=[r.pk for r in resources], state__in=HOLDING_STATES)
        .values("resource_id")
        .annotate(total=Sum("quantity"))
        .values_list("resource_id", "total")
    )
    free = {resource.pk: resource.capacity - held.get(resource.pk, 0) for resource in resources}
    return demands, remaining, [resource for resource in resources if free[resource.pk] > 0], free


def _district(region: Region) -> tuple[int, int]:
    return district_range(region.pk, region.level)


def _to_engine(demands, remaining, resources, free):
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


def matching_run(*, actor, region: Region, weights: engine.Weights | None = None) -> MatchingRun:
    """Solve the region's open demands against the district's free resources (optimal, explained) and store the
    proposals. Nothing is reserved: a dispatcher offers each proposal (``match_offer``). Earlier proposals of the
    region that nobody offered are withdrawn (superseded by this run)."""
    if not can_dispatch_in(actor, region):
        raise PermissionDenied(_("You may not run the matching in this region."))
    now = timezone.now()
    with transaction.atomic():
        demands, remaining, resources, free = _run_input(region, now)
        engine_demands, engine_resources = _to_engine(demands, remaining, resources, free)
        try:
            result = engine.match(engine_demands, engine_resources, weights)
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
            fcfs_cost=asdict(fcfs.cost),
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
                )
            )
        Match.objects.bulk_create(matches)
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
            },
        )
    return run
