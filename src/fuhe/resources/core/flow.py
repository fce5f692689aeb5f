"""The array-level min-cost flow of the matching (OR-Tools ``SimpleMinCostFlow``), with fairness tiers.

The network (``docs/resources-matching.md`` draws it):

- every demand node supplies its quantity; one sink takes it all;
- demand → resource, one arc per candidate pair: capacity min(quantity, capacity), cost the pair's unit cost;
- resource → sink: capacity the resource's capacity, cost 0;
- demand → the unmet node of its region: capacity the quantity, cost the demand's unmet penalty (its priority);
- the unmet node of a region → sink: one arc per fairness tier, capacity the tier's share of the region's demand,
  cost the tier's cost. The tier costs increase, so the flow fills the cheap tiers first: the fairness penalty is a
  convex piecewise-linear function of the share of the region's demand left unmet, and the model stays a flow.

Every unit of demand has a path to the sink through its unmet node, so the solve is always feasible and each
shortfall is explicit. All costs are integers, so the optimum is exact (``SimpleMinCostFlow.OPTIMAL``).

Speed: arcs are added with one vectorised call per batch; the network is cut into its connected components
(a component never exchanges flow with another one, so solving each alone is exact), which are packed into
batches of about ``batch_nodes`` nodes; arcs no optimum needs are pruned (``prune_dominated_arcs``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

IntArray = npt.NDArray[np.int64]


class SolverError(RuntimeError):
    """OR-Tools did not report an optimum (a bug or an overflow, never bad input: input is validated first)."""


@dataclass(frozen=True)
class FlowProblem:
    """Demands, resources and candidate arcs as integer arrays (indices, not ids)."""

    demand_quantity: IntArray  # [D] units wanted
    demand_penalty: IntArray  # [D] cost of one unit left unmet (by priority)
    demand_region: IntArray  # [D] index of the demand's region in 0..region_count-1
    resource_capacity: IntArray  # [R] units a resource can give over the horizon
    arc_demand: IntArray  # [A] index of the demand of each candidate arc
    arc_resource: IntArray  # [A] index of its resource
    arc_cost: IntArray  # [A] cost of one unit sent along it (>= 0)
    region_count: int
    tier_shares: tuple[float, ...] = (1.0,)  # upper end of each band of the unmet share; increasing, last 1.0
    tier_costs: tuple[int, ...] = (0,)  # cost of one unmet unit inside each band; non-decreasing (convex)

    @property
    def demand_count(self) -> int:
        return int(self.demand_quantity.shape[0])

    @property
    def resource_count(self) -> int:
        return int(self.resource_capacity.shape[0])

    def region_demand(self) -> IntArray:
        return np.bincount(self.demand_region, weights=self.demand_quantity, minlength=self.region_count).astype(
            np.int64
        )


@dataclass(frozen=True)
class Network:
    """The whole flow network with global node numbers, kept for explanations (residual graph)."""

    tail: IntArray
    head: IntArray
    capacity: IntArray
    cost: IntArray
    flow: IntArray
    node_count: int  # demands, resources, regions, then the sink


@dataclass(frozen=True)
class FlowSolution:
    arc_flow: IntArray  # [A] units sent along each candidate arc
    unmet: IntArray  # [D] units of each demand left unmet
    objective: int  # the proven optimum of the integer objective
    components: int  # connected components the network fell into
    solves: int  # SimpleMinCostFlow solves (components packed into batches)
    pruned_arcs: int  # candidate arcs removed as dominated
    network: Network


@dataclass(frozen=True)
class CostBreakdown:
    arcs: int  # the sum over matched units of their arc cost (travel, funds, preference)
    unmet_penalty: int  # the sum over unmet units of their priority penalty
    fairness: int  # the sum over regions of the convex penalty on their unmet share
    total: int


def tier_capacities(region_demand: IntArray, tier_shares: tuple[float, ...]) -> IntArray:
    """[G, T] units of unmet demand each fairness band holds; the bands of a region add up to its demand."""
    shares = np.asarray(tier_shares, dtype=np.float64)
    cumulative = np.ceil(region_demand[:, None] * shares[None, :] - 1e-9).astype(np.int64)
    cumulative = np.minimum(cumulative, region_demand[:, None])
    cumulative[:, -1] = region_demand
    return np.diff(cumulative, axis=1, prepend=0)


def fairness_cost(region_unmet: IntArray, region_demand: IntArray, problem: FlowProblem) -> int:
    """The convex fairness penalty: each region's unmet units priced band by band, cheapest band first."""
    capacities = tier_capacities(region_demand, problem.tier_shares)
    cumulative_before = np.cumsum(capacities, axis=1) - capacities
    in_band = np.clip(region_unmet[:, None] - cumulative_before, 0, capacities)
    return int((in_band * np.asarray(problem.tier_costs, dtype=np.int64)[None, :]).sum())


