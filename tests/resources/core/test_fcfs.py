"""First-come-first-served: arrival order, nearest first, and never cheaper than the optimum."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import given, settings

from fuhe.resources.core.fcfs import fcfs_flow, first_come_first_served
from fuhe.resources.core.flow import evaluate, solve_flow
from fuhe.resources.core.matching import Priority, build_instance, match

from .builders import T0, demand, north, resource
from .strategies import flow_problems


def test_the_first_arrival_takes_the_nearest_resource_even_if_an_emergency_comes_later():
    demands = [
        demand("fire", priority=Priority.EMERGENCY, received_at=T0 + timedelta(minutes=5)),
        demand("bench", priority=Priority.IMPROVEMENT, received_at=T0),
    ]
    instance = build_instance(demands, [resource("truck")])
    fcfs = first_come_first_served(instance)
    assert [(m.demand_id, m.resource_id) for m in fcfs.matches] == [("bench", "truck")]
    assert [s.demand_id for s in fcfs.shortfalls] == ["fire"]
    optimum = match(demands, [resource("truck")])
    assert [m.demand_id for m in optimum.matches] == ["fire"]
    assert fcfs.cost.total > optimum.cost.total


def test_a_demand_takes_the_nearest_first_then_the_next():
    instance = build_instance(
        [demand("d", 3)], [resource("far", 5, place=north(9)), resource("near", 2, place=north(1))]
    )
    fcfs = first_come_first_served(instance)
    assert sorted((m.resource_id, m.quantity) for m in fcfs.matches) == [("far", 1), ("near", 2)]


def test_undated_demands_come_after_dated_ones():
    demands = [demand("undated"), demand("dated", received_at=T0)]
    fcfs = first_come_first_served(build_instance(demands, [resource("r")]))
    assert [m.demand_id for m in fcfs.matches] == ["dated"]


@settings(max_examples=60)
@given(flow_problems(max_demands=7, max_resources=5, max_quantity=6))
def test_fcfs_is_feasible_and_never_cheaper_than_the_optimum(problem):
    distance = problem.arc_cost.astype(float)
    flow = fcfs_flow(problem, distance, np.arange(problem.demand_count))
    used = np.bincount(problem.arc_resource, weights=flow, minlength=problem.resource_count)
    served = np.bincount(problem.arc_demand, weights=flow, minlength=problem.demand_count)
    assert (used <= problem.resource_capacity).all()
    assert (served <= problem.demand_quantity).all()
    assert evaluate(problem, flow).total >= solve_flow(problem).objective
