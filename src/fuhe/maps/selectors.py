"""The map's layers as GeoJSON, each scoped to the user through the owning context's selectors and cached per scope
and box (``MAP_CACHE_SECONDS``). No personal data leaves here: no phone, no address, no reporter; a case is a dot
with its id, a resource its name and owner unit, a demand its title and priority.

* regions: district boundaries (official, converted from GCJ-02 to WGS-84), streets from zoom 12, communities from
  zoom 14 (``region_levels_for``); the user's regions and the regions above them;
* grids: the grid cells (zoom 14 and more);
* resources, demands, matches (a line from the resource to the demand); ``emergency`` keeps only emergency demands,
  the resources that could serve them and their open matches;
* cases: clustered on the server (``core.clusters``) from the scoped case list; never for residents, volunteers
  or anonymous users (``maps.view_case_layer``);
* load: the communities' load factor (the burden context's ``load_for``, the figure of the load page).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import FloatField, Q
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.accounts.scope import Scope, scope_for
from fuhe.burden.core.load import week_start
from fuhe.burden.reports import load_for
from fuhe.burden.selectors import report_region_get
from fuhe.cases.selectors import OPEN_STATES, case_queryset
from fuhe.maps.core.clusters import BBox, PointSet, cluster, prepare, snap_bbox
from fuhe.maps.rules import can_view_case_layer, can_view_load_layer
from fuhe.org.core.boundaries import outline
from fuhe.org.core.divisions import ancestor_keys
from fuhe.org.core.places import geometry_of
from fuhe.org.models import Region, RegionLevel
from fuhe.resources.models import DemandPriority, DemandState, MatchState
from fuhe.resources.selectors import demand_queryset, match_queryset, resource_queryset, stale_before

MAP_CACHE_SECONDS = 30
OUTLINE_CACHE_SECONDS = 300
LOAD_CACHE_SECONDS = 300
OPEN_MATCH_STATES = (MatchState.PROPOSED, MatchState.OFFERED, MatchState.ACCEPTED, MatchState.DELIVERED)
LAYERS = ("regions", "grids", "resources", "demands", "matches", "cases", "load")
STREET_ZOOM = 12
COMMUNITY_ZOOM = 14
GRID_ZOOM = 14


@dataclass(frozen=True)
class MapQuery:
    """What a layer request asks for: the box and zoom of the view, and the page's filters."""

    bbox: BBox
    zoom: int
    region: Region | None = None
    emergency: bool = False
    all_cases: bool = False


