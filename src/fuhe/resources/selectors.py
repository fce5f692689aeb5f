"""Scoped reads of the resource registry, the demands and the matches. An id a user sent resolves through an
``*_get`` selector: missing and out of scope answer the same 404."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from fuhe.accounts.models import STAFF_ROLES, Role, RoleAssignment
from fuhe.accounts.scope import scope_for
from fuhe.org.core.divisions import Level, subtree_range
from fuhe.org.models import Region, Unit
from fuhe.resources.models import (
    HOLDING_STATES,
    SERVING_STATES,
    Demand,
    Match,
    MatchEvent,
    MatchingRun,
    MatchState,
    Resource,
)
from fuhe.resources.rules import DISPATCH_ROLES, EMERGENCY_ROLES, can_declare_emergency, can_keep_resource


def stale_before(now: datetime | None = None) -> datetime:
    """Resources confirmed before this moment are stale (``FUHE_RESOURCE_STALE_DAYS``)."""
    return (now or timezone.now()) - timedelta(days=settings.FUHE_RESOURCE_STALE_DAYS)


def resource_is_stale(resource: Resource, *, now: datetime | None = None) -> bool:
    return resource.confirmed_at < stale_before(now)


def resource_queryset(user) -> QuerySet[Resource]:
    """Resources whose owner lies in the user's regions, or whose owner the user acts for."""
    scope = scope_for(user)
    if scope.is_global:
        return Resource.objects.all()
    return Resource.objects.filter(scope.region_q("owner__region_id") | Q(owner_id__in=sorted(scope.unit_ids)))


def resource_list(*, user, kind: str | None = None, is_stale: bool | None = None) -> QuerySet[Resource]:
    rows = resource_queryset(user).select_related("owner", "region").prefetch_related("windows")
    if kind:
        rows = rows.filter(kind=kind)
    if is_stale is True:
        rows = rows.filter(confirmed_at__lt=stale_before())
    elif is_stale is False:
        rows = rows.filter(confirmed_at__gte=stale_before())
    return rows.order_by("name", "id")


def resource_get(*, user, resource_id: int) -> Resource:
    try:
        return resource_queryset(user).select_related("owner", "region").get(pk=int(resource_id))
    except (Resource.DoesNotExist, TypeError, ValueError):
        raise Http404("No such resource") from None


def resource_get_for_change(*, user, resource_id: int) -> Resource:
    """The resource, if the user keeps it (acts for its owner); otherwise the same 404 as a missing one."""
    resource = resource_get(user=user, resource_id=resource_id)
    if not can_keep_resource(user, resource):
        raise Http404("No such resource")
    return resource


def resource_held(resource_id: int) -> int:
    """Units of the resource held by offers and accepted matches (reservations)."""
    held = Match.objects.filter(resource_id=resource_id, state__in=HOLDING_STATES).aggregate(total=Sum("quantity"))
    return held["total"] or 0


def resource_available(resource: Resource) -> int:
    return max(0, resource.capacity - resource_held(resource.pk))


def demand_served(demand_id: int) -> int:
    """Units of the demand covered by offers, accepted, delivered and confirmed matches."""
    served = Match.objects.filter(demand_id=demand_id, state__in=SERVING_STATES).aggregate(total=Sum("quantity"))
    return served["total"] or 0


def demand_queryset(user) -> QuerySet[Demand]:
    scope = scope_for(user)
    if scope.is_global:
        return Demand.objects.all()
    return Demand.objects.filter(scope.region_q("region_id") | Q(requester_id__in=sorted(scope.unit_ids)))


def demand_list(*, user, state: str | None = None) -> QuerySet[Demand]:
    rows = demand_queryset(user).select_related("region", "requester", "case", "group")
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("priority", "created_at", "id")


def demand_get(*, user, demand_id: int) -> Demand:
    try:
        return demand_queryset(user).select_related("region", "requester", "case").get(pk=int(demand_id))
    except (Demand.DoesNotExist, TypeError, ValueError):
        raise Http404("No such demand") from None


