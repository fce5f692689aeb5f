"""Server-side clustering of many points for a map view (no Django).

The map asks for the points of a bounding box at a zoom level. Points are projected to Web Mercator pixels at that
zoom (256 × 2^zoom pixels round the world, as Leaflet draws them) and binned into square cells of ``cell_pixels``
pixels; each non-empty cell becomes one cluster: how many points, their mean position, and, when it holds a single
point, that point's id (so the map can open its record). The cells are aligned to the world's pixel grid, not to the
box, so panning never reshuffles the clusters, and ``snap_bbox`` widens a box to whole cells (a cell is then wholly
in or out of the box: its count is complete, and the widened box is a stable cache key).

Everything is vectorised with numpy: points are projected once (``prepare``: the costly sine and inverse
hyperbolic tangent), then per request the box's points are binned and their cells counted and summed by
``np.bincount`` over the box's cells (linear, no sort); ``cluster_points_naive`` is the same result by a Python
dictionary, the baseline of ``bench/bench_map.py``. The invariant (tested with hypothesis): the counts sum to the
points inside the box.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TILE_PIXELS = 256
MAX_ZOOM = 22
MAX_LATITUDE = 85.05112878  # Web Mercator's limit
DEFAULT_CELL_PIXELS = 64


@dataclass(frozen=True)
class BBox:
    """A box in WGS-84 degrees: west, south, east, north (west ≤ east: boxes crossing the antimeridian are not
    supported; China does not need them)."""

    west: float
    south: float
    east: float
    north: float

    def __post_init__(self) -> None:
        values = (self.west, self.south, self.east, self.north)
        if not all(math.isfinite(v) for v in values):
            raise ValueError("not_finite")
        if not (-180 <= self.west <= self.east <= 180):
            raise ValueError("longitude_order")
        if not (-90 <= self.south <= self.north <= 90):
            raise ValueError("latitude_order")

    @classmethod
    def parse(cls, text: str) -> BBox:
        """``"west,south,east,north"`` (Leaflet's ``toBBoxString``); ValueError names the reason."""
        parts = text.split(",")
        if len(parts) != 4:
            raise ValueError("four_numbers")
        try:
            west, south, east, north = (float(part) for part in parts)
        except ValueError:
            raise ValueError("not_a_number") from None
        return cls(max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0))

    def contains(self, latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
        return (latitude >= self.south) & (latitude <= self.north) & (longitude >= self.west) & (longitude <= self.east)


@dataclass(frozen=True)
class Clusters:
    """One row per non-empty cell: mean position, count, and the id of the point when the count is one (else -1)."""

    latitude: np.ndarray
    longitude: np.ndarray
    count: np.ndarray
    single_id: np.ndarray

    def __len__(self) -> int:
        return int(self.count.shape[0])

    @property
    def total(self) -> int:
        return int(self.count.sum())


def clamp_zoom(zoom: float) -> int:
    return int(min(MAX_ZOOM, max(0, math.floor(zoom))))


def _world_pixels(zoom: int) -> float:
    return float(TILE_PIXELS * (1 << zoom))


def project(latitude: np.ndarray, longitude: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates (x to the east, y to the south) at ``zoom``."""
    size = _world_pixels(zoom)
    lat = np.radians(np.clip(latitude, -MAX_LATITUDE, MAX_LATITUDE))
    x = (np.asarray(longitude, dtype=np.float64) + 180.0) / 360.0 * size
    y = (1.0 - np.log(np.tan(lat) + 1.0 / np.cos(lat)) / math.pi) / 2.0 * size
    return x, y


def unproject(x: float, y: float, zoom: int) -> tuple[float, float]:
    """(latitude, longitude) of a pixel at ``zoom``."""
    size = _world_pixels(zoom)
    longitude = x / size * 360.0 - 180.0
    latitude = math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / size))))
    return latitude, longitude


def snap_bbox(bbox: BBox, zoom: int, cell_pixels: int = DEFAULT_CELL_PIXELS) -> BBox:
    """The smallest box of whole cells (at ``zoom``) holding ``bbox``, clipped to the world."""
    x, y = project(np.array([bbox.north, bbox.south]), np.array([bbox.west, bbox.east]), zoom)
    size = _world_pixels(zoom)
    left = max(0.0, math.floor(x[0] / cell_pixels) * cell_pixels)
    right = min(size, (math.floor(x[1] / cell_pixels) + 1) * cell_pixels)
    top = max(0.0, math.floor(y[0] / cell_pixels) * cell_pixels)
    bottom = min(size, (math.floor(y[1] / cell_pixels) + 1) * cell_pixels)
    north, west = unproject(left, top, zoom)
    south, east = unproject(right, bottom, zoom)
    return BBox(
        max(-180.0, min(west, bbox.west)),
        max(-90.0, min(south, bbox.south)),
        min(180.0, max(east, bbox.east)),
        min(90.0, max(north, bbox.north)),
    )


#: above this many cells in the box, clusters are found by sorting cell keys (np.unique) rather than by a dense
#: array of every cell (a huge box at a high zoom would otherwise allocate a huge array)
DENSE_CELL_LIMIT = 4_000_000


def _mercator_y(latitude: np.ndarray, size: float) -> np.ndarray:
    lat = np.radians(np.clip(latitude, -MAX_LATITUDE, MAX_LATITUDE))
    return (1.0 - np.arctanh(np.sin(lat)) / math.pi) / 2.0 * size


def _empty() -> Clusters:
    nothing = np.zeros(0)
    return Clusters(nothing, nothing, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


@dataclass(frozen=True)
class PointSet:
    """Points ready for clustering: ids, WGS-84 degrees, and their Web Mercator position as fractions of the world
    (0…1, zoom-independent). Projecting is the costly step (a sine and an inverse hyperbolic tangent per point), so
    a set read once serves every request on it (the map's selector caches it per scope)."""

    ids: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return int(self.ids.shape[0])


def prepare(ids, latitude, longitude) -> PointSet:
    """Project the points once (see ``PointSet``)."""
    latitude = np.asarray(latitude, dtype=np.float64)
    longitude = np.asarray(longitude, dtype=np.float64)
    return PointSet(
        np.asarray(ids, dtype=np.int64),
        latitude,
        longitude,
        (longitude + 180.0) / 360.0,
        _mercator_y(latitude, 1.0),
    )


def cluster(points: PointSet, *, bbox: BBox, zoom: float, cell_pixels: int = DEFAULT_CELL_PIXELS) -> Clusters:
    """The clusters of the points inside ``bbox`` at ``zoom`` (ids are integers ≥ 0).

    The box's points are binned into cells numbered densely from the box's top-left cell, so that one
    ``np.bincount`` per sum finds every cluster in linear time (no sort); the id of a lone point is the sum of the
    ids of its cell (exact below 2^53)."""
    if cell_pixels <= 0:
        raise ValueError("cell_pixels")
    scale = _world_pixels(clamp_zoom(zoom)) / cell_pixels
    if len(points) == 0:
        return _empty()
    mask = bbox.contains(points.latitude, points.longitude)
    if mask.all():  # the whole set in view: no copies
        lat, lon, point_ids, x, y = points.latitude, points.longitude, points.ids, points.x, points.y
    else:
        inside = np.flatnonzero(mask)
        if inside.size == 0:
            return _empty()
        lat, lon, point_ids = points.latitude[inside], points.longitude[inside], points.ids[inside]
        x, y = points.x[inside], points.y[inside]
    column = (x * scale).astype(np.int64)  # non-negative: truncation is floor
    row = (y * scale).astype(np.int64)
    first_column, first_row = int(column.min()), int(row.min())
    columns = int(column.max()) - first_column + 1
    rows = int(row.max()) - first_row + 1
    cell = (row - first_row) * columns + (column - first_column)
    if rows * columns <= DENSE_CELL_LIMIT:
        cells = rows * columns
        count = np.bincount(cell, minlength=cells)
        used = np.flatnonzero(count)
        count = count[used]
        sum_lat = np.bincount(cell, weights=lat, minlength=cells)[used]
        sum_lon = np.bincount(cell, weights=lon, minlength=cells)[used]
        sum_ids = np.bincount(cell, weights=point_ids.astype(np.float64), minlength=cells)[used]
    else:
        _unique, inverse, count = np.unique(cell, return_inverse=True, return_counts=True)
        sum_lat = np.bincount(inverse, weights=lat)
        sum_lon = np.bincount(inverse, weights=lon)
        sum_ids = np.bincount(inverse, weights=point_ids.astype(np.float64))
    single_id = np.where(count == 1, np.rint(sum_ids).astype(np.int64), -1)
    return Clusters(sum_lat / count, sum_lon / count, count.astype(np.int64), single_id)


def cluster_points(
    ids: np.ndarray,
    latitude: np.ndarray,
    longitude: np.ndarray,
    *,
    bbox: BBox,
    zoom: float,
    cell_pixels: int = DEFAULT_CELL_PIXELS,
) -> Clusters:
    """``cluster`` of points not yet prepared (projects only those inside the box)."""
    latitude = np.asarray(latitude, dtype=np.float64)
    longitude = np.asarray(longitude, dtype=np.float64)
    inside = np.flatnonzero(bbox.contains(latitude, longitude))
    points = prepare(np.asarray(ids, dtype=np.int64)[inside], latitude[inside], longitude[inside])
    return cluster(points, bbox=bbox, zoom=zoom, cell_pixels=cell_pixels)


def cluster_points_naive(
    ids: Sequence[int],
    latitude: Sequence[float],
    longitude: Sequence[float],
    *,
    bbox: BBox,
    zoom: float,
    cell_pixels: int = DEFAULT_CELL_PIXELS,
) -> dict[tuple[int, int], tuple[float, float, int, int]]:
    """The same clusters by a Python loop and a dictionary (the baseline): cell → (lat, lon, count, single id)."""
    scale = _world_pixels(clamp_zoom(zoom)) / cell_pixels
    sums: dict[tuple[int, int], list] = {}
    for point_id, lat, lon in zip(ids, latitude, longitude, strict=True):
        if not (bbox.south <= lat <= bbox.north and bbox.west <= lon <= bbox.east):
            continue
        radians = math.radians(min(MAX_LATITUDE, max(-MAX_LATITUDE, lat)))
        x = (lon + 180.0) / 360.0
        y = (1.0 - math.atanh(math.sin(radians)) / math.pi) / 2.0
        cell = (int(y * scale), int(x * scale))
        entry = sums.get(cell)
        if entry is None:
            sums[cell] = [lat, lon, 1, point_id]
        else:
            entry[0] += lat
            entry[1] += lon
            entry[2] += 1
    return {cell: (s[0] / s[2], s[1] / s[2], s[2], s[3] if s[2] == 1 else -1) for cell, s in sums.items()}
