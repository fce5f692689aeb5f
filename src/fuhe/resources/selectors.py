"""Scoped reads of the resource registry, the demands and the matches. An id a user sent resolves through an
``*_get`` selector: missing and out of scope answer the same 404."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from fuhe.accounts.scope import scope_for
from fuhe.resources.models import HOLDING_STATES, SERVING_STATES, Demand, Match, MatchEvent, Resource
from fuhe.resources.rules import can_keep_resource


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


def match_get(*, user, match_id: int) -> Match:
    try:
        return match_queryset(user).select_related("demand", "resource", "resource__owner").get(pk=int(match_id))
    except (Match.DoesNotExist, TypeError, ValueError):
        raise Http404("No such match") from None


def match_timeline(*, match: Match) -> QuerySet[MatchEvent]:
    return match.events.select_related("actor").order_by("at", "id")