def record_url(name: str, pattern: str, pk: int) -> str:
    """The URL of a record's page: the named route when it exists, else the agreed pattern (the resource pages are
    being built at the same time)."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return pattern.format(pk)


def _scope_key(scope: Scope, *, per_user: bool) -> tuple:
    return (
        scope.user_id if per_user else None,
        scope.is_global,
        scope.ranges,
        scope.case_ranges,
        tuple(sorted(scope.roles)),
        tuple(sorted(scope.unit_ids)),
    )


def _cached(parts: tuple, seconds: int, compute: Callable[[], dict]) -> dict:
    key = "maps:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def _query_key(query: MapQuery, snapped: BBox) -> tuple:
    return (
        round(snapped.west, 6),
        round(snapped.south, 6),
        round(snapped.east, 6),
        round(snapped.north, 6),
        query.zoom,
        query.region.pk if query.region else None,
        query.emergency,
        query.all_cases,
    )


def _collection(features: list[dict], **meta) -> dict:
    return {"type": "FeatureCollection", "features": features, **meta}


def _point(latitude: float, longitude: float, properties: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(longitude, 6), round(latitude, 6)]},
        "properties": properties,
    }


def _region_filter(query: MapQuery, field: str) -> Q:
    if query.region is None:
        return Q()
    low, high = query.region.subtree
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


# --- regions and grids ---------------------------------------------------------------------------------------------


def region_levels_for(zoom: int) -> list[str]:
    """The administrative levels drawn at a zoom: districts always, streets and then communities closer in."""
    levels = [RegionLevel.DISTRICT.value]
    if zoom >= STREET_ZOOM:
        levels.append(RegionLevel.STREET.value)
    if zoom >= COMMUNITY_ZOOM:
        levels.append(RegionLevel.COMMUNITY.value)
    return levels


def _outlines(level: str) -> list[dict]:
    """Every boundary of ``level`` on record, simplified for drawing, with its box (cached for all users: the
    scope is applied afterwards)."""

    def compute() -> dict:
        rows = Region.objects.filter(geometry__isnull=False, level=level).order_by("id")
        items = []
        for region in rows.only("id", "name", "level", "geometry_generated", "geometry").iterator(chunk_size=200):
            shape = geometry_of(region.geometry)
            west, south, east, north = shape.bounds
            items.append(
                {
                    "id": region.pk,
                    "name": region.name,
                    "level": region.level,
                    "generated": region.geometry_generated,
                    "bounds": [west, south, east, north],
                    "geometry": outline(shape),
                }
            )
        return {"items": items}

    return _cached(("outlines", level), OUTLINE_CACHE_SECONDS, compute)["items"]


def _visible_region(scope: Scope, region_id: int, above: frozenset[int], query: MapQuery) -> bool:
    if query.region is not None:
        low, high = query.region.subtree
        if not (low <= region_id < high or region_id in _ancestors_of(query.region)):
            return False
    return scope.contains_region(region_id) or region_id in above


def _ancestors_of(region: Region) -> frozenset[int]:
    return frozenset(ancestor_keys(region.pk, region.level_enum))


def _home_ancestors(scope: Scope) -> frozenset[int]:
    """The regions above the user's own (a street dispatcher sees the outline of their district around them)."""
    if scope.is_global:
        return frozenset()
    homes = Region.objects.filter(pk__in=scope.home_region_ids).only("id", "level")
    return frozenset(key for home in homes for key in ancestor_keys(home.pk, home.level_enum))


def _overlaps(bounds: list[float], bbox: BBox) -> bool:
    west, south, east, north = bounds
    return west <= bbox.east and east >= bbox.west and south <= bbox.north and north >= bbox.south


def _region_features(*, user, query: MapQuery, levels: Iterable[str]) -> dict:
    scope = scope_for(user)
    if scope.is_empty:
        return _collection([])

    def compute() -> dict:
        above = _home_ancestors(scope)
        features = []
        for level in levels:
            for item in _outlines(level):
                if not _overlaps(item["bounds"], query.bbox) or not _visible_region(scope, item["id"], above, query):
                    continue
                features.append(
                    {
                        "type": "Feature",
                        "geometry": item["geometry"],
                        "properties": {
                            "id": item["id"],
                            "name": item["name"],
                            "level": item["level"],
                            "generated": item["generated"],
                            "url": reverse("web:region_detail", args=[item["id"]]),
                        },
                    }
                )
        return _collection(features)

    snapped = snap_bbox(query.bbox, query.zoom)
    levels = list(levels)
    return _cached(
        ("regions", _scope_key(scope, per_user=False), tuple(levels), _query_key(query, snapped)),
        MAP_CACHE_SECONDS,
        compute,
    )


def region_layer(*, user, query: MapQuery) -> dict:
    return _region_features(user=user, query=query, levels=region_levels_for(query.zoom))


def grid_layer(*, user, query: MapQuery) -> dict:
    if query.zoom < GRID_ZOOM:
        return _collection([], hint="zoom_in", min_zoom=GRID_ZOOM)
    return _region_features(user=user, query=query, levels=[RegionLevel.GRID.value])


