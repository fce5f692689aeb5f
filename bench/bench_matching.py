"""Resource matching at city scale: the optimum (OR-Tools min-cost flow, proven optimal) beside the same network
built the plain way and beside first-come-first-served, on one deterministic instance per utilisation.

    .venv/bin/python bench/bench_matching.py [--runs 3] [--demands 100000] [--resources 10000] [--arcs 20]
                                             [--utilisation 0.5 0.96] [--seed 16]

The instance (``city``): ``--clusters`` communities placed around Tianjin's centre with a heavy-tailed size; each
resource and each demand lies near a community centre (about 1 km); every demand gets its ``--arcs`` nearest
resources as candidate arcs (a k-d tree over a local plane); capacities follow the demand of the community a
resource sits in, with noise, scaled so that total demand / total capacity is the utilisation. Quantities are 1-5
units; priorities 10 % emergency, 40 % basic livelihood, 50 % improvement; demands arrive in a random order (the
FCFS order). Costs: 1 point per km, a fund line on 5 % of resources (50-500 yuan per unit at 0.1 point per yuan),
an owner preference on 20 % (5 points outside their own community); unmet penalties and fairness bands are the
defaults of ``Weights`` (all scaled by 100 to integers, as ``build_instance`` does).

Printed per utilisation: the median time of the optimum (vectorised build, pruning, components) and of the plain
build (one ``add_arc_with_capacity_and_unit_cost`` call per arc, one solve), both proven optimal and checked equal,
and the cost of FCFS against the optimum.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np
import ortools
from scipy.spatial import cKDTree

from fuhe.resources.core.fcfs import fcfs_flow
from fuhe.resources.core.flow import FlowProblem, evaluate, solve_flow, solve_flow_naive
from fuhe.resources.core.matching import Priority, Weights

CENTRE = (39.125, 117.190)


def city(
    demands: int, resources: int, arcs: int, clusters: int, utilisation: float, seed: int
) -> tuple[FlowProblem, np.ndarray, np.ndarray]:
    """The instance, the distance of every arc (km) and the arrival order of the demands."""
    rng = np.random.default_rng(seed)
    weights = Weights()
    scale = weights.scale
    centres = np.column_stack([CENTRE[0] + rng.normal(0, 0.25, clusters), CENTRE[1] + rng.normal(0, 0.3, clusters)])
    size = rng.pareto(1.5, clusters) + 1
    size /= size.sum()
    resource_cluster = rng.choice(clusters, resources, p=size)
    demand_cluster = rng.choice(clusters, demands, p=size)
    resource_place = centres[resource_cluster] + rng.normal(0, 0.01, (resources, 2))
    demand_place = centres[demand_cluster] + rng.normal(0, 0.012, (demands, 2))
    plane = np.array([111.195, 111.195 * np.cos(np.radians(CENTRE[0]))])  # km per degree, locally
    distance, nearest = cKDTree(resource_place * plane).query(demand_place * plane, k=arcs)
    quantity = rng.integers(1, 6, demands).astype(np.int64)
    cluster_demand = np.bincount(demand_cluster, weights=quantity, minlength=clusters)
    cluster_resources = np.bincount(resource_cluster, minlength=clusters)
    share = cluster_demand[resource_cluster] / np.maximum(cluster_resources[resource_cluster], 1)
    share = share * rng.gamma(4.0, 0.25, resources)
    capacity = rng.multinomial(int(quantity.sum() / utilisation), share / share.sum()).astype(np.int64)
    priority = rng.choice(len(Priority), demands, p=[0.1, 0.4, 0.5])
    penalty = np.array([round(weights.unmet_penalty(Priority(p)) * scale) for p in range(len(Priority))])[priority]
    funds = np.where(rng.random(resources) < 0.05, rng.uniform(50, 500, resources) * weights.per_yuan, 0.0)
    prefers = rng.random(resources) < 0.2
    arc_demand = np.repeat(np.arange(demands, dtype=np.int64), arcs)
    arc_resource = nearest.reshape(-1).astype(np.int64)
    outside = prefers[arc_resource] & (resource_cluster[arc_resource] != demand_cluster[arc_demand])
    arc_distance = distance.reshape(-1)
    cost = weights.per_km * arc_distance + funds[arc_resource] + np.where(outside, weights.outside_preference, 0.0)
    problem = FlowProblem(
        demand_quantity=quantity,
        demand_penalty=penalty.astype(np.int64),
        demand_region=demand_cluster.astype(np.int64),
        resource_capacity=capacity,
        arc_demand=arc_demand,
        arc_resource=arc_resource,
        arc_cost=np.round(cost * scale).astype(np.int64),
        region_count=clusters,
        tier_shares=tuple(share for share, _ in weights.fairness_tiers),
        tier_costs=tuple(round(cost * scale) for _, cost in weights.fairness_tiers),
    )
    return problem, arc_distance, rng.permutation(demands).astype(np.int64)


def timed(function: Callable[[], object], runs: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(runs):
        started = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--demands", type=int, default=100_000)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--arcs", type=int, default=20)
    parser.add_argument("--clusters", type=int, default=250)
    parser.add_argument("--utilisation", type=float, nargs="+", default=[0.5, 0.96])
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--skip-naive", action="store_true", help="leave out the plain build (it is slow)")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, OR-Tools {ortools.__version__}, numpy {np.__version__}; median of {args.runs}"
    )
    for utilisation in args.utilisation:
        problem, distance, order = city(args.demands, args.resources, args.arcs, args.clusters, utilisation, args.seed)
        print(
            f"\n{args.demands:,} demands × {args.resources:,} resources, {problem.arc_cost.shape[0]:,} candidate "
            f"arcs, {problem.region_count} regions, utilisation {utilisation:.0%} "
            f"({int(problem.demand_quantity.sum()):,} units wanted, {int(problem.resource_capacity.sum()):,} offered)"
        )
        optimum_seconds, solution = timed(lambda p=problem: solve_flow(p), args.runs)
        assert solution is not None and hasattr(solution, "objective")
        optimum = solution.objective
        unmet = int(solution.unmet.sum())
        print(
            f"  optimum (vectorised, pruned, by component): {optimum_seconds:7.2f} s  cost {optimum / 100:,.2f}  "
            f"unmet {unmet:,} units  [{solution.components} components, {solution.solves} solves, "
            f"{solution.pruned_arcs:,} arcs pruned]  OPTIMAL"
        )
        if not args.skip_naive:
            naive_seconds, naive = timed(lambda p=problem: solve_flow_naive(p), args.runs)
            assert naive == optimum, (naive, optimum)
            print(
                f"  raw OR-Tools, plain build:                   {naive_seconds:7.2f} s  cost {naive / 100:,.2f}  "
                f"(same optimum; {naive_seconds / optimum_seconds:.2f}× the time of the optimum above)"
            )
        fcfs_seconds, flow = timed(lambda p=problem, d=distance, o=order: fcfs_flow(p, d, o), args.runs)
        assert isinstance(flow, np.ndarray)
        fcfs = evaluate(problem, flow)
        ours = evaluate(problem, solution.arc_flow)
        fcfs_unmet = int(problem.demand_quantity.sum() - flow.sum())
        print(
            f"  first-come-first-served:                    {fcfs_seconds:7.2f} s  cost {fcfs.total / 100:,.2f}  "
            f"unmet {fcfs_unmet:,} units  (+{(fcfs.total / optimum - 1) * 100:.1f} % over the optimum)"
        )
        for name, breakdown in (("optimum", ours), ("FCFS", fcfs)):
            print(
                f"    {name:8s} travel/funds/preference {breakdown.arcs / 100:,.0f}  unmet penalty "
                f"{breakdown.unmet_penalty / 100:,.0f}  fairness {breakdown.fairness / 100:,.0f}"
            )


if __name__ == "__main__":
    main()