def evaluate(problem: FlowProblem, arc_flow: IntArray) -> CostBreakdown:
    """The objective of any assignment (the optimum, first-come-first-served, a human's edit)."""
    served = np.bincount(problem.arc_demand, weights=arc_flow, minlength=problem.demand_count).astype(np.int64)
    unmet = problem.demand_quantity - served
    region_unmet = np.bincount(problem.demand_region, weights=unmet, minlength=problem.region_count).astype(np.int64)
    arcs = int((arc_flow * problem.arc_cost).sum())
    penalty = int((unmet * problem.demand_penalty).sum())
    fairness = fairness_cost(region_unmet, problem.region_demand(), problem)
    return CostBreakdown(arcs=arcs, unmet_penalty=penalty, fairness=fairness, total=arcs + penalty + fairness)


def prune_dominated_arcs(problem: FlowProblem) -> npt.NDArray[np.bool_]:
    """Which candidate arcs to keep: drop an arc whose cost is at least the demand's dearest way of going unmet.

    Proof that the optimum is kept: let arc (d, r) cost c >= p_d + t_max, where p_d is d's unmet penalty and t_max
    the dearest fairness band. Take an optimum that sends x > 0 units along (d, r) and move them to d's unmet arc.
    The region of d has unmet at most (its demand - x) before the move, so its bands have room for the x units,
    each at a cost <= t_max; the change of cost is at most x (p_d + t_max - c) <= 0, and freeing capacity at r
    cannot break a constraint. So an optimum without the arc exists and the optimal value is unchanged.
    """
    worst_unmet = problem.demand_penalty[problem.arc_demand] + max(problem.tier_costs)
    return problem.arc_cost < worst_unmet


def _network(problem: FlowProblem, keep: npt.NDArray[np.bool_]) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    demands, resources, regions = problem.demand_count, problem.resource_count, problem.region_count
    sink = demands + resources + regions
    region_demand = problem.region_demand()
    tiers = tier_capacities(region_demand, problem.tier_shares)
    tier_count = tiers.shape[1]
    demand_index = np.arange(demands, dtype=np.int64)
    resource_index = np.arange(resources, dtype=np.int64)
    region_nodes = np.repeat(np.arange(regions, dtype=np.int64) + demands + resources, tier_count)
    arc_capacity = np.minimum(
        problem.demand_quantity[problem.arc_demand], problem.resource_capacity[problem.arc_resource]
    )
    arc_capacity = np.where(keep, arc_capacity, 0)
    tail = np.concatenate([problem.arc_demand, demand_index, resource_index + demands, region_nodes])
    head = np.concatenate(
        [
            problem.arc_resource + demands,
            problem.demand_region + demands + resources,
            np.full(resources, sink, dtype=np.int64),
            np.full(regions * tier_count, sink, dtype=np.int64),
        ]
    )
    capacity = np.concatenate([arc_capacity, problem.demand_quantity, problem.resource_capacity, tiers.reshape(-1)])
    cost = np.concatenate(
        [
            problem.arc_cost,
            problem.demand_penalty,
            np.zeros(resources, dtype=np.int64),
            np.tile(np.asarray(problem.tier_costs, dtype=np.int64), regions),
        ]
    )
    return tail.astype(np.int64), head.astype(np.int64), capacity.astype(np.int64), cost.astype(np.int64)


def _batches(labels: IntArray, count: int, batch_nodes: int) -> IntArray:
    """Pack components into batches of about ``batch_nodes`` nodes (a batch of disjoint components is exact)."""
    sizes = np.bincount(labels, minlength=count)
    batch_of_component = np.zeros(count, dtype=np.int64)
    filled, batch = 0, 0
    for component, size in enumerate(sizes.tolist()):
        if filled and filled + size > batch_nodes:
            batch, filled = batch + 1, 0
        batch_of_component[component] = batch
        filled += size
    return batch_of_component[labels]


def _batch_of_nodes(
    tail: IntArray, head: IntArray, capacity: IntArray, sink: int, decompose: bool, batch_nodes: int
) -> tuple[int, IntArray]:
    """The connected components of the network without its sink, and the batch each node is solved in."""
    if sink == 0:  # nothing at all: no demand, no resource
        return 0, np.zeros(0, dtype=np.int64)
    if not decompose:
        return 1, np.zeros(sink, dtype=np.int64)
    inner = (head != sink) & (capacity > 0)
    graph = coo_matrix(
        (np.ones(int(inner.sum()), dtype=np.int8), (tail[inner], head[inner])), shape=(sink, sink)
    ).tocsr()
    component_count, labels = connected_components(graph, directed=False)
    return int(component_count), _batches(labels.astype(np.int64), component_count, batch_nodes)


