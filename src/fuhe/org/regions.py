"""Queries over region keys: the units of a region's district, a set of key ranges as one filter.

The arithmetic itself is in ``core.divisions`` (no Django); these helpers turn its ranges into querysets.
They are not scoped to a user: callers pass regions they have already resolved through a scoped selector.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from fuhe.org.core.divisions import Level, district_range
from fuhe.org.models import Unit


def key_ranges_q(ranges: Iterable[tuple[int, int]], field: str = "region_id") -> Q:
    """Rows whose ``field`` (a region key) lies in one of the half-open ``ranges``; none when there are none."""
    condition = Q()
    found = False
    for low, high in ranges:
        condition |= Q(**{f"{field}__gte": low, f"{field}__lt": high})
        found = True
    return condition if found else Q(pk__in=[])


def units_within(span: tuple[int, int], *, active_only: bool = True) -> QuerySet[Unit]:
    """Units anchored anywhere in the key range ``span`` (active ones unless ``active_only`` is false)."""
    low, high = span
    units = Unit.objects.filter(region_id__gte=low, region_id__lt=high)
    return units.filter(is_active=True) if active_only else units


def district_units(*, region_id: int, level: Level | str | None = None, active_only: bool = True) -> QuerySet[Unit]:
    """Units of the district ``region_id`` lies in: its departments, government, street offices and committees.
    ``level``: the region's level, so that a city or province counts as its own district (see
    ``core.divisions.district_range``)."""
    return units_within(district_range(region_id, level), active_only=active_only)
