"""The min-cost flow equals independent optima: brute force over every integer assignment, and an LP (HiGHS)
written from the objective's definition, not from the network; pruning and decomposition keep the optimum."""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import given, settings
from scipy.optimize import linprog

from fuhe.resources.core.flow import (
    FlowProblem,
    evaluate,
    prune_dominated_arcs,
    solve_flow,
    solve_flow_naive,
    tier_capacities,
)

from .strategies import flow_problems


def objective_by_definition(problem: FlowProblem, arc_flow) -> int:
    """Arc costs, the priority penalty of each unmet unit, and each region's unmet units priced band by band."""
    total = sum(int(c) * int(x) for c, x in zip(problem.arc_cost, arc_flow, strict=True))
    region_demand = [0] * problem.region_count
    region_unmet = [0] * problem.region_count
    for demand in range(problem.demand_count):
        served = sum(int(x) for a, x in enumerate(arc_flow) if problem.arc_demand[a] == demand)
        unmet = int(problem.demand_quantity[demand]) - served
        total += unmet * int(problem.demand_penalty[demand])
        region_demand[problem.demand_region[demand]] += int(problem.demand_quantity[demand])
        region_unmet[problem.demand_region[demand]] += unmet
    for demand_total, unmet in zip(region_demand, region_unmet, strict=True):
        lower = 0
        for share, cost in zip(problem.tier_shares, problem.tier_costs, strict=True):
            upper = demand_total if share == 1.0 else min(demand_total, math.ceil(share * demand_total - 1e-9))
            total += max(0, min(unmet, upper) - lower) * cost
            lower = upper
    return total


def brute_force(problem: FlowProblem) -> int:
    ranges = [
        range(min(int(problem.demand_quantity[d]), int(problem.resource_capacity[r])) + 1)
        for d, r in zip(problem.arc_demand, problem.arc_resource, strict=True)
    ]
    best = None
    for flow in itertools.product(*ranges):
        served = np.bincount(problem.arc_demand, weights=flow, minlength=problem.demand_count)
        used = np.bincount(problem.arc_resource, weights=flow, minlength=problem.resource_count)
        if (served <= problem.demand_quantity).all() and (used <= problem.resource_capacity).all():
            value = objective_by_definition(problem, flow)
            best = value if best is None else min(best, value)
    assert best is not None
    return best


def linear_program(problem: FlowProblem) -> float:
    """Variables: x per arc, then u[g, t] the unmet units of region g in band t (bounded by the band's size)."""
    arcs, regions, tiers = problem.arc_cost.shape[0], problem.region_count, len(problem.tier_costs)
    region_demand = np.bincount(problem.demand_region, weights=problem.demand_quantity, minlength=regions)
    bands = []
    for total in region_demand:
        cumulative = [total if s == 1.0 else min(total, math.ceil(s * total - 1e-9)) for s in problem.tier_shares]
        bands.append(np.diff([0, *cumulative]))
    # unmet of d = q_d - sum x; its penalty p_d (q_d - sum x) = constant - p_d sum x
    cost = np.concatenate(
        [problem.arc_cost - problem.demand_penalty[problem.arc_demand], np.tile(problem.tier_costs, regions)]
    ).astype(float)
    constant = float((problem.demand_penalty * problem.demand_quantity).sum())
    rows, bounds = [], []
    for demand in range(problem.demand_count):
        rows.append(np.concatenate([(problem.arc_demand == demand).astype(float), np.zeros(regions * tiers)]))
        bounds.append(problem.demand_quantity[demand])
    for resource in range(problem.resource_count):
        rows.append(np.concatenate([(problem.arc_resource == resource).astype(float), np.zeros(regions * tiers)]))
        bounds.append(problem.resource_capacity[resource])
    equalities, right = [], []
    for region in range(regions):  # sum of bands = region demand - served in region
        row = np.zeros(arcs + regions * tiers)
        row[:arcs] = (problem.demand_region[problem.arc_demand] == region).astype(float)
        row[arcs + region * tiers : arcs + (region + 1) * tiers] = 1.0
        equalities.append(row)
        right.append(region_demand[region])
    variable_bounds = [(0, None)] * arcs + [(0, float(size)) for band in bands for size in band]
    answer = linprog(
        cost,
        A_ub=np.array(rows) if rows else None,
        b_ub=np.array(bounds) if rows else None,
        A_eq=np.array(equalities),
        b_eq=np.array(right),
        bounds=variable_bounds,
        method="highs",
    )
    assert answer.status == 0
    return answer.fun + constant


