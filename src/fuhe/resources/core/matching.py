"""The matching model: demands, resources, weights, candidate arcs and the optimal solve.

A demand wants ``quantity`` units of a ``kind`` (and, if given, a ``skill``) at a place, inside a time window,
for ``duration``. A resource offers ``capacity`` units of its kind over the planning horizon (a stockpile's
quantity, a room's bookable sessions, a team's person-shifts), inside availability windows, under its owner's
conditions. A *candidate arc* is a pair that may be matched; every unit sent along it costs (in cost points)

    travel      per_km × distance + per_minute × distance / speed_kmh × 60     (haversine distance, km)
    funds       per_yuan × the resource's cost per unit (a fund or grant line, a paid service)
    preference  outside_preference, when the owner names preferred regions and the demand is outside them

and every unit left unmet costs the penalty of its priority class plus the fairness band it falls in (the
convex penalty on the share of its region's demand left unmet; ``flow.py``). ``match`` minimises the sum, exactly,
with OR-Tools min-cost flow. ``docs/resources-matching.md`` gives the defaults and the reasons for them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

import numpy as np

from fuhe.resources.core.errors import ErrorCode, MatchingInputError
from fuhe.resources.core.flow import CostBreakdown, FlowProblem, FlowSolution, evaluate, solve_flow

EARTH_RADIUS_KM = 6371.0088


class Priority(IntEnum):
    """Priority classes, most urgent first (emergency response before livelihood before improvement)."""

    EMERGENCY = 0
    BASIC_LIVELIHOOD = 1
    IMPROVEMENT = 2


class Reason(StrEnum):
    """Why a pair is not a candidate arc, in the order the checks run (the funnel of ``explain``)."""

    KIND = "kind"  # the resource is of another kind
    SKILL = "skill"  # the demand needs a skill the resource does not have
    REGION = "region"  # the owner's conditions exclude the demand's region
    PRIORITY = "priority"  # the owner's conditions exclude the demand's priority class
    WINDOW = "window"  # no availability window fits the demand's window and duration
    DISTANCE = "distance"  # farther than the maximum distance (or the resource's service radius)


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Demand:
    id: str
    priority: Priority
    quantity: int
    window: Window
    place: Place
    kind: str
    region: str
    skill: str | None = None
    duration: timedelta = timedelta(0)  # how long the resource is needed inside the window (0: a delivery)
    received_at: datetime | None = None  # arrival order for first-come-first-served (None: after the dated ones)


@dataclass(frozen=True)
class Resource:
    id: str
    owner: str
    kind: str
    capacity: int
    place: Place
    windows: tuple[Window, ...]
    skills: frozenset[str] = frozenset()
    allowed_regions: frozenset[str] | None = None  # condition of use: None = any region
    allowed_priorities: frozenset[Priority] | None = None  # condition of use: None = any class
    unit_cost: float = 0.0  # cost of funds per unit (yuan), for funds and paid services
    preferred_regions: frozenset[str] = frozenset()  # the owner's preference; empty = no preference
    service_radius_km: float | None = None  # the owner's own limit, under the global maximum


@dataclass(frozen=True)
class Weights:
    """The weights of the objective, in cost points per unit (``docs/resources-matching.md``)."""

    per_km: float = 1.0
    per_minute: float = 0.0
    speed_kmh: float = 30.0
    per_yuan: float = 0.1
    outside_preference: float = 5.0
    unmet_emergency: float = 10_000.0
    unmet_basic_livelihood: float = 1_000.0
    unmet_improvement: float = 100.0
    # (upper end of the band of a region's unmet share, cost of each unmet unit inside the band); convex
    fairness_tiers: tuple[tuple[float, float], ...] = ((0.1, 0.0), (0.25, 20.0), (0.5, 60.0), (1.0, 150.0))
    max_distance_km: float = 30.0
    scale: int = 100  # cost points are rounded to 1/scale: the integer objective the solver proves optimal

    def unmet_penalty(self, priority: Priority) -> float:
        return (self.unmet_emergency, self.unmet_basic_livelihood, self.unmet_improvement)[priority]


@dataclass(frozen=True)
class Arc:
    """A candidate pair and the terms of its unit cost (cost points)."""

    demand_id: str
    resource_id: str
    distance_km: float
    start: datetime  # the earliest start inside both windows
    travel: float
    funds: float
    preference: float

    @property
    def cost(self) -> float:
        return self.travel + self.funds + self.preference


@dataclass(frozen=True)
class Match:
    demand_id: str
    resource_id: str
    quantity: int
    arc: Arc


@dataclass(frozen=True)
class Shortfall:
    demand_id: str
    priority: Priority
    quantity: int  # units left unmet


@dataclass(frozen=True)
class Cost:
    """An objective in cost points, split by term."""

    arcs: float
    unmet_penalty: float
    fairness: float
    total: float

    @classmethod
    def from_breakdown(cls, breakdown: CostBreakdown, scale: int) -> Cost:
        return cls(
            arcs=breakdown.arcs / scale,
            unmet_penalty=breakdown.unmet_penalty / scale,
            fairness=breakdown.fairness / scale,
            total=breakdown.total / scale,
        )


@dataclass(frozen=True)
class Instance:
    """Validated input and its arrays; built once by ``build_instance``, used by the solve, explain and FCFS."""

    demands: tuple[Demand, ...]
    resources: tuple[Resource, ...]
    arcs: tuple[Arc, ...]
    weights: Weights
    regions: tuple[str, ...]
    problem: FlowProblem
    arc_distance: np.ndarray = field(repr=False)

    def demand_index(self) -> dict[str, int]:
        return {demand.id: index for index, demand in enumerate(self.demands)}

    def resource_index(self) -> dict[str, int]:
        return {resource.id: index for index, resource in enumerate(self.resources)}


@dataclass(frozen=True)
class MatchingResult:
    instance: Instance
    solution: FlowSolution
    matches: tuple[Match, ...]
    shortfalls: tuple[Shortfall, ...]
    cost: Cost


def haversine_km(a: Place, b: Place) -> float:
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def fitting_start(demand: Demand, resource: Resource) -> datetime | None:
    """The earliest start at which the resource is available for the demand's whole duration, inside its window."""
    starts = []
    for window in resource.windows:
        start, end = max(window.start, demand.window.start), min(window.end, demand.window.end)
        if start + demand.duration <= end:
            starts.append(start)
    return min(starts) if starts else None