def map_bounds(*, user, region: Region | None) -> list[float] | None:
    """[west, south, east, north] to open the map on: the region asked for, else the user's own regions, else every
    district on record."""
    scope = scope_for(user)
    if region is not None:
        wanted = {region.pk}
    elif scope.is_global:
        wanted = None
    else:
        wanted = set(scope.home_region_ids)
    boxes = []
    for level in (RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID):
        boxes += [item["bounds"] for item in _outlines(level) if wanted is None or item["id"] in wanted]
        if wanted is None and boxes:
            break
    if not boxes:
        return None
    array = np.asarray(boxes)
    return [float(array[:, 0].min()), float(array[:, 1].min()), float(array[:, 2].max()), float(array[:, 3].max())]


# --- resources, demands, matches -----------------------------------------------------------------------------------


def _region_points(region_ids: Iterable[int]) -> dict[int, tuple[float, float]]:
    """A point inside each region's boundary, for records placed by region only: (latitude, longitude)."""
    points = {}
    rows = Region.objects.filter(pk__in=set(region_ids), geometry__isnull=False).values_list("pk", "geometry")
    for pk, geometry in rows:
        point = geometry_of(geometry).representative_point()
        points[pk] = (point.y, point.x)
    return points


def _position(row, region_points: dict[int, tuple[float, float]]) -> tuple[float, float] | None:
    if row.latitude is not None and row.longitude is not None:
        return float(row.latitude), float(row.longitude)
    return region_points.get(row.region_id)


def _emergency_demands(user, query: MapQuery):
    return demand_queryset(user).filter(
        _region_filter(query, "region_id"), state=DemandState.OPEN, priority=DemandPriority.EMERGENCY
    )


def _resources(user, query: MapQuery):
    rows = resource_queryset(user).filter(_region_filter(query, "region_id"), is_active=True)
    if query.emergency:
        kinds = set(_emergency_demands(user, query).values_list("kind", flat=True))
        rows = rows.filter(kind__in=sorted(kinds))
        # a resource whose conditions leave out the emergency class cannot serve these demands
        rows = [r for r in rows.select_related("owner") if not r.allowed_priorities or 0 in r.allowed_priorities]
        return rows
    return list(rows.select_related("owner"))


def resource_layer(*, user, query: MapQuery) -> dict:

    def compute() -> dict:
        rows = _resources(user, query)
        region_points = _region_points(r.region_id for r in rows if r.latitude is None or r.longitude is None)
        stale = stale_before()
        features = []
        for row in rows:
            position = _position(row, region_points)
            if position is None or not query.bbox.contains(np.array(position[0]), np.array(position[1])):
                continue
            features.append(
                _point(
                    *position,
                    {
                        "id": row.pk,
                        "name": row.name,
                        "kind": row.get_kind_display(),
                        "capacity": row.capacity,
                        "unit": row.unit_label,
                        "owner": row.owner.name,
                        "stale": row.confirmed_at < stale,
                        "placed_by_region": row.latitude is None,
                        "url": record_url("resources:resource_detail", "/resources/{}/", row.pk),
                    },
                )
            )
        return _collection(features)

    return compute()  # a few hundred rows: read fresh, so a step just taken shows at once


def demand_layer(*, user, query: MapQuery) -> dict:

    def compute() -> dict:
        if query.emergency:
            rows = _emergency_demands(user, query)
        else:
            rows = demand_queryset(user).filter(_region_filter(query, "region_id"), state=DemandState.OPEN)
        rows = list(rows.order_by("priority", "id"))
        region_points = _region_points(r.region_id for r in rows if r.latitude is None or r.longitude is None)
        features = []
        for row in rows:
            position = _position(row, region_points)
            if position is None or not query.bbox.contains(np.array(position[0]), np.array(position[1])):
                continue
            features.append(
                _point(
                    *position,
                    {
                        "id": row.pk,
                        "title": row.title,
                        "priority": row.priority,
                        "priority_label": row.get_priority_display(),
                        "kind": row.get_kind_display(),
                        "quantity": row.quantity,
                        "url": record_url("resources:demand_detail", "/resources/demands/{}/", row.pk),
                    },
                )
            )
        return _collection(features)

    return compute()  # a few hundred rows: read fresh, so a step just taken shows at once