def match_queryset(user) -> QuerySet[Match]:
    """Matches of demands in the user's regions, of resources the user's units own, or of demands they raised."""
    scope = scope_for(user)
    if scope.is_global:
        return Match.objects.all()
    units = sorted(scope.unit_ids)
    return Match.objects.filter(
        scope.region_q("demand__region_id")
        | Q(resource__owner_id__in=units)
        | Q(demand__requester_id__in=units)
        | Q(demand__created_by_id=user.pk)
    )


def match_list(*, user, state: str | None = None) -> QuerySet[Match]:
    rows = match_queryset(user).select_related("demand", "resource", "resource__owner")
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-created_at", "id")


def match_ids_visible(*, user, match_ids) -> set[int]:
    """Of ``match_ids``, those ``user`` may open (``match_get`` would not answer 404), in one query."""
    return set(match_queryset(user).filter(pk__in=list(match_ids)).values_list("pk", flat=True))


def match_get(*, user, match_id: int) -> Match:
    try:
        return match_queryset(user).select_related("demand", "resource", "resource__owner").get(pk=int(match_id))
    except (Match.DoesNotExist, TypeError, ValueError):
        raise Http404("No such match") from None


def match_timeline(*, match: Match) -> QuerySet[MatchEvent]:
    return match.events.select_related("actor").order_by("at", "id")


# --- the pages' reads (issue 16: registry, demands, matching runs, the delivery loop) -------------------------------


def may_use_registry(user) -> bool:
    """Staff and people acting for a unit (an owner: a volunteer team, a property company) use the registry;
    a resident with no unit does not."""
    scope = scope_for(user)
    return scope.is_global or bool(scope.unit_ids) or scope.has_role(*STAFF_ROLES)


def resource_search(
    *, user, query: str = "", kind: str = "", owner_id: int | None = None, is_stale: bool | None = None
) -> QuerySet[Resource]:
    """The registry page: ``resource_list`` narrowed by words of the name, conditions or skills and by owner."""
    rows = resource_list(user=user, kind=kind or None, is_stale=is_stale)
    for word in (query or "").split()[:5]:
        rows = rows.filter(Q(name__icontains=word) | Q(conditions__icontains=word) | Q(owner__name__icontains=word))
    if owner_id:
        rows = rows.filter(owner_id=owner_id)
    return rows


def registration_units(*, user):
    """The units a user may register resources for: those they act for, and for an administrator every unit in
    their regions."""
    scope = scope_for(user)
    condition = Q(pk__in=sorted(scope.unit_ids))
    if scope.has_role(Role.ADMINISTRATOR):
        condition |= scope.region_q("region_id")
    return Unit.objects.filter(condition).order_by("name", "id")


def resource_owner_choices(*, user):
    """The owners of the resources the user sees (the registry's owner filter)."""
    owners = resource_queryset(user).values("owner_id")
    return Unit.objects.filter(pk__in=owners).order_by("name", "id")


def resource_contact_visible(*, user, resource: Resource) -> bool:
    """The full contact phone, for those who need it: the people who keep the resource, and those arranging a
    delivery with it now (a dispatcher or requester of one of its open offers or accepted matches)."""
    if can_keep_resource(user, resource):
        return True
    holding = match_queryset(user).filter(resource_id=resource.pk, state__in=HOLDING_STATES)
    return holding.exists()


def resource_matches(*, user, resource: Resource) -> QuerySet[Match]:
    return match_list(user=user).filter(resource_id=resource.pk).select_related("demand__region")[:50]


def demand_search(*, user, state: str = "", query: str = "", priority: str = "") -> QuerySet[Demand]:
    """The demands page: grouped by place (a group's demands together, groups first), most urgent first."""
    rows = demand_list(user=user, state=state or None)
    for word in (query or "").split()[:5]:
        rows = rows.filter(Q(title__icontains=word) | Q(place_label__icontains=word))
    if priority != "" and str(priority).isdigit():
        rows = rows.filter(priority=int(priority))
    return rows.order_by(F("group_id").asc(nulls_last=True), "priority", "created_at", "id")


