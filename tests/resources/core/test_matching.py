"""The matching model: candidate arcs and their cost terms, validation codes, and what the optimum prefers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuhe.resources.core.errors import ErrorCode, MatchingInputError
from fuhe.resources.core.matching import (
    Arc,
    Place,
    Priority,
    Reason,
    Weights,
    Window,
    build_instance,
    candidate_arcs,
    haversine_km,
    match,
    pair_check,
)

from .builders import DAY, HERE, T0, demand, north, resource
from .strategies import instances


def test_haversine_of_one_degree_of_latitude():
    assert haversine_km(Place(39.0, 117.0), Place(40.0, 117.0)) == pytest.approx(111.195, abs=0.01)
    assert haversine_km(HERE, HERE) == 0.0


@pytest.mark.parametrize(
    ("demand_changes", "resource_changes", "reason"),
    [
        ({"kind": "room"}, {}, Reason.KIND),
        ({"skill": "电工"}, {"skills": frozenset({"水管"})}, Reason.SKILL),
        ({"region": "小白楼街道"}, {"allowed_regions": frozenset({"劝业场街道"})}, Reason.REGION),
        ({"priority": Priority.IMPROVEMENT}, {"allowed_priorities": frozenset({Priority.EMERGENCY})}, Reason.PRIORITY),
        ({}, {"windows": (Window(T0 + timedelta(days=1), T0 + timedelta(days=2)),)}, Reason.WINDOW),
        ({"duration": timedelta(hours=3)}, {"windows": (Window(T0, T0 + timedelta(hours=2)),)}, Reason.WINDOW),
        ({}, {"place": north(31)}, Reason.DISTANCE),
        ({}, {"place": north(6), "service_radius_km": 5.0}, Reason.DISTANCE),
    ],
)
def test_each_check_rejects_its_pair(demand_changes, resource_changes, reason):
    assert pair_check(demand("d", **demand_changes), resource("r", **resource_changes), Weights()) is reason
    assert candidate_arcs([demand("d", **demand_changes)], [resource("r", **resource_changes)], Weights()) == []


def test_a_fitting_pair_is_an_arc_with_its_cost_terms_and_earliest_start():
    later = Window(T0 + timedelta(hours=2), T0 + timedelta(hours=9))
    fund = resource(
        "fund", place=north(2), windows=(later,), unit_cost=50.0, preferred_regions=frozenset({"小白楼街道"})
    )
    weights = Weights(per_km=1.0, per_minute=0.5, speed_kmh=30.0, per_yuan=0.1, outside_preference=5.0)
    [arc] = candidate_arcs([demand("d", skill=None, duration=timedelta(hours=1))], [fund], weights)
    assert arc.distance_km == pytest.approx(2.0, abs=0.01)
    assert arc.travel == pytest.approx(2.0 + 0.5 * 4.0, abs=0.02)  # 2 km, and 4 minutes at 30 km/h
    assert arc.funds == pytest.approx(5.0)
    assert arc.preference == 5.0  # the owner prefers another street
    assert arc.start == later.start
    assert arc.cost == pytest.approx(arc.travel + 10.0)


def test_a_resource_with_the_needed_skill_in_a_later_window_fits():
    windows = (
        Window(T0 - timedelta(days=2), T0 - timedelta(days=1)),
        Window(T0 + timedelta(hours=1), T0 + timedelta(hours=5)),
    )
    electrician = resource("r", skills=frozenset({"电工"}), windows=windows)
    assert pair_check(demand("d", skill="电工", duration=timedelta(hours=4)), electrician, Weights()) is None
    assert pair_check(demand("d", skill="电工", duration=timedelta(hours=5)), electrician, Weights()) is Reason.WINDOW


@pytest.mark.parametrize(
    ("call", "code", "field"),
    [
        (lambda: build_instance([demand("d", quantity=-1)], []), ErrorCode.NEGATIVE_QUANTITY, "quantity"),
        (lambda: build_instance([], [resource("r", capacity=-2)]), ErrorCode.NEGATIVE_CAPACITY, "capacity"),
        (
            lambda: build_instance([demand("d", window=Window(DAY.end, DAY.start))], []),
            ErrorCode.WINDOW_REVERSED,
            "window",
        ),
        (
            lambda: build_instance([], [resource("r", windows=(DAY, Window(DAY.end, DAY.start)))]),
            ErrorCode.WINDOW_REVERSED,
            "windows",
        ),
        (lambda: build_instance([demand("d", duration=timedelta(-1))], []), ErrorCode.NEGATIVE_DURATION, "duration"),
        (lambda: build_instance([demand("d", place=Place(91.0, 0.0))], []), ErrorCode.INVALID_COORDINATES, "place"),
        (lambda: build_instance([demand("d"), demand("d")], []), ErrorCode.DUPLICATE_ID, "id"),
        (lambda: build_instance([], [resource("r", unit_cost=-1.0)]), ErrorCode.NEGATIVE_COST, "unit_cost"),
        (
            lambda: build_instance([demand("d")], [resource("r")], arcs=[Arc("x", "r", 0, T0, 0, 0, 0)]),
            ErrorCode.UNKNOWN_DEMAND,
            "demand_id",
        ),
        (
            lambda: build_instance([demand("d")], [resource("r")], arcs=[Arc("d", "x", 0, T0, 0, 0, 0)]),
            ErrorCode.UNKNOWN_RESOURCE,
            "resource_id",
        ),
        (
            lambda: build_instance([], [], Weights(fairness_tiers=((0.5, 10.0), (1.0, 5.0)))),
            ErrorCode.INVALID_WEIGHT,
            "fairness_tiers",
        ),
        (
            lambda: build_instance([], [], Weights(unmet_emergency=1.0, unmet_improvement=2.0)),
            ErrorCode.INVALID_WEIGHT,
            "unmet_penalty",
        ),
        (lambda: build_instance([], [], Weights(speed_kmh=0)), ErrorCode.INVALID_WEIGHT, "speed_kmh"),
        (lambda: build_instance([], [], Weights(per_km=-1)), ErrorCode.NEGATIVE_COST, "per_km"),
    ],
)
def test_bad_input_raises_a_value_error_with_code_and_field(call, code, field):
    with pytest.raises(MatchingInputError) as raised:
        call()
    assert isinstance(raised.value, ValueError)
    assert raised.value.code is code
    assert raised.value.field == field


def test_the_bad_record_is_named():
    with pytest.raises(MatchingInputError) as raised:
        build_instance([demand("ok"), demand("broken", quantity=-3)], [])
    assert raised.value.item == "broken"
    assert "broken.quantity" in str(raised.value)


def test_emergency_takes_the_only_unit_even_from_farther_away():
    result = match(
        [
            demand("improve", priority=Priority.IMPROVEMENT),
            demand("flood", priority=Priority.EMERGENCY, place=north(9)),
        ],
        [resource("boat")],
    )
    assert [(m.demand_id, m.resource_id, m.quantity) for m in result.matches] == [("flood", "boat", 1)]
    assert [(s.demand_id, s.quantity) for s in result.shortfalls] == [("improve", 1)]


def test_nearer_resource_is_used_when_both_have_room():
    result = match([demand("d", 2)], [resource("far", 5, place=north(8)), resource("near", 5, place=north(1))])
    assert [(m.resource_id, m.quantity) for m in result.matches] == [("near", 2)]
    assert result.cost.total == pytest.approx(2 * 1.0, abs=0.02)


def test_a_demand_is_split_over_resources_when_one_is_too_small():
    result = match([demand("d", 3)], [resource("a", 2, place=north(1)), resource("b", 5, place=north(2))])
    assert sorted((m.resource_id, m.quantity) for m in result.matches) == [("a", 2), ("b", 1)]


def test_cost_of_funds_and_owner_preference_steer_the_choice():
    paid = resource("paid", place=north(1), unit_cost=100.0)  # 10 points of funds at per_yuan 0.1
    other_street = resource("other", place=north(3), preferred_regions=frozenset({"小白楼街道"}))  # +5
    free_own = resource("own", place=north(4), preferred_regions=frozenset({"劝业场街道"}))
    result = match([demand("d")], [paid, other_street, free_own])
    assert [m.resource_id for m in result.matches] == ["own"]  # 4 < 3 + 5 < 1 + 10


def test_fairness_spreads_a_shortage_over_regions():
    # two regions want 4 units each, 4 units exist at equal distance: without fairness any split is optimal,
    # with the convex penalty each region gets 2
    demands = [demand("a", 4, region="A"), demand("b", 4, region="B")]
    weights = Weights(fairness_tiers=((0.25, 0.0), (0.5, 50.0), (1.0, 200.0)))
    for order in (demands, demands[::-1]):
        result = match(order, [resource("r", 4)], weights)
        assert sorted((m.demand_id, m.quantity) for m in result.matches) == [("a", 2), ("b", 2)]
        assert result.cost.fairness == 2 * 50.0  # per region: 1 unit in the free band, 1 in the 50 band
    # a 3/1 split would cost 0 + 50 + 200 in the starved region
    assert result.cost.unmet_penalty == 4 * Weights().unmet_basic_livelihood


def test_a_demand_with_nothing_to_match_is_a_shortfall_not_an_error():
    result = match([demand("d", 3, kind="room")], [resource("car")])
    assert result.matches == ()
    assert [(s.demand_id, s.quantity, s.priority) for s in result.shortfalls] == [("d", 3, Priority.BASIC_LIVELIHOOD)]
    assert result.cost.unmet_penalty == 3 * Weights().unmet_basic_livelihood


@settings(max_examples=60)
@given(instances())
def test_no_capacity_window_or_condition_is_ever_exceeded(instance):
    demands, resources = instance
    result = match(demands, resources)
    by_id = {r.id: r for r in resources} | {d.id: d for d in demands}
    used: dict[str, int] = {}
    served: dict[str, int] = {}
    for matched in result.matches:
        need, offer = by_id[matched.demand_id], by_id[matched.resource_id]
        assert pair_check(need, offer, Weights()) is None
        start = matched.arc.start
        assert need.window.start <= start and start + need.duration <= need.window.end
        assert any(w.start <= start and start + need.duration <= w.end for w in offer.windows)
        used[offer.id] = used.get(offer.id, 0) + matched.quantity
        served[need.id] = served.get(need.id, 0) + matched.quantity
    assert all(used[r] <= by_id[r].capacity for r in used)
    unmet = {s.demand_id: s.quantity for s in result.shortfalls}
    assert all(served.get(d.id, 0) + unmet.get(d.id, 0) == d.quantity for d in demands)


def test_an_empty_instance_has_nothing_to_match():
    result = match([], [])
    assert (result.matches, result.shortfalls, result.cost.total) == ((), (), 0.0)
    only_resources = match([], [resource("r")])
    assert only_resources.matches == ()


@settings(max_examples=60)
@given(instances(), st.floats(0.5, 40))
def test_the_grid_finds_exactly_the_pairs_that_pass_every_check(instance, reach):
    demands, resources = instance
    weights = Weights(max_distance_km=reach)
    found = {(arc.demand_id, arc.resource_id) for arc in candidate_arcs(demands, resources, weights)}
    expected = {(d.id, r.id) for d in demands for r in resources if pair_check(d, r, weights) is None}
    assert found == expected


def test_the_grid_keeps_pairs_just_across_a_cell_border_far_north():
    # at 60° N a degree of longitude is half as long: a cell sized at the equator would miss this pair
    weights = Weights(max_distance_km=10.0)
    need = demand("d", place=Place(60.0, 10.0))
    east = resource("r", place=Place(60.0, 10.0 + 9.5 / (111.195 * 0.5)))
    assert [(a.demand_id, a.resource_id) for a in candidate_arcs([need], [east], weights)] == [("d", "r")]