def match_layer(*, user, query: MapQuery) -> dict:
    """Open matches as lines from the resource to the demand (a line is kept when either end is in the box)."""

    def compute() -> dict:
        rows = match_queryset(user).filter(_region_filter(query, "demand__region_id"), state__in=OPEN_MATCH_STATES)
        if query.emergency:
            rows = rows.filter(demand__priority=DemandPriority.EMERGENCY)
        rows = list(rows.select_related("demand", "resource").order_by("id"))
        region_points = _region_points([m.demand.region_id for m in rows] + [m.resource.region_id for m in rows])
        features = []
        for row in rows:
            start = _position(row.resource, region_points)
            end = _position(row.demand, region_points)
            if start is None or end is None:
                continue
            lat = np.array([start[0], end[0]])
            lon = np.array([start[1], end[1]])
            if not query.bbox.contains(lat, lon).any():
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[round(start[1], 6), round(start[0], 6)], [round(end[1], 6), round(end[0], 6)]],
                    },
                    "properties": {
                        "id": row.pk,
                        "state": row.state,
                        "state_label": row.get_state_display(),
                        "quantity": row.quantity,
                        "resource": row.resource.name,
                        "demand": row.demand.title,
                        "priority": row.demand.priority,
                        "url": record_url("resources:demand_detail", "/resources/demands/{}/", row.demand_id),
                    },
                }
            )
        return _collection(features)

    return compute()  # a few hundred rows: read fresh, so a step just taken shows at once


# --- cases ---------------------------------------------------------------------------------------------------------


def _case_points(user, query: MapQuery) -> tuple[PointSet, frozenset[int]]:
    """Every case the user may open (open ones unless ``all_cases``) at its point or, without one, at a point inside its
    region, with the ids of the latter; projected once (``core.clusters.prepare``)
    and cached per user for ``MAP_CACHE_SECONDS``: every pan and zoom of the next half minute clusters from memory."""
    scope = scope_for(user)

    def compute() -> dict:
        # the state narrows each way into the scope (``case_queryset``'s ``states``), and again the result
        rows = case_queryset(user, states=None if query.all_cases else OPEN_STATES).filter(
            _region_filter(query, "region_id"), merged_into__isnull=True
        )
        if not query.all_cases:
            rows = rows.filter(state__in=OPEN_STATES)
        values = (
            rows.filter(latitude__isnull=False, longitude__isnull=False)
            .annotate(map_latitude=Cast("latitude", FloatField()), map_longitude=Cast("longitude", FloatField()))
            .values_list("id", "map_latitude", "map_longitude")
        )
        placed = _rows_array(values, columns=3)
        # a case known only by its region (most hotline messages: an address resolved to a community) is drawn at a
        # point inside that region, as resources and demands are; one without a mapped region is not drawn
        unplaced = _rows_array(
            rows.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True), region_id__isnull=False).values_list(
                "id", "region_id"
            ),
            columns=2,
        )
        by_region = np.empty((0, 3))
        if len(unplaced):
            points = _region_points(np.unique(unplaced[:, 1]).astype(np.int64).tolist())
            kept = [(case_id, *points[int(region)]) for case_id, region in unplaced.tolist() if int(region) in points]
            by_region = np.array(kept, dtype=np.float64).reshape(-1, 3)
        array = np.vstack([placed, by_region])
        return {
            "points": prepare(array[:, 0].astype(np.int64), array[:, 1], array[:, 2]),
            "by_region": frozenset(by_region[:, 0].astype(np.int64).tolist()),
        }

    parts = (
        "case-points",
        _scope_key(scope, per_user=True),
        query.region.pk if query.region else None,
        query.all_cases,
    )
    cached = _cached(parts, MAP_CACHE_SECONDS, compute)
    return cached["points"], cached["by_region"]


def _rows_array(values, *, columns: int) -> np.ndarray:
    """The rows of a ``values_list`` of numbers, read by the cursor straight into numpy (100,000 rows without a
    Python object per row)."""
    sql, params = values.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, columns)


