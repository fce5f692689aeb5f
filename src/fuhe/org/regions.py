"""Queries over region keys: the units of a region's district, a set of key ranges as one filter; the region
holding a point (``region_at``, ``regions_at``: the smallest region whose boundary holds it).

The arithmetic itself is in ``core.divisions`` (no Django); these helpers turn its ranges into querysets.
They are not scoped to a user: callers pass regions they have already resolved through a scoped selector.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast, Length

from fuhe.org.core.boundaries import outline
from fuhe.org.core.divisions import Level, district_range, level_depth
from fuhe.org.core.places import Area, PlaceIndex, geometry_of
from fuhe.org.models import Region, Unit


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


# --- points → regions ------------------------------------------------------------------------------------------------
# One PlaceIndex per process over every region with a boundary. Writes in this process drop it at once (the org app
# connects ``place_index_forget`` to region saves, deletes and imports); other processes notice a change within
# ``PLACE_INDEX_TTL`` seconds, when the boundaries' fingerprint (how many, how long their text) no longer matches.

PLACE_INDEX_TTL = 60.0


@dataclass
class _CachedIndex:
    index: PlaceIndex
    fingerprint: tuple
    checked: float


_place_index: _CachedIndex | None = None


def place_index_forget(**_kwargs) -> None:
    """Drop this process's index of region boundaries (connected to region writes)."""
    global _place_index
    _place_index = None


def _geometry_fingerprint() -> tuple:
    with_geometry = Region.objects.filter(geometry__isnull=False)
    summary = with_geometry.aggregate(
        count=Count("id"), last=Max("id"), size=Sum(Length(Cast("geometry", output_field=TextField())))
    )
    return summary["count"], summary["last"], summary["size"]


def place_index() -> PlaceIndex:
    """The index of every region boundary on record (built once per process, rebuilt when boundaries change)."""
    global _place_index
    now = time.monotonic()
    cached = _place_index
    if cached is not None and now - cached.checked <= PLACE_INDEX_TTL:
        return cached.index
    fingerprint = _geometry_fingerprint()
    if cached is not None and cached.fingerprint == fingerprint:
        cached.checked = now
        return cached.index
    rows = Region.objects.filter(geometry__isnull=False).values_list("id", "level", "geometry")
    areas = [
        Area(region_id, level_depth(level), geometry_of(geometry))
        for region_id, level, geometry in rows.iterator(chunk_size=500)
    ]
    _place_index = _CachedIndex(PlaceIndex(areas), fingerprint, now)
    return _place_index.index


def regions_at(points: Sequence[tuple[float, float]]) -> list[int | None]:
    """The id of the smallest region holding each (latitude, longitude) point in WGS-84, or None."""
    if not points:
        return []
    coordinates = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    found = place_index().locate(coordinates[:, 1], coordinates[:, 0])
    return [int(region_id) if region_id >= 0 else None for region_id in found]


def region_at(latitude, longitude) -> Region | None:
    """The smallest region whose boundary holds the point (WGS-84), or None when no boundary does."""
    try:
        point = (float(latitude), float(longitude))
    except (TypeError, ValueError):
        return None
    region_id = regions_at([point])[0]
    return None if region_id is None else Region.objects.filter(pk=region_id).first()


def region_outlines(*, levels: Iterable[str] = ("district", "street")) -> list[dict]:
    """The boundaries of the districts and streets on record, for a base map without tiles: name, level, whether
    generated, and a simplified GeoJSON for drawing (``core.boundaries.outline``)."""
    rows = Region.objects.filter(geometry__isnull=False, level__in=list(levels)).order_by("id")
    return [
        {
            "id": region.pk,
            "name": region.name,
            "level": region.level,
            "generated": region.geometry_generated,
            "geometry": outline(geometry_of(region.geometry)),
        }
        for region in rows.only("id", "name", "level", "geometry_generated", "geometry")
    ]