def pair_check(demand: Demand, resource: Resource, weights: Weights) -> Reason | None:
    """The first check the pair fails (in ``Reason`` order), or None when it is a candidate arc."""
    if resource.kind != demand.kind:
        return Reason.KIND
    if demand.skill is not None and demand.skill not in resource.skills:
        return Reason.SKILL
    if resource.allowed_regions is not None and demand.region not in resource.allowed_regions:
        return Reason.REGION
    if resource.allowed_priorities is not None and demand.priority not in resource.allowed_priorities:
        return Reason.PRIORITY
    if fitting_start(demand, resource) is None:
        return Reason.WINDOW
    if haversine_km(demand.place, resource.place) > _radius(resource, weights):
        return Reason.DISTANCE
    return None


def _radius(resource: Resource, weights: Weights) -> float:
    if resource.service_radius_km is None:
        return weights.max_distance_km
    return min(resource.service_radius_km, weights.max_distance_km)


def make_arc(demand: Demand, resource: Resource, weights: Weights) -> Arc:
    """The arc of a pair with its cost terms (meant for pairs that pass ``pair_check``; a pair given by hand
    whose windows do not fit starts at the demand's window start)."""
    distance = haversine_km(demand.place, resource.place)
    start = fitting_start(demand, resource) or demand.window.start
    travel = weights.per_km * distance + weights.per_minute * distance / weights.speed_kmh * 60
    outside = bool(resource.preferred_regions) and demand.region not in resource.preferred_regions
    return Arc(
        demand_id=demand.id,
        resource_id=resource.id,
        distance_km=distance,
        start=start,
        travel=travel,
        funds=weights.per_yuan * resource.unit_cost,
        preference=weights.outside_preference if outside else 0.0,
    )


