"""The map's server-side clustering (``fuhe.maps.core.clusters``): 1,000,000 case points per request, against a
plain Python loop in the same run.

    .venv/bin/python bench/bench_map.py [--points 1000000] [--runs 5] [--naive-runs 1]

Points: 70 % spread over 和平区's box (the city), 30 % over 蓟州区's (the county), seeded. Three views, as the map
asks for them: the whole municipality at zoom 9, 和平区 at zoom 13, one street at zoom 15 (the box widened to whole
cells by ``snap_bbox``, as the map does). First the one-time ``prepare`` (the Web Mercator projection, which the
map's selector caches with the scope's points). Then for each view: median milliseconds per request of ``cluster``
on the prepared points (what the map serves: a box filter, then ``np.bincount`` over the box's cells), requests
per second, points per second (all 1,000,000 scanned: a request filters the box itself), clusters returned; the
same request with the projection inside (``cluster_points``, a cold cache); then ``cluster_points_naive`` (the same
result by a dictionary in a Python loop) on the same request, and the ratio naive / served. The results are compared
(same clusters, same counts). No database: the cases' coordinates of a scope are read once and cached for 30 s by
the selector (see docs/performance.md, "Map", for the query's cost and the browser's first paint).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

from fuhe.maps.core.clusters import BBox, cluster, cluster_points, cluster_points_naive, prepare, snap_bbox

VIEWS = [
    ("天津 (whole view)", BBox(116.7, 38.5, 118.1, 40.3), 9),
    ("和平区", BBox(117.17, 39.10, 117.22, 39.14), 13),
    ("one street", BBox(117.185, 39.115, 117.200, 39.125), 15),
]


def points(count: int, seed: int = 16) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    city = int(count * 0.7)
    lat = np.concatenate([rng.uniform(39.10, 39.14, city), rng.uniform(39.85, 40.25, count - city)])
    lon = np.concatenate([rng.uniform(117.17, 117.22, city), rng.uniform(117.20, 117.75, count - city)])
    return np.arange(1, count + 1, dtype=np.int64), lat, lon


CPU: dict[str, float] = {}


def timed(function, runs: int, label: str = "") -> tuple[float, object]:
    """Median wall seconds of ``runs`` calls, and the result; the median CPU seconds go to ``CPU[label]``."""
    durations, cpu, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        durations.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    CPU[label] = statistics.median(cpu)
    return statistics.median(durations), result


def same(fast, naive) -> bool:
    if len(fast) != len(naive):
        return False
    got = sorted(zip(fast.count.tolist(), fast.single_id.tolist(), strict=True))
    expected = sorted((count, single) for _lat, _lon, count, single in naive.values())
    return got == expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--naive-runs", type=int, default=1)
    args = parser.parse_args()
    machine = f"{os.cpu_count()} cores · {platform.machine()}"
    load = os.getloadavg()[0]
    print(f"python {platform.python_version()} · numpy {np.__version__} · {machine} · load average {load:.1f}")
    ids, lat, lon = points(args.points)
    id_list, lat_list, lon_list = ids.tolist(), lat.tolist(), lon.tolist()
    prepare_s, prepared = timed(lambda: prepare(ids, lat, lon), args.runs, "prepare")
    print(f"{args.points:,} points; median of {args.runs} runs (naive: {args.naive_runs})")
    print(
        f"prepare (project once, cached per scope by the map's selector): {prepare_s * 1000:.0f} ms "
        f"(CPU {CPU['prepare'] * 1000:.0f} ms)"
    )
    header = f"{'view':<20} {'zoom':>4} {'in box':>9} {'clusters':>8} {'ms/request':>11} {'req/s':>7}"
    header += (
        f" {'M points/s':>11} {'CPU ms':>7} {'+project ms':>12} {'naive ms':>9} {'naive CPU':>9} {'naive M/s':>10}"
    )
    header += f" {'ratio':>7} {'same':>5}"
    print(header)
    for name, box, zoom in VIEWS:
        snapped = snap_bbox(box, zoom)
        fast_s, fast = timed(lambda b=snapped, z=zoom: cluster(prepared, bbox=b, zoom=z), args.runs, "fast")
        cold_s, cold = timed(lambda b=snapped, z=zoom: cluster_points(ids, lat, lon, bbox=b, zoom=z), args.runs)
        naive_s, naive = timed(
            lambda b=snapped, z=zoom: cluster_points_naive(id_list, lat_list, lon_list, bbox=b, zoom=z),
            args.naive_runs,
            "naive",
        )
        agree = same(fast, naive) and same(cold, naive)
        print(
            f"{name:<20} {zoom:>4} {fast.total:>9,} {len(fast):>8,} {fast_s * 1000:>11.1f} {1 / fast_s:>7.1f} "
            f"{args.points / fast_s / 1e6:>11.2f} {CPU['fast'] * 1000:>7.1f} {cold_s * 1000:>12.1f} "
            f"{naive_s * 1000:>9.0f} {CPU['naive'] * 1000:>9.0f} "
            f"{args.points / naive_s / 1e6:>10.2f} {naive_s / fast_s:>6.1f}x {str(agree):>5}"
        )


if __name__ == "__main__":
    main()