def demand_matches(*, demand: Demand) -> QuerySet[Match]:
    return demand.matches.select_related("resource", "resource__owner", "demand", "demand__region").order_by(
        "-created_at", "id"
    )


def demand_group_members(*, user, demand: Demand) -> QuerySet[Demand]:
    """The other demands about the same place (the user's scope)."""
    if demand.group_id is None:
        return Demand.objects.none()
    return demand_queryset(user).filter(group_id=demand.group_id).exclude(pk=demand.pk).order_by("created_at", "id")


def case_demands(*, case) -> QuerySet[Demand]:
    """The demands raised from a case (shown on the case page to those who may see the case)."""
    return Demand.objects.filter(case=case).order_by("-created_at", "id")


def dispatch_regions(*, user):
    """The regions a user may run the matching in: the regions of their dispatching roles."""
    if not getattr(user, "is_authenticated", False):
        return Region.objects.none()
    ids = RoleAssignment.objects.filter(user=user, role__in=DISPATCH_ROLES).values("region_id")
    if user.is_superuser:
        return Region.objects.filter(level__in=(Level.DISTRICT, Level.STREET)).order_by("id")[:200]
    return Region.objects.filter(pk__in=ids).order_by("id")


def demand_region_choices(*, user) -> list[Region]:
    """Where a user may raise a demand: their dispatching regions and, below them, streets and communities
    (a demand is placed on a community or above; its point may lie anywhere inside)."""
    condition = Q(pk__in=[])
    for region in dispatch_regions(user=user):
        low, high = subtree_range(region.pk, Level(region.level))
        condition |= Q(id__gte=low, id__lt=high)
    return list(Region.objects.filter(condition).exclude(level=Level.GRID).order_by("id")[:500])


def matching_run_queryset(user) -> QuerySet[MatchingRun]:
    scope = scope_for(user)
    if scope.is_global:
        return MatchingRun.objects.all()
    return MatchingRun.objects.filter(scope.region_q("region_id"))


def matching_run_list(*, user) -> QuerySet[MatchingRun]:
    return matching_run_queryset(user).select_related("region", "created_by").order_by("-created_at", "-id")


def matching_run_get(*, user, run_id: int) -> MatchingRun:
    try:
        return matching_run_queryset(user).select_related("region", "created_by").get(pk=int(run_id))
    except (MatchingRun.DoesNotExist, TypeError, ValueError):
        raise Http404("No such matching run") from None


def matching_run_matches(*, run: MatchingRun) -> QuerySet[Match]:
    return run.matches.select_related("demand", "demand__region", "resource", "resource__owner").order_by(
        "demand__priority", "demand_id", "id"
    )


def matching_run_names(*, run: MatchingRun) -> tuple[dict[int, Demand], dict[int, Resource]]:
    """The demands and resources a run's explanations name (shortfalls, next bests, FCFS), by id, in one query
    each: the run's page shows them by name."""
    demand_ids = {item["demand"] for item in run.shortfalls}
    demand_ids |= {item["demand"] for item in run.fcfs_cost.get("matches", ())}
    demand_ids |= {item["demand"] for item in run.fcfs_cost.get("shortfalls", ())}
    resource_ids = {item["resource"] for item in run.fcfs_cost.get("matches", ())}
    for match in run.matches.all():
        demand_ids.add(match.demand_id)
        resource_ids.add(match.resource_id)
        next_best = (match.explanation or {}).get("next_best") or {}
        if next_best.get("resource"):
            resource_ids.add(next_best["resource"])
    for item in run.shortfalls:
        resource_ids |= {holder["resource"] for holder in item.get("taken_by", ())}
        demand_ids |= {holder["demand"] for holder in item.get("taken_by", ())}
    demands = Demand.objects.filter(pk__in=sorted(i for i in demand_ids if i)).select_related("region")
    resources = Resource.objects.filter(pk__in=sorted(i for i in resource_ids if i)).select_related("owner")
    return {d.pk: d for d in demands}, {r.pk: r for r in resources}


