"""Explanations: the next best alternative's extra cost equals a forced re-solve; every shortfall names the
constraint that binds."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from ortools.graph.python import min_cost_flow

from fuhe.resources.core.errors import ErrorCode, MatchingInputError
from fuhe.resources.core.explain import Binding, explain
from fuhe.resources.core.flow import FlowProblem, _network
from fuhe.resources.core.matching import (
    Instance,
    MatchingResult,
    Priority,
    Reason,
    Weights,
    Window,
    match,
    pair_check,
    solve_instance,
)

from .builders import T0, demand, north, resource
from .strategies import flow_problems, instances

BIG = 10**7


def forced_optimum(problem: FlowProblem, tail: int, head: int, cost: int) -> int | None:
    """The optimum when at least one unit must take the arc tail → head: a parallel arc of capacity 1 whose cost is
    lowered by BIG is always taken if any flow can use it."""
    tails, heads, capacities, costs = _network(problem, np.ones(problem.arc_cost.shape[0], dtype=bool))
    sink = problem.demand_count + problem.resource_count + problem.region_count
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        np.append(tails, tail), np.append(heads, head), np.append(capacities, 1), np.append(costs, cost - BIG)
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[: problem.demand_count] = problem.demand_quantity
    supplies[sink] = -int(problem.demand_quantity.sum())
    solver.set_nodes_supplies(np.arange(sink + 1), supplies)
    assert solver.solve() == solver.OPTIMAL
    if solver.flow(tails.shape[0]) == 0:
        return None
    return int(solver.optimal_cost()) + BIG


def result_of(problem: FlowProblem) -> MatchingResult:
    """A MatchingResult around an array-level problem (ids are the indices)."""
    from fuhe.resources.core.matching import Arc  # noqa: PLC0415

    arcs = tuple(
        Arc(str(d), f"r{r}", 0.0, T0, float(c), 0.0, 0.0)
        for d, r, c in zip(problem.arc_demand, problem.arc_resource, problem.arc_cost, strict=True)
    )
    demands = tuple(demand(str(d), int(q)) for d, q in enumerate(problem.demand_quantity))
    resources = tuple(resource(f"r{r}", int(c)) for r, c in enumerate(problem.resource_capacity))
    instance = Instance(demands, resources, arcs, Weights(scale=1), ("A",), problem, np.zeros(len(arcs)))
    return solve_instance(instance)


@settings(max_examples=60)
@given(flow_problems(max_demands=5, max_resources=4, max_quantity=4))
def test_next_best_extra_cost_equals_the_forced_re_solve(problem):
    result = result_of(problem)
    demands, resources = problem.demand_count, problem.resource_count
    for explanation in explain(result).matches:
        d = int(explanation.demand_id)
        best = None
        served = {m.resource_id for m in result.matches if m.demand_id == explanation.demand_id}
        for arc in np.flatnonzero(problem.arc_demand == d).tolist():
            if f"r{problem.arc_resource[arc]}" in served:
                continue
            forced = forced_optimum(problem, d, demands + int(problem.arc_resource[arc]), int(problem.arc_cost[arc]))
            if forced is not None:
                best = forced if best is None else min(best, forced)
        if result.solution.unmet[d] == 0:
            region = demands + resources + int(problem.demand_region[d])
            forced = forced_optimum(problem, d, region, int(problem.demand_penalty[d]))
            if forced is not None:
                best = forced if best is None else min(best, forced)
        if best is None:
            assert explanation.next_best is None
        else:
            assert explanation.next_best is not None
            assert explanation.next_best.extra_cost == best - result.solution.objective
            assert explanation.next_best.extra_cost >= 0


def test_a_match_names_its_terms_rank_and_the_next_best_with_the_chain_it_triggers():
    # r1 (1 unit) lies between d1 (1 km) and d2 (1 km); r2 is 10 km from d1 and 8 km from d2:
    # d1 → r1 and d2 → r2 cost 9, the other way round 11
    demands = [demand("d1"), demand("d2", place=north(2))]
    resources = [resource("r1", place=north(1)), resource("r2", place=north(10))]
    result = match(demands, resources)
    explanation = {m.demand_id: m for m in explain(result).matches}
    first, second = explanation["d1"], explanation["d2"]
    assert (first.resource_id, first.rank, first.candidates) == ("r1", 1, 2)
    assert (second.resource_id, second.rank, second.candidates) == ("r2", 2, 2)
    assert abs(first.arc.travel - 1.0) < 0.01
    # d1 to r2 alone would add 9 km, but d2 then moves to r1: the optimum rises by 11 - 9 = 2 only
    assert first.next_best.resource_id == "r2"
    assert first.next_best.extra_cost == 2.0
    assert second.next_best.resource_id == "r1"
    assert second.next_best.extra_cost == 2.0


def test_leaving_unmet_is_the_next_best_when_there_is_no_other_resource():
    result = match([demand("d", priority=Priority.IMPROVEMENT)], [resource("r", place=north(3))])
    [explanation] = explain(result).matches
    assert explanation.next_best.resource_id is None
    # the unmet penalty of an improvement, plus its region's band (100 % unmet: dearest band), minus the trip
    weights = Weights()
    expected = weights.unmet_improvement + weights.fairness_tiers[0][1] - explanation.arc.cost
    assert abs(explanation.next_best.extra_cost - expected) < 0.02


def binding_of(demands, resources, demand_id="d", weights=None):
    result = match(demands, resources, weights)
    shortfalls = {s.demand_id: s for s in explain(result).shortfalls}
    return shortfalls[demand_id]


def test_each_missing_condition_is_named_as_binding():
    far_night = (Window(T0 + timedelta(days=3), T0 + timedelta(days=4)),)
    cases = [
        ([resource("room", kind="room")], Binding.KIND),
        ([resource("r", skills=frozenset({"水管"}))], Binding.SKILL),
        ([resource("r", allowed_regions=frozenset({"小白楼街道"}))], Binding.REGION),
        ([resource("r", allowed_priorities=frozenset({Priority.EMERGENCY}))], Binding.PRIORITY),
        ([resource("r", windows=far_night)], Binding.WINDOW),
        ([resource("r", place=north(40))], Binding.DISTANCE),
    ]
    for resources, binding in cases:
        explanation = binding_of([demand("d", skill="电工" if binding is Binding.SKILL else None)], resources)
        assert explanation.binding is binding, binding
        assert explanation.unmet == 1


def test_the_funnel_counts_resources_left_after_each_check():
    resources = [
        resource("room", kind="room"),
        resource("night", windows=(Window(T0 + timedelta(days=3), T0 + timedelta(days=4)),)),
        resource("far", place=north(40)),
    ]
    explanation = binding_of([demand("d")], resources)
    assert dict(explanation.funnel) == {
        Reason.KIND: 2,
        Reason.SKILL: 2,
        Reason.REGION: 2,
        Reason.PRIORITY: 2,
        Reason.WINDOW: 1,
        Reason.DISTANCE: 0,
    }
    assert explanation.binding is Binding.DISTANCE


def test_capacity_taken_by_a_higher_priority_demand_is_named():
    demands = [demand("d", priority=Priority.IMPROVEMENT), demand("fire", priority=Priority.EMERGENCY)]
    explanation = binding_of(demands, [resource("truck")])
    assert explanation.binding is Binding.CAPACITY
    assert [(h.resource_id, h.demand_id, h.priority) for h in explanation.taken_by] == [
        ("truck", "fire", Priority.EMERGENCY)
    ]
    assert explanation.is_taken_by_higher_priority


def test_serving_dearer_than_leaving_unmet_names_cost():
    weights = Weights(unmet_improvement=1.0, fairness_tiers=((1.0, 0.0),))
    explanation = binding_of(
        [demand("d", priority=Priority.IMPROVEMENT)], [resource("r", place=north(5))], weights=weights
    )
    assert explanation.binding is Binding.COST


def test_an_arc_list_that_leaves_the_demand_out_is_named():
    result = match([demand("d")], [resource("r")], arcs=[])
    [explanation] = explain(result).shortfalls
    assert explanation.binding is Binding.NO_CANDIDATE


def test_explaining_only_some_demands_and_an_unknown_one():
    result = match([demand("a"), demand("b", kind="room")], [resource("r")])
    explanation = explain(result, ["b"])
    assert explanation.matches == ()
    assert [s.demand_id for s in explanation.shortfalls] == ["b"]
    with pytest.raises(MatchingInputError) as raised:
        explain(result, ["nobody"])
    assert (raised.value.code, raised.value.field, raised.value.item) == (
        ErrorCode.UNKNOWN_DEMAND,
        "demand_id",
        "nobody",
    )


@settings(max_examples=60)
@given(instances())
def test_every_shortfall_names_a_constraint_that_really_binds(instance):
    demands, resources = instance
    result = match(demands, resources)
    explanation = explain(result)
    unmet = {s.demand_id: s.quantity for s in result.shortfalls}
    assert {s.demand_id: s.unmet for s in explanation.shortfalls} == unmet
    used: dict[str, int] = {}
    for matched in result.matches:
        used[matched.resource_id] = used.get(matched.resource_id, 0) + matched.quantity
    by_id = {r.id: r for r in resources}
    for shortfall in explanation.shortfalls:
        need = next(d for d in demands if d.id == shortfall.demand_id)
        fitting = [r for r in resources if pair_check(need, r, Weights()) is None]
        if shortfall.binding is Binding.CAPACITY:
            assert fitting
            assert all(used.get(r.id, 0) == r.capacity for r in fitting)
            assert all(holder.resource_id in {r.id for r in fitting} for holder in shortfall.taken_by)
        elif shortfall.binding is Binding.COST:
            assert any(used.get(r.id, 0) < by_id[r.id].capacity for r in fitting)
        else:
            assert not fitting
            reasons = [pair_check(need, r, Weights()) for r in resources]
            stage = list(Reason).index(Reason(shortfall.binding.value))
            assert all(list(Reason).index(reason) <= stage for reason in reasons)
            assert any(reason is Reason(shortfall.binding.value) for reason in reasons) or not resources
