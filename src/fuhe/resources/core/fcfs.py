"""First-come-first-served: what a dispatcher taking demands in arrival order would do, costed the same way.

Each demand in arrival order (``received_at``; undated ones after the dated, then by their order in the input)
takes units from its nearest candidate resource with capacity left, then the next nearest, until it is served or
its candidates are exhausted. The same candidate arcs are used as by the optimum, so the two differ only by the
rule, and the cost is ``flow.evaluate`` under the same weights: FCFS can never be cheaper than the optimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fuhe.resources.core.flow import FlowProblem, IntArray
from fuhe.resources.core.matching import Cost, Instance, Match, Shortfall, assignment


@dataclass(frozen=True)
class FcfsResult:
    arc_flow: IntArray
    matches: tuple[Match, ...]
    shortfalls: tuple[Shortfall, ...]
    cost: Cost


def fcfs_flow(problem: FlowProblem, arc_distance: npt.NDArray[np.float64], order: IntArray) -> IntArray:
    """The FCFS flow on the candidate arcs: demands in ``order``, each from its nearest resources first."""
    arcs = np.lexsort((problem.arc_resource, problem.arc_cost, arc_distance, problem.arc_demand))
    bounds = np.searchsorted(problem.arc_demand[arcs], np.arange(problem.demand_count + 1))
    left = problem.resource_capacity.astype(np.int64).tolist()
    arc_resource = problem.arc_resource.tolist()
    quantity = problem.demand_quantity.tolist()
    sorted_arcs = arcs.tolist()
    bound = bounds.tolist()
    flow = [0] * len(arc_resource)
    for demand in order.tolist():
        wanted = quantity[demand]
        for arc in sorted_arcs[bound[demand] : bound[demand + 1]]:
            if not wanted:
                break
            resource = arc_resource[arc]
            taken = min(wanted, left[resource])
            if taken:
                flow[arc] = taken
                left[resource] -= taken
                wanted -= taken
    return np.asarray(flow, dtype=np.int64)


def arrival_order(instance: Instance) -> IntArray:
    """Demand indices in arrival order: dated ones by ``received_at``, then undated ones, input order on ties."""

    def key(index: int) -> tuple[bool, float, int]:
        received = instance.demands[index].received_at
        return (received is None, received.timestamp() if received is not None else 0.0, index)

    return np.asarray(sorted(range(len(instance.demands)), key=key), dtype=np.int64)


def first_come_first_served(instance: Instance) -> FcfsResult:
    flow = fcfs_flow(instance.problem, instance.arc_distance, arrival_order(instance))
    matches, shortfalls, cost = assignment(instance, flow)
    return FcfsResult(arc_flow=flow, matches=matches, shortfalls=shortfalls, cost=cost)