@settings(max_examples=50)
@given(flow_problems())
def test_optimum_equals_the_brute_force_optimum(problem):
    solution = solve_flow(problem)
    assert solution.objective == brute_force(problem)
    assert evaluate(problem, solution.arc_flow).total == solution.objective
    assert objective_by_definition(problem, solution.arc_flow) == solution.objective


@settings(max_examples=50)
@given(flow_problems(max_demands=7, max_resources=5, max_quantity=6))
def test_optimum_equals_the_linear_program(problem):
    solution = solve_flow(problem)
    assert abs(solution.objective - linear_program(problem)) < 1e-6


@settings(max_examples=50)
@given(flow_problems(max_demands=7, max_resources=5, max_quantity=6))
def test_no_capacity_or_quantity_is_exceeded(problem):
    solution = solve_flow(problem)
    used = np.bincount(problem.arc_resource, weights=solution.arc_flow, minlength=problem.resource_count)
    served = np.bincount(problem.arc_demand, weights=solution.arc_flow, minlength=problem.demand_count)
    assert (solution.arc_flow >= 0).all()
    assert (used <= problem.resource_capacity).all()
    assert (served + solution.unmet == problem.demand_quantity).all()


@settings(max_examples=40)
@given(flow_problems(max_demands=7, max_resources=5, max_quantity=6))
def test_pruning_decomposition_and_the_naive_build_agree(problem):
    reference = solve_flow(problem, prune=False, decompose=False).objective
    assert solve_flow(problem, prune=True, decompose=True, batch_nodes=1).objective == reference
    assert solve_flow_naive(problem) == reference


def test_an_arc_dearer_than_going_unmet_is_pruned_and_never_needed():
    problem = FlowProblem(
        demand_quantity=np.array([2]),
        demand_penalty=np.array([100]),
        demand_region=np.array([0]),
        resource_capacity=np.array([5, 5]),
        arc_demand=np.array([0, 0]),
        arc_resource=np.array([0, 1]),
        arc_cost=np.array([40, 160]),
        region_count=1,
        tier_shares=(0.5, 1.0),
        tier_costs=(0, 60),
    )
    assert prune_dominated_arcs(problem).tolist() == [True, False]  # 160 >= 100 + 60
    solution = solve_flow(problem)
    assert solution.pruned_arcs == 1
    assert solution.arc_flow.tolist() == [2, 0]


def test_fairness_bands_add_up_to_the_region_demand():
    capacities = tier_capacities(np.array([0, 1, 7, 10]), (0.1, 0.25, 0.5, 1.0))
    assert capacities.sum(axis=1).tolist() == [0, 1, 7, 10]
    assert capacities[3].tolist() == [1, 2, 2, 5]  # 10 %, 25 %, 50 % of 10 rounded up, then the rest


def test_components_are_solved_apart_and_counted():
    # two towns that share nothing: two components (and the isolated resource a third)
    problem = FlowProblem(
        demand_quantity=np.array([1, 1]),
        demand_penalty=np.array([100, 100]),
        demand_region=np.array([0, 1]),
        resource_capacity=np.array([1, 1, 1]),
        arc_demand=np.array([0, 1]),
        arc_resource=np.array([0, 1]),
        arc_cost=np.array([5, 7]),
        region_count=2,
    )
    solution = solve_flow(problem, batch_nodes=1)
    assert solution.components == 3
    assert solution.solves == 2  # the component without demand is skipped
    assert solution.objective == 12
