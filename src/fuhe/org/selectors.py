"""Reads of the org tree, always scoped to what the user may see.

The caller passes the user's ``scope`` (``fuhe.accounts.scope.scope_for(user)``): org sits below accounts in the
import contract (accounts' people and roles point at regions and units), so it takes the scope as a value and
never imports accounts. Any object with the ``RegionScope`` methods will do."""

from __future__ import annotations

from typing import Protocol

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from fuhe.org.core.divisions import ancestor_keys
from fuhe.org.models import Region, Unit


class RegionScope(Protocol):
    """What a user may see of the tree (``fuhe.accounts.scope.Scope`` is one)."""

    is_global: bool
    ranges: tuple[tuple[int, int], ...]

    def contains_region(self, region_id: int | None) -> bool: ...

    def region_q(self, field: str = "id") -> Q: ...

    def contains_unit(self, unit_id: int, region_id: int) -> bool: ...

    def unit_q(self) -> Q: ...


def region_queryset(scope: RegionScope) -> QuerySet[Region]:
    return Region.objects.filter(scope.region_q("id"))


def region_get(*, scope: RegionScope, region_id: int) -> Region:
    """The region if the user may see it; the same 404 whether it is missing or out of scope."""
    try:
        region_id = int(region_id)
    except (TypeError, ValueError):
        raise Http404("No such region") from None
    if not scope.contains_region(region_id):
        raise Http404("No such region")
    try:
        return Region.objects.select_related("parent").get(id=region_id)
    except Region.DoesNotExist:
        raise Http404("No such region") from None


def region_roots(*, scope: RegionScope) -> QuerySet[Region]:
    """The highest regions the user may see: whole provinces for a national administrator, else their own."""
    if scope.is_global:
        return Region.objects.filter(parent__isnull=True)
    return Region.objects.filter(id__in=[low for low, _high in scope.ranges])


def region_ancestors(region: Region) -> list[Region]:
    """Root-first ancestors in one query: their keys are the region's key truncated level by level."""
    keys = ancestor_keys(region.id, region.level_enum)
    return list(Region.objects.filter(id__in=keys).only("id", "name", "level", "code").order_by("id"))


def region_search(
    *, scope: RegionScope, query: str = "", level: str = "", within: Region | None = None
) -> QuerySet[Region]:
    """Search by name fragment or code prefix, inside the user's scope (and a region's subtree)."""
    regions = region_queryset(scope)
    if within is not None:
        low, high = within.subtree
        regions = regions.filter(id__gte=low, id__lt=high)
    query = query.strip()
    if query:
        by_code = query.isdigit()
        regions = regions.filter(code__startswith=query) if by_code else regions.filter(name__contains=query)
    if level:
        regions = regions.filter(level=level)
    return regions.order_by("id")


def region_children(*, scope: RegionScope, region: Region) -> QuerySet[Region]:
    return (
        region_queryset(scope)
        .filter(parent=region)
        .annotate(child_count=Count("children", distinct=True), unit_count=Count("units", distinct=True))
        .order_by("id")
    )


def unit_queryset(scope: RegionScope) -> QuerySet[Unit]:
    return Unit.objects.filter(scope.unit_q()).select_related("region")


def unit_get(*, scope: RegionScope, unit_id: int) -> Unit:
    try:
        unit = Unit.objects.select_related("region", "parent").get(id=int(unit_id))
    except (Unit.DoesNotExist, TypeError, ValueError):
        raise Http404("No such unit") from None
    if not scope.contains_unit(unit.pk, unit.region_id):
        raise Http404("No such unit")
    return unit


def unit_list(*, scope: RegionScope, query: str = "", kind: str = "", region: Region | None = None) -> QuerySet[Unit]:
    units = unit_queryset(scope)
    if region is not None:
        low, high = region.subtree
        units = units.filter(region_id__gte=low, region_id__lt=high)
    if query.strip():
        units = units.filter(Q(name__contains=query.strip()) | Q(region__name__contains=query.strip()))
    if kind:
        units = units.filter(kind=kind)
    return units.order_by("region_id", "kind", "name")