def match_inbox(*, user, soon_hours: int = 24) -> dict[str, QuerySet[Match]]:
    """What waits for the user in the delivery loop: offers to answer and deliveries to make (the owner's side),
    deliveries to confirm (the requester's side), proposals to offer (the dispatcher's), and reservations that
    lapse within ``soon_hours``."""
    scope = scope_for(user)
    units = sorted(scope.unit_ids)
    rows = match_list(user=user).select_related("demand__region")
    mine_to_answer = Q(resource__owner_id__in=units)
    if scope.has_role(Role.ADMINISTRATOR):
        mine_to_answer |= scope.region_q("resource__owner__region_id")
    now = timezone.now()
    return {
        "to_answer": rows.filter(mine_to_answer, state=MatchState.OFFERED).order_by("reserved_until", "id"),
        "to_deliver": rows.filter(mine_to_answer, state=MatchState.ACCEPTED).order_by("delivery_due", "id"),
        "to_confirm": rows.filter(
            Q(demand__created_by_id=user.pk) | Q(demand__requester_id__in=units), state=MatchState.DELIVERED
        ).order_by("delivered_at", "id"),
        "expiring": rows.filter(
            state__in=HOLDING_STATES, reserved_until__isnull=False, reserved_until__lt=now + timedelta(hours=soon_hours)
        ).order_by("reserved_until", "id"),
    }


def matching_run_report(*, run: MatchingRun) -> dict:
    """The run's page: its proposals with the next best named, its shortfalls with who holds the candidates, and
    what first-come-first-served would have done, side by side with the optimum's cost."""
    demands, resources = matching_run_names(run=run)
    matches = list(matching_run_matches(run=run))
    for match in matches:
        next_best = (match.explanation or {}).get("next_best") or None
        match.next_best = next_best
        match.next_best_resource = resources.get(next_best["resource"]) if next_best and next_best["resource"] else None
    shortfalls = [
        {
            **item,
            "demand_row": demands.get(item["demand"]),
            "holders": [
                {"resource": resources.get(h["resource"]), "demand": demands.get(h["demand"])}
                for h in item.get("taken_by", ())
            ],
        }
        for item in run.shortfalls
    ]
    fcfs = run.fcfs_cost or {}
    optimum_served = sum(match.quantity for match in matches)
    fcfs_served = sum(item["quantity"] for item in fcfs.get("matches", ()))
    return {
        "matches": matches,
        "shortfalls": shortfalls,
        "fcfs_matches": [
            {**item, "demand_row": demands.get(item["demand"]), "resource_row": resources.get(item["resource"])}
            for item in fcfs.get("matches", ())
        ],
        "fcfs_shortfalls": [{**item, "demand_row": demands.get(item["demand"])} for item in fcfs.get("shortfalls", ())],
        "has_fcfs_detail": "matches" in fcfs,
        "optimum_served": optimum_served,
        "fcfs_served": fcfs_served,
        "optimum_unmet": sum(item["unmet"] for item in run.shortfalls),
        "fcfs_unmet": sum(item["unmet"] for item in fcfs.get("shortfalls", ())),
        "saving": round(fcfs.get("total", 0) - run.cost.get("total", 0), 2),
    }


def emergency_region_choices(*, user) -> list[Region]:
    """Districts, streets and townships the user may switch into emergency mode."""
    scope = scope_for(user)
    if not scope.has_role(*EMERGENCY_ROLES):
        return []
    rows = Region.objects.filter(scope.region_q("id"), level__in=("district", "street")).order_by("id")[:500]
    return [region for region in rows if can_declare_emergency(user, region)]