def candidate_arcs(demands: Sequence[Demand], resources: Sequence[Resource], weights: Weights) -> list[Arc]:
    """Every feasible pair: kind and skill fit, conditions hold, a window fits, within the distance.

    Resources are bucketed by kind and by a grid of cells at least ``max_distance_km`` wide (longitude cells sized
    at the highest latitude present, where a degree is shortest), so a demand checks only the 3 × 3 cells around
    its own; pairs farther apart than a cell fail the distance check anyway. (Pairs across the ±180° meridian are
    not found: no region of the platform straddles it.)
    """
    reach = max(weights.max_distance_km, 1e-3)
    lat_cell = reach / (math.pi * EARTH_RADIUS_KM / 180)
    places = [demand.place for demand in demands] + [resource.place for resource in resources]
    widest = max((abs(place.lat) for place in places), default=0.0)
    lon_cell = lat_cell / max(math.cos(math.radians(min(widest, 89.9))), 1e-3)

    def cell(place: Place) -> tuple[int, int]:
        return math.floor(place.lat / lat_cell), math.floor(place.lon / lon_cell)

    buckets: dict[tuple[str, int, int], list[Resource]] = {}
    for resource in resources:
        buckets.setdefault((resource.kind, *cell(resource.place)), []).append(resource)
    arcs = []
    for demand in demands:
        row, column = cell(demand.place)
        for lat_step in (-1, 0, 1):
            for lon_step in (-1, 0, 1):
                for resource in buckets.get((demand.kind, row + lat_step, column + lon_step), ()):
                    if pair_check(demand, resource, weights) is None:
                        arcs.append(make_arc(demand, resource, weights))
    return arcs


def _check_place(place: Place, item: str) -> None:
    if not (
        isinstance(place.lat, int | float)
        and isinstance(place.lon, int | float)
        and -90 <= place.lat <= 90
        and -180 <= place.lon <= 180
    ):
        raise MatchingInputError(ErrorCode.INVALID_COORDINATES, "place", item)


def _check_window(window: Window, item: str, name: str) -> None:
    if window.end < window.start:
        raise MatchingInputError(ErrorCode.WINDOW_REVERSED, name, item)


def validate_weights(weights: Weights) -> None:
    for name in ("per_km", "per_minute", "per_yuan", "outside_preference", "max_distance_km"):
        if getattr(weights, name) < 0:
            raise MatchingInputError(ErrorCode.NEGATIVE_COST, name)
    penalties = (weights.unmet_emergency, weights.unmet_basic_livelihood, weights.unmet_improvement)
    if min(penalties) < 0 or list(penalties) != sorted(penalties, reverse=True):
        raise MatchingInputError(ErrorCode.INVALID_WEIGHT, "unmet_penalty", detail="emergency >= basic >= improvement")
    if weights.speed_kmh <= 0:
        raise MatchingInputError(ErrorCode.INVALID_WEIGHT, "speed_kmh")
    if weights.scale < 1:
        raise MatchingInputError(ErrorCode.INVALID_WEIGHT, "scale")
    shares = [share for share, _ in weights.fairness_tiers]
    costs = [cost for _, cost in weights.fairness_tiers]
    if (
        not shares
        or shares[-1] != 1.0
        or any(b <= a for a, b in zip(shares, shares[1:], strict=False))
        or shares[0] <= 0
        or min(costs) < 0
        or any(b < a for a, b in zip(costs, costs[1:], strict=False))
    ):
        raise MatchingInputError(ErrorCode.INVALID_WEIGHT, "fairness_tiers", detail="increasing shares up to 1, convex")


def validate(demands: Sequence[Demand], resources: Sequence[Resource], weights: Weights) -> None:
    """Raise ``MatchingInputError`` (code, field, record) for the first bad value."""
    validate_weights(weights)
    seen: set[str] = set()
    for demand in demands:
        if demand.id in seen:
            raise MatchingInputError(ErrorCode.DUPLICATE_ID, "id", demand.id)
        seen.add(demand.id)
        if demand.quantity < 0:
            raise MatchingInputError(ErrorCode.NEGATIVE_QUANTITY, "quantity", demand.id)
        if demand.duration < timedelta(0):
            raise MatchingInputError(ErrorCode.NEGATIVE_DURATION, "duration", demand.id)
        _check_window(demand.window, demand.id, "window")
        _check_place(demand.place, demand.id)
    seen = set()
    for resource in resources:
        if resource.id in seen:
            raise MatchingInputError(ErrorCode.DUPLICATE_ID, "id", resource.id)
        seen.add(resource.id)
        if resource.capacity < 0:
            raise MatchingInputError(ErrorCode.NEGATIVE_CAPACITY, "capacity", resource.id)
        if resource.unit_cost < 0:
            raise MatchingInputError(ErrorCode.NEGATIVE_COST, "unit_cost", resource.id)
        for window in resource.windows:
            _check_window(window, resource.id, "windows")
        _check_place(resource.place, resource.id)


