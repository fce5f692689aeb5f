"""Places: which region holds a point, which region an address names (no Django).

* ``PlaceIndex`` resolves many points at once to the smallest region containing each: one shapely ``STRtree`` per
  level, deepest first (grids, then communities, streets, districts); a point no grid holds falls through to the
  community, and so on. Under the deepest level lies a raster: a cell wholly inside one polygon answers its points
  by a numpy lookup, without any geometry test; a point in a cell a boundary crosses is tested only against the
  polygons whose boundary runs through that cell (one vectorised ``shapely.contains_xy``); the rest (on an edge,
  outside every grid) go to the trees (``STRtree.query(points, predicate="intersects")``). Every answer is exact.
  See ``bench/bench_places.py`` and docs/decisions/0013-region-geometry.md.
* ``partition`` splits a polygon into ``count`` cells that cover it exactly (a Voronoi partition of seeded random
  points, relaxed twice towards the cells' centres): the generated boundaries of streets, communities and grids
  where no official boundary exists. Deterministic for a given seed.
* ``address_match``: the region an address names, from an index of names (region names with and without their
  suffix, place names of the gazetteer): the longest name found wins; a region named inside its subtree (a
  community of the street named) is more precise and wins over it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from scipy import ndimage
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

#: cells per side of the raster under the deepest level (a county of 50 km: cells of about 25 m)
RASTER_CELLS = 2048
#: the suffixes an address often leaves out ("花园路" for 花园路社区)
NAME_SUFFIXES = ("社区居委会", "居民委员会", "村民委员会", "居委会", "村委会", "街道办事处", "街道", "社区", "村")


def geometry_of(value: dict | BaseGeometry) -> BaseGeometry:
    """A shapely geometry from GeoJSON (a dict) or a geometry."""
    return value if isinstance(value, BaseGeometry) else shape(value)


@dataclass(frozen=True)
class Area:
    """A region's polygon: ``depth`` orders the levels (a larger depth is a smaller region: 5 for a grid)."""

    region_id: int
    depth: int
    geometry: BaseGeometry


