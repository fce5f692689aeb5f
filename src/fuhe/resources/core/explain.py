"""Explanations of a matching: why each pair, what the next best was and what it would have cost; why a demand
is (partly) unmet and which constraint binds.

Next best, exactly. Moving one unit of demand d from its match onto another candidate arc (d, r') — or to its
unmet arc — and re-optimising everything else changes the optimum by

    extra(r') = c(d, r') + dist(r' → d)

where dist is the cheapest path back to d in the *residual network* of the optimal flow (a unit that enters r'
must leave d's current match somewhere: the path pushes the displaced units along, e.g. r' → sink → r → d
through reverse arcs of negative cost). This is the classic sensitivity of min-cost flow: the optimum has no
negative cycle, so ``extra`` is never negative, and it is the exact cost of the one-unit re-solve (the
reduced cost of (d, r') under the dual potentials ``dist(· → d)``). Distances are found with a label-correcting
shortest path (SPFA) on the reversed residual network, once per explained demand.

Shortfalls. The funnel counts the resources that pass each check of ``matching.pair_check`` in turn (kind, skill,
region and priority conditions, window, distance); the first check that leaves none binds. When candidates exist,
either all of them are full (capacity binds: the demands holding them are listed, and whether any has a higher
priority) or serving costs more than leaving the unit unmet (cost binds).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from fuhe.resources.core.errors import ErrorCode, MatchingInputError
from fuhe.resources.core.flow import Network
from fuhe.resources.core.matching import Arc, MatchingResult, Priority, Reason, pair_check


class Binding(StrEnum):
    """The constraint that keeps a demand from being (fully) met."""

    KIND = Reason.KIND.value
    SKILL = Reason.SKILL.value
    REGION = Reason.REGION.value
    PRIORITY = Reason.PRIORITY.value
    WINDOW = Reason.WINDOW.value
    DISTANCE = Reason.DISTANCE.value
    NO_CANDIDATE = "no_candidate"  # pairs pass every check but the caller's arcs left the demand out
    CAPACITY = "capacity"  # every candidate resource is used up (by the demands listed in ``taken_by``)
    COST = "cost"  # a candidate has room, but serving costs more than leaving the unit unmet


@dataclass(frozen=True)
class Alternative:
    resource_id: str | None  # None: leaving the unit unmet
    arc: Arc | None
    extra_cost: float  # exact rise of the optimum, in cost points, if one unit went there instead


@dataclass(frozen=True)
class MatchExplanation:
    demand_id: str
    resource_id: str
    quantity: int
    arc: Arc  # its cost terms: travel, funds, preference
    rank: int  # 1 = the demand's cheapest candidate
    candidates: int
    next_best: Alternative | None


@dataclass(frozen=True)
class Holder:
    resource_id: str
    demand_id: str
    priority: Priority
    quantity: int


@dataclass(frozen=True)
class ShortfallExplanation:
    demand_id: str
    priority: Priority
    unmet: int
    binding: Binding
    funnel: tuple[tuple[Reason, int], ...]  # resources left after each check, in check order
    taken_by: tuple[Holder, ...]  # for CAPACITY: who holds the candidate resources
    is_taken_by_higher_priority: bool


@dataclass(frozen=True)
class Explanation:
    matches: tuple[MatchExplanation, ...]
    shortfalls: tuple[ShortfallExplanation, ...]


def _reverse_residual(network: Network) -> list[list[tuple[int, int]]]:
    """For each node y, the residual arcs x → y as (x, cost)."""
    incoming: list[list[tuple[int, int]]] = [[] for _ in range(network.node_count)]
    forward = network.flow < network.capacity
    backward = network.flow > 0
    for tail, head, cost in zip(
        network.tail[forward].tolist(), network.head[forward].tolist(), network.cost[forward].tolist(), strict=True
    ):
        incoming[head].append((tail, cost))
    for tail, head, cost in zip(
        network.tail[backward].tolist(), network.head[backward].tolist(), network.cost[backward].tolist(), strict=True
    ):
        incoming[tail].append((head, -cost))
    return incoming


def distances_to(incoming: list[list[tuple[int, int]]], target: int) -> dict[int, int]:
    """Cheapest residual path cost from every node that can reach ``target`` (SPFA; no negative cycle exists)."""
    distance = {target: 0}
    queue = deque([target])
    queued = {target}
    while queue:
        node = queue.popleft()
        queued.discard(node)
        base = distance[node]
        for previous, cost in incoming[node]:
            candidate = base + cost
            if candidate < distance.get(previous, candidate + 1):
                distance[previous] = candidate
                if previous not in queued:
                    queued.add(previous)
                    queue.append(previous)
    return distance


def _wanted(result: MatchingResult, demand_ids: Iterable[str] | None) -> list[int]:
    index_of = result.instance.demand_index()
    if demand_ids is None:
        return list(range(len(result.instance.demands)))
    requested = list(demand_ids)
    unknown = [identifier for identifier in requested if identifier not in index_of]
    if unknown:
        raise MatchingInputError(ErrorCode.UNKNOWN_DEMAND, "demand_id", unknown[0])
    return sorted(index_of[identifier] for identifier in requested)


def _next_best(result: MatchingResult, demand: int, own: list[int], distance: dict[int, int]) -> Alternative | None:
    """The alternative (another candidate, or leaving one unit unmet) whose forced use raises the optimum least."""
    instance = result.instance
    problem, scale = instance.problem, instance.weights.scale
    demands = problem.demand_count
    flow = result.solution.arc_flow
    alternatives = [
        Alternative(
            instance.arcs[arc].resource_id,
            instance.arcs[arc],
            (int(problem.arc_cost[arc]) + distance[demands + int(problem.arc_resource[arc])]) / scale,
        )
        for arc in own
        if flow[arc] == 0 and demands + int(problem.arc_resource[arc]) in distance
    ]
    region_node = demands + problem.resource_count + int(problem.demand_region[demand])
    if result.solution.unmet[demand] == 0 and region_node in distance:
        extra = int(problem.demand_penalty[demand]) + distance[region_node]
        alternatives.append(Alternative(None, None, extra / scale))
    return min(alternatives, key=lambda alternative: alternative.extra_cost, default=None)


def explain(result: MatchingResult, demand_ids: Iterable[str] | None = None) -> Explanation:
    """Explanations for the given demands (all by default)."""
    instance = result.instance
    problem = instance.problem
    arcs_of: dict[int, list[int]] = {}
    for arc_index, demand in enumerate(problem.arc_demand.tolist()):
        arcs_of.setdefault(demand, []).append(arc_index)
    flow = result.solution.arc_flow
    incoming: list[list[tuple[int, int]]] | None = None
    match_explanations: list[MatchExplanation] = []
    shortfall_explanations: list[ShortfallExplanation] = []
    for demand in _wanted(result, demand_ids):
        own = arcs_of.get(demand, [])
        served = [arc for arc in own if flow[arc] > 0]
        if served:
            incoming = incoming if incoming is not None else _reverse_residual(result.solution.network)
            next_best = _next_best(result, demand, own, distances_to(incoming, demand))
            ordered = sorted(own, key=lambda arc: (int(problem.arc_cost[arc]), arc))
            match_explanations.extend(
                MatchExplanation(
                    demand_id=instance.demands[demand].id,
                    resource_id=instance.arcs[arc].resource_id,
                    quantity=int(flow[arc]),
                    arc=instance.arcs[arc],
                    rank=ordered.index(arc) + 1,
                    candidates=len(own),
                    next_best=next_best,
                )
                for arc in served
            )
        unmet = int(result.solution.unmet[demand])
        if unmet > 0:
            shortfall_explanations.append(_shortfall(result, demand, own, unmet))
    return Explanation(matches=tuple(match_explanations), shortfalls=tuple(shortfall_explanations))


def _shortfall(result: MatchingResult, demand_index: int, own: list[int], unmet: int) -> ShortfallExplanation:
    instance = result.instance
    problem = instance.problem
    demand = instance.demands[demand_index]
    failed_at = [pair_check(demand, resource, instance.weights) for resource in instance.resources]
    order = list(Reason)
    funnel = tuple(
        (reason, sum(1 for failure in failed_at if failure is None or order.index(failure) > position))
        for position, reason in enumerate(order)
    )
    binding: Binding | None = next((Binding(reason.value) for reason, count in funnel if count == 0), None)
    holders: list[Holder] = []
    if binding is None and not own:
        binding = Binding.NO_CANDIDATE
    if binding is None:
        flow = result.solution.arc_flow
        used = np.bincount(problem.arc_resource, weights=flow, minlength=problem.resource_count)
        candidates = sorted({int(problem.arc_resource[arc]) for arc in own})
        if all(used[resource] >= problem.resource_capacity[resource] for resource in candidates):
            binding = Binding.CAPACITY
            for arc in np.flatnonzero(np.isin(problem.arc_resource, candidates) & (flow > 0)).tolist():
                holder = instance.demands[int(problem.arc_demand[arc])]
                if holder.id != demand.id:
                    holders.append(Holder(instance.arcs[arc].resource_id, holder.id, holder.priority, int(flow[arc])))
        else:
            binding = Binding.COST
    return ShortfallExplanation(
        demand_id=demand.id,
        priority=demand.priority,
        unmet=unmet,
        binding=binding,
        funnel=funnel,
        taken_by=tuple(holders),
        is_taken_by_higher_priority=any(holder.priority < demand.priority for holder in holders),
    )