def _solve_one(
    tail: IntArray, head: IntArray, capacity: IntArray, cost: IntArray, supply: IntArray
) -> tuple[IntArray, int]:
    """One OR-Tools solve over local node numbers (the last node is the sink); the flows and the proven optimum."""
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tail, head, capacity, cost)
    solver.set_nodes_supplies(np.arange(supply.shape[0], dtype=np.int64), supply)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise SolverError(f"min-cost flow ended with status {status}")
    return solver.flows(np.arange(tail.shape[0], dtype=np.int64)), int(solver.optimal_cost())


def solve_flow(
    problem: FlowProblem, *, prune: bool = True, decompose: bool = True, batch_nodes: int = 50_000
) -> FlowSolution:
    """Solve the matching to proven optimality; see the module docstring for the network and the speed-ups."""
    demands = problem.demand_count
    keep = prune_dominated_arcs(problem) if prune else np.ones(problem.arc_cost.shape[0], dtype=bool)
    tail, head, capacity, cost = _network(problem, keep)
    sink = demands + problem.resource_count + problem.region_count
    supply = np.zeros(sink + 1, dtype=np.int64)
    supply[:demands] = problem.demand_quantity
    component_count, batch = _batch_of_nodes(tail, head, capacity, sink, decompose, batch_nodes)
    batch_count = int(batch.max()) + 1 if sink else 0
    # nodes and arcs grouped by batch; ``local`` numbers the nodes inside their batch
    node_order = np.argsort(batch, kind="stable")
    node_bounds = np.searchsorted(batch[node_order], np.arange(batch_count + 1))
    local = np.empty(sink, dtype=np.int64)
    local[node_order] = np.arange(sink) - node_bounds[batch[node_order]]
    useful = np.flatnonzero(capacity > 0)
    arc_batch = batch[tail[useful]]
    arc_order = useful[np.argsort(arc_batch, kind="stable")]
    arc_bounds = np.searchsorted(np.sort(arc_batch, kind="stable"), np.arange(batch_count + 1))
    flow = np.zeros(tail.shape[0], dtype=np.int64)
    objective = solves = 0
    for index in range(batch_count):
        nodes = node_order[node_bounds[index] : node_bounds[index + 1]]
        if not supply[nodes].any():
            continue
        arcs = arc_order[arc_bounds[index] : arc_bounds[index + 1]]
        local_sink = nodes.shape[0]
        local_head = np.where(head[arcs] == sink, local_sink, local[np.minimum(head[arcs], sink - 1)])
        local_supply = np.append(supply[nodes], -int(supply[nodes].sum()))
        flow[arcs], batch_cost = _solve_one(local[tail[arcs]], local_head, capacity[arcs], cost[arcs], local_supply)
        objective += batch_cost
        solves += 1
    candidate_count = problem.arc_cost.shape[0]
    return FlowSolution(
        arc_flow=flow[:candidate_count],
        unmet=flow[candidate_count : candidate_count + demands],
        objective=objective,
        components=component_count,
        solves=solves,
        pruned_arcs=int((~keep).sum()),
        network=Network(tail=tail, head=head, capacity=capacity, cost=cost, flow=flow, node_count=sink + 1),
    )


def solve_flow_naive(problem: FlowProblem) -> int:
    """The same network built the plain way (one ``add_arc_with_capacity_and_unit_cost`` call per arc, one solve):
    the baseline of ``bench/bench_matching.py``. Returns the optimal cost."""
    keep = np.ones(problem.arc_cost.shape[0], dtype=bool)
    tail, head, capacity, cost = _network(problem, keep)
    sink = problem.demand_count + problem.resource_count + problem.region_count
    solver = min_cost_flow.SimpleMinCostFlow()
    for arc_tail, arc_head, arc_capacity, arc_cost in zip(
        tail.tolist(), head.tolist(), capacity.tolist(), cost.tolist(), strict=True
    ):
        solver.add_arc_with_capacity_and_unit_cost(arc_tail, arc_head, arc_capacity, arc_cost)
    for node, quantity in enumerate(problem.demand_quantity.tolist()):
        solver.set_node_supply(node, quantity)
    solver.set_node_supply(sink, -int(problem.demand_quantity.sum()))
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise SolverError(f"min-cost flow ended with status {status}")
    return int(solver.optimal_cost())