class _Level:
    """The polygons of one level in an STRtree, with their region ids."""

    def __init__(self, areas: Sequence[Area]) -> None:
        self.ids = np.array([area.region_id for area in areas], dtype=np.int64)
        self.geometries = np.array([area.geometry for area in areas], dtype=object)
        self.tree = shapely.STRtree(self.geometries)

    def locate(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index of the point, region id) for every point inside (or on the edge of) a polygon; a point on a
        shared edge is answered once, by the polygon listed first."""
        hits, found = self.tree.query(points, predicate="intersects")
        if len(hits) > 1:
            first = np.ones(len(hits), dtype=bool)
            first[1:] = hits[1:] != hits[:-1]  # the query's answers come sorted by point
            hits, found = hits[first], found[first]
        return hits, self.ids[found]


class PlaceIndex:
    """Resolve points (longitude, latitude in WGS-84) to the deepest region whose polygon holds them."""

    def __init__(self, areas: Iterable[Area], *, raster_cells: int = RASTER_CELLS) -> None:
        by_depth: dict[int, list[Area]] = {}
        for area in areas:
            if not area.geometry.is_empty:
                by_depth.setdefault(area.depth, []).append(area)
        self.levels = [_Level(by_depth[depth]) for depth in sorted(by_depth, reverse=True)]
        self.size = sum(len(level.ids) for level in self.levels)
        self._has_raster = False
        if self.levels and raster_cells > 0:
            self._build_raster(raster_cells)

    def __len__(self) -> int:
        return self.size

    def _build_raster(self, cells: int) -> None:
        """For each cell of a square grid over the deepest level's extent: the one polygon holding it wholly, or -1
        (a boundary crosses it, or no polygon holds it: the trees decide for the points that fall there).

        The cells a boundary touches are marked from the boundaries' vertices, densified to a quarter of a cell:
        every point of a boundary lies within an eighth of a cell of a vertex, in the cells of the corners of the
        vertex's small square (a boundary clipping a cell's corner is caught too); the other cells fall into
        connected pieces that no boundary crosses, each inside one polygon or outside all: one point-in-polygon
        test per piece names it."""
        deepest = self.levels[0]
        west, south, east, north = shapely.total_bounds(deepest.geometries)
        if not (east > west and north > south):
            return
        step = max(east - west, north - south) / cells * (1 + 1e-9)
        self._origin, self._step, self._cells = (west, south), step, cells
        spacing = step / 4
        outlines = shapely.segmentize(shapely.boundary(deepest.geometries), spacing)
        vertices, polygon = shapely.get_coordinates(outlines, return_index=True)
        crossed = np.zeros((cells, cells), dtype=bool)
        pairs = []
        # a boundary's point lies within spacing/2 of a vertex: the cells of that small square's corners hold it
        for dx, dy in ((-1, -1), (-1, 1), (1, -1), (1, 1)):
            columns = np.clip(((vertices[:, 0] + dx * spacing / 2 - west) / step).astype(np.int64), 0, cells - 1)
            rows = np.clip(((vertices[:, 1] + dy * spacing / 2 - south) / step).astype(np.int64), 0, cells - 1)
            crossed[rows, columns] = True
            pairs.append(rows * cells + columns)
        # the polygons whose boundary runs through each crossed cell: the candidates tested for its points
        cell_polygon = np.unique(np.concatenate(pairs) * len(deepest.ids) + np.tile(polygon, 4))
        cell_of, self._candidates = np.divmod(cell_polygon, len(deepest.ids))
        self._candidate_cells, self._candidate_start = np.unique(cell_of, return_index=True)
        self._candidate_start = np.append(self._candidate_start, len(cell_of))
        shapely.prepare(deepest.geometries)
        pieces, count = ndimage.label(~crossed)
        labels, first = np.unique(pieces.ravel(), return_index=True)
        keep = labels > 0
        labels, first = labels[keep], first[keep]
        centre_x = west + (first % cells + 0.5) * step
        centre_y = south + (first // cells + 0.5) * step
        owner = np.full(count + 1, -1, dtype=np.int64)
        hits, ids = deepest.locate(shapely.points(centre_x, centre_y))
        owner[labels[hits]] = ids
        self._pieces, self._owner = pieces.ravel().astype(np.int32), owner
        self._has_raster = True

    def locate(self, longitudes, latitudes) -> np.ndarray:
        """The region id of each point, -1 where no region holds it (vectorised: a million points at once)."""
        x = np.asarray(longitudes, dtype=np.float64)
        y = np.asarray(latitudes, dtype=np.float64)
        result = np.full(x.shape, -1, dtype=np.int64)
        pending = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if self._has_raster and len(pending):
            column = np.floor((x[pending] - self._origin[0]) / self._step).astype(np.int64)
            row = np.floor((y[pending] - self._origin[1]) / self._step).astype(np.int64)
            inside = (column >= 0) & (column < self._cells) & (row >= 0) & (row < self._cells)
            cell = np.where(inside, row * self._cells + column, -1)
            answer = np.full(len(pending), -1, dtype=np.int64)
            answer[inside] = self._owner[self._pieces[cell[inside]]]
            result[pending] = answer
            crossed = answer < 0
            pending, cell = pending[crossed], cell[crossed]
            pending = self._locate_near_boundaries(x, y, pending, cell, result)
        for level in self.levels:
            if not len(pending):
                break
            hits, ids = level.locate(shapely.points(x[pending], y[pending]))
            result[pending[hits]] = ids
            pending = pending[result[pending] < 0]
        return result

    def _locate_near_boundaries(
        self, x: np.ndarray, y: np.ndarray, pending: np.ndarray, cell: np.ndarray, result: np.ndarray
    ) -> np.ndarray:
        """Points in cells a boundary crosses: each tested against the few polygons whose boundary runs through
        its cell (one vectorised, exact ``contains_xy``); returns the points still unanswered (on an edge, or in
        no candidate), which the trees decide."""
        position = np.searchsorted(self._candidate_cells, cell)
        position = np.minimum(position, len(self._candidate_cells) - 1)
        listed = (cell >= 0) & (self._candidate_cells[position] == cell)
        points, position = np.flatnonzero(listed), position[listed]
        start, stop = self._candidate_start[position], self._candidate_start[position + 1]
        counts = stop - start
        if not counts.sum():
            return pending
        point_of = np.repeat(points, counts)  # one row per (point, candidate polygon)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        candidate = self._candidates[np.repeat(start, counts) + offsets]
        deepest = self.levels[0]
        target = pending[point_of]
        inside = shapely.contains_xy(deepest.geometries[candidate], x[target], y[target])
        # the first candidate holding a point answers it (assigned in reverse, so the first one is written last)
        result[target[inside][::-1]] = deepest.ids[candidate[inside][::-1]]
        return pending[result[pending] < 0]

    def locate_one(self, longitude: float, latitude: float) -> int | None:
        found = int(self.locate([longitude], [latitude])[0])
        return found if found >= 0 else None


# --- generated cells ----------------------------------------------------------------------------------------------


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """The polygons of a geometry (an intersection may add slivers of lines or points on shared edges)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [part for part in getattr(geometry, "geoms", []) if part.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def sample_points(area: BaseGeometry, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` random points inside ``area`` (uniform: drawn in its bounds, those outside thrown away)."""
    west, south, east, north = area.bounds
    shapely.prepare(area)
    found: list[np.ndarray] = []
    have = 0
    while have < count:
        xs = rng.uniform(west, east, max(64, count * 4))
        ys = rng.uniform(south, north, max(64, count * 4))
        keep = shapely.contains_xy(area, xs, ys)
        chunk = np.column_stack([xs[keep], ys[keep]])
        found.append(chunk)
        have += len(chunk)
    return np.concatenate(found)[:count]


def _cells(area: BaseGeometry, seeds: np.ndarray) -> list[BaseGeometry]:
    """The Voronoi cells of the seeds, clipped to the area, in the seeds' order."""
    west, south, east, north = area.bounds
    frame = shapely.box(west, south, east, north).buffer(max(east - west, north - south))
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame, ordered=True)
    clipped = shapely.intersection(np.array(list(diagram.geoms), dtype=object), area)
    return [_polygonal(cell) for cell in clipped]


def partition(area: BaseGeometry, count: int, *, seed: int, relax: int = 2) -> list[BaseGeometry]:
    """``count`` cells covering ``area`` exactly, without overlap (a seeded Voronoi partition; ``relax`` rounds of
    Lloyd's relaxation make the cells rounder and of more even size)."""
    if count <= 0:
        return []
    if count == 1:
        return [area]
    rng = np.random.default_rng(seed)
    seeds = sample_points(area, count, rng)
    cells = _cells(area, seeds)
    for _round in range(relax):
        moved = []
        for seed_point, cell in zip(seeds, cells, strict=True):
            centre = cell.centroid if not cell.is_empty else None
            if centre is None or not cell.contains(centre):
                centre = cell.point_on_surface() if not cell.is_empty else shapely.Point(seed_point)
            moved.append((centre.x, centre.y))
        seeds = np.array(moved)
        if len({tuple(point) for point in moved}) < count:  # two seeds met: keep the previous cells
            break
        cells = _cells(area, seeds)
    return cells


# --- addresses ----------------------------------------------------------------------------------------------------


def name_variants(name: str) -> set[str]:
    """A region's name as addresses write it: whole, and without one of its suffixes (two characters at least)."""
    variants = {name}
    for suffix in NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            variants.add(name.removesuffix(suffix))
            break
    return variants


def address_match(
    address: str, names: Mapping[str, int], longest: int, within: Callable[[int, int], bool]
) -> int | None:
    """The region id the address names, or None. The longest name found wins (a tie: the larger key, the deeper
    region); then a region named inside the winner's subtree (``within(inner, outer)``) is more precise and wins in
    turn, again the longest of those (劝业场街道花园路社区 → the community, even if its name were shorter)."""
    found: dict[int, int] = {}  # region id → length of the longest name of it found
    for start in range(len(address) - 1):
        for end in range(start + 2, min(len(address), start + longest) + 1):
            region_id = names.get(address[start:end])
            if region_id is not None and found.get(region_id, 0) < end - start:
                found[region_id] = end - start
    if not found:
        return None
    best = max(found, key=lambda region_id: (found[region_id], region_id))
    while True:
        inner = [region_id for region_id in found if region_id != best and within(region_id, best)]
        if not inner:
            return best
        best = max(inner, key=lambda region_id: (found[region_id], region_id))