def case_layer(*, user, query: MapQuery) -> dict:
    """The cases in the box, clustered at the view's zoom: a cluster's count and mean position; a lone case its id
    and the link to its page."""
    if not can_view_case_layer(user):
        raise PermissionDenied(_("The case layer is for staff who handle cases."))
    scope = scope_for(user)
    snapped = snap_bbox(query.bbox, query.zoom)

    def compute() -> dict:
        points, by_region = _case_points(user, query)
        clusters = cluster(points, bbox=snapped, zoom=query.zoom)
        features = []
        for lat, lon, count, single in zip(
            clusters.latitude.tolist(),
            clusters.longitude.tolist(),
            clusters.count.tolist(),
            clusters.single_id.tolist(),
            strict=True,
        ):
            properties: dict = {"count": count}
            if single >= 0:
                properties["id"] = single
                properties["url"] = reverse("cases:detail", args=[single])
                if single in by_region:
                    properties["placed_by_region"] = True
            features.append(_point(lat, lon, properties))
        return _collection(features, total=clusters.total)

    return _cached(("cases", _scope_key(scope, per_user=True), _query_key(query, snapped)), MAP_CACHE_SECONDS, compute)


# --- load ----------------------------------------------------------------------------------------------------------


def _load_region(user, query: MapQuery) -> Region:
    if query.region is not None:
        return query.region
    region, _choices = report_region_get(user=user)
    return region


def load_layer(*, user, query: MapQuery) -> dict:
    """Each community's load factor (hours demanded over capacity, averaged over the last 13 weeks, as the burden
    load page shows it by default), drawn on the community's boundary."""
    if not can_view_load_layer(user):
        raise PermissionDenied(_("The load layer is for staff who may read the load figures."))
    region = _load_region(user, query)
    today = timezone.localdate()
    last = week_start(today) + timedelta(days=6)
    first = week_start(last) - timedelta(weeks=12)

    def compute() -> dict:
        result = load_for(user=user, region=region, first=first, last=last)
        by_region: dict[int, list] = {}
        for unit in result.units:
            by_region.setdefault(unit.region_id, []).append(unit)
        features = []
        for item in _outlines(RegionLevel.COMMUNITY.value):
            units = by_region.get(item["id"])
            if not units:
                continue
            factors = [u.factor for u in units if u.factor is not None]
            features.append(
                {
                    "type": "Feature",
                    "geometry": item["geometry"],
                    "properties": {
                        "id": item["id"],
                        "name": item["name"],
                        "factor": round(max(factors), 2) if factors else None,
                        "units": ", ".join(u.name for u in units),
                        "url": reverse("web:region_detail", args=[item["id"]]),
                    },
                }
            )
        return _collection(features, region=region.name, first=first.isoformat(), last=last.isoformat())

    return _cached(("load", region.pk, first.isoformat()), LOAD_CACHE_SECONDS, compute)


LAYER_SELECTORS = {
    "regions": region_layer,
    "grids": grid_layer,
    "resources": resource_layer,
    "demands": demand_layer,
    "matches": match_layer,
    "cases": case_layer,
    "load": load_layer,
}


def map_layer(*, user, name: str, query: MapQuery) -> dict:
    try:
        selector = LAYER_SELECTORS[name]
    except KeyError:
        raise Http404("No such layer") from None
    return selector(user=user, query=query)


def map_region_get(*, user, code: str) -> Region:
    """The region a map link names by its division code, if the user may see it (the same 404 otherwise)."""
    scope = scope_for(user)
    region = Region.objects.filter(code=code.strip()).first() if code and len(code) <= 15 else None
    if region is None or not scope.contains_region(region.pk):
        raise Http404("No such region")
    return region


def layers_for(user) -> list[str]:
    """The layers this user may switch on (the case and load layers only for staff who may read them)."""
    allowed = []
    for name in LAYERS:
        if name == "cases" and not can_view_case_layer(user):
            continue
        if name == "load" and not can_view_load_layer(user):
            continue
        allowed.append(name)
    return allowed
