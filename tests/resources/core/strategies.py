"""Hypothesis strategies: small array-level instances (for LP and brute-force optima) and small instances of
demands and resources with windows, kinds, places and conditions."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import strategies as st

from fuhe.resources.core.flow import FlowProblem
from fuhe.resources.core.matching import Priority, Window

from .builders import T0, demand, north, resource

TIERS = ((0.2, 0.5, 1.0), (0, 15, 60))


@st.composite
def flow_problems(draw, max_demands: int = 4, max_resources: int = 3, max_quantity: int = 3) -> FlowProblem:
    demands = draw(st.integers(1, max_demands))
    resources = draw(st.integers(1, max_resources))
    regions = draw(st.integers(1, 2))
    pairs = [(d, r) for d in range(demands) for r in range(resources)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    chosen.sort()
    with_tiers = draw(st.booleans())
    return FlowProblem(
        demand_quantity=np.asarray(draw(st.lists(st.integers(0, max_quantity), min_size=demands, max_size=demands))),
        demand_penalty=np.asarray(
            draw(st.lists(st.sampled_from([30, 100, 1000]), min_size=demands, max_size=demands))
        ).astype(np.int64),
        demand_region=np.asarray(draw(st.lists(st.integers(0, regions - 1), min_size=demands, max_size=demands))),
        resource_capacity=np.asarray(
            draw(st.lists(st.integers(0, max_quantity + 1), min_size=resources, max_size=resources))
        ),
        arc_demand=np.asarray([d for d, _ in chosen], dtype=np.int64),
        arc_resource=np.asarray([r for _, r in chosen], dtype=np.int64),
        arc_cost=np.asarray(
            draw(st.lists(st.integers(0, 120), min_size=len(chosen), max_size=len(chosen))), dtype=np.int64
        ),
        region_count=regions,
        tier_shares=TIERS[0] if with_tiers else (1.0,),
        tier_costs=TIERS[1] if with_tiers else (0,),
    )


hours = st.integers(0, 48)


@st.composite
def windows(draw) -> Window:
    start = draw(hours)
    return Window(T0 + timedelta(hours=start), T0 + timedelta(hours=start + draw(st.integers(0, 12))))


@st.composite
def instances(draw):
    kinds = st.sampled_from(["vehicle", "room"])
    places = st.builds(north, st.floats(0, 40))
    demands = [
        demand(
            f"d{index}",
            draw(st.integers(0, 5)),
            priority=draw(st.sampled_from(list(Priority))),
            window=draw(windows()),
            place=draw(places),
            kind=draw(kinds),
            region=draw(st.sampled_from(["A", "B"])),
            duration=timedelta(hours=draw(st.integers(0, 4))),
        )
        for index in range(draw(st.integers(1, 6)))
    ]
    resources = [
        resource(
            f"r{index}",
            draw(st.integers(0, 6)),
            kind=draw(kinds),
            place=draw(places),
            windows=tuple(draw(st.lists(windows(), min_size=1, max_size=2))),
            allowed_regions=draw(st.sampled_from([None, frozenset({"A"})])),
        )
        for index in range(draw(st.integers(1, 4)))
    ]
    return demands, resources