def build_instance(
    demands: Sequence[Demand],
    resources: Sequence[Resource],
    weights: Weights | None = None,
    arcs: Iterable[Arc] | None = None,
) -> Instance:
    """Validate and turn into arrays. ``arcs`` defaults to ``candidate_arcs``; given arcs are checked for ids."""
    weights = weights or Weights()
    validate(demands, resources, weights)
    arc_list = candidate_arcs(demands, resources, weights) if arcs is None else list(arcs)
    demand_index = {demand.id: index for index, demand in enumerate(demands)}
    resource_index = {resource.id: index for index, resource in enumerate(resources)}
    for arc in arc_list:
        if arc.demand_id not in demand_index:
            raise MatchingInputError(ErrorCode.UNKNOWN_DEMAND, "demand_id", arc.demand_id)
        if arc.resource_id not in resource_index:
            raise MatchingInputError(ErrorCode.UNKNOWN_RESOURCE, "resource_id", arc.resource_id)
        if min(arc.travel, arc.funds, arc.preference) < 0:
            raise MatchingInputError(ErrorCode.NEGATIVE_COST, "cost", f"{arc.demand_id}→{arc.resource_id}")
    regions = tuple(sorted({demand.region for demand in demands}))
    region_index = {region: index for index, region in enumerate(regions)}
    scale = weights.scale

    def ints(values: Iterable[float]) -> np.ndarray:
        return np.fromiter((round(value * scale) for value in values), dtype=np.int64)

    problem = FlowProblem(
        demand_quantity=np.fromiter((demand.quantity for demand in demands), dtype=np.int64, count=len(demands)),
        demand_penalty=ints(weights.unmet_penalty(demand.priority) for demand in demands),
        demand_region=np.fromiter((region_index[demand.region] for demand in demands), dtype=np.int64),
        resource_capacity=np.fromiter((r.capacity for r in resources), dtype=np.int64, count=len(resources)),
        arc_demand=np.fromiter((demand_index[arc.demand_id] for arc in arc_list), dtype=np.int64),
        arc_resource=np.fromiter((resource_index[arc.resource_id] for arc in arc_list), dtype=np.int64),
        arc_cost=ints(arc.cost for arc in arc_list),
        region_count=len(regions),
        tier_shares=tuple(share for share, _ in weights.fairness_tiers),
        tier_costs=tuple(round(cost * scale) for _, cost in weights.fairness_tiers),
    )
    return Instance(
        demands=tuple(demands),
        resources=tuple(resources),
        arcs=tuple(arc_list),
        weights=weights,
        regions=regions,
        problem=problem,
        arc_distance=np.fromiter((arc.distance_km for arc in arc_list), dtype=np.float64),
    )


def assignment(instance: Instance, arc_flow: np.ndarray) -> tuple[tuple[Match, ...], tuple[Shortfall, ...], Cost]:
    """Matches, shortfalls and cost of any flow on the candidate arcs (the optimum or FCFS)."""
    matches = tuple(
        Match(arc.demand_id, arc.resource_id, int(arc_flow[index]), arc)
        for index, arc in enumerate(instance.arcs)
        if arc_flow[index] > 0
    )
    problem = instance.problem
    served = np.bincount(problem.arc_demand, weights=arc_flow, minlength=problem.demand_count).astype(np.int64)
    shortfalls = tuple(
        Shortfall(demand.id, demand.priority, int(demand.quantity - served[index]))
        for index, demand in enumerate(instance.demands)
        if served[index] < demand.quantity
    )
    return matches, shortfalls, Cost.from_breakdown(evaluate(problem, arc_flow), instance.weights.scale)


def match(
    demands: Sequence[Demand],
    resources: Sequence[Resource],
    weights: Weights | None = None,
    arcs: Iterable[Arc] | None = None,
) -> MatchingResult:
    """The optimal assignment (proven by OR-Tools min-cost flow on the integer objective)."""
    instance = build_instance(demands, resources, weights, arcs)
    return solve_instance(instance)


def solve_instance(instance: Instance) -> MatchingResult:
    solution = solve_flow(instance.problem)
    matches, shortfalls, cost = assignment(instance, solution.arc_flow)
    return MatchingResult(instance=instance, solution=solution, matches=matches, shortfalls=shortfalls, cost=cost)
