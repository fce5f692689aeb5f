"""Load arithmetic: spreading effort over weeks, estimates, capacities, per-person shares, aggregates."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuhe.burden.core.load import (
    Demand,
    LoadRow,
    Membership,
    aggregate,
    effort_estimate,
    load_factor,
    occurrences,
    person_loads,
    spread_by_week,
    unit_capacities,
    unit_loads,
    week_start,
)

MONDAY = date(2026, 3, 2)
days = st.integers(0, 120).map(lambda n: MONDAY + timedelta(days=n))
minutes = st.floats(0, 10_000, allow_nan=False)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


@given(days, st.integers(0, 30), minutes, st.integers(0, 10), st.integers(0, 10))
def test_spread_conserves_a_once_tasks_minutes_when_the_window_covers_it(start, length, amount, before, after):
    demand = Demand(1, amount, start, start + timedelta(days=length))
    weeks = spread_by_week(demand, start - timedelta(days=before), demand.due + timedelta(days=after))
    assert close(sum(weeks.values()), amount)
    assert all(week.weekday() == 0 for week in weeks)
    assert min(weeks) == week_start(start) and max(weeks) == week_start(demand.due)


@given(days, st.integers(0, 30), minutes, st.integers(0, 60), st.integers(0, 60))
def test_spread_never_counts_more_than_the_task_and_only_inside_the_window(start, length, amount, offset, span):
    demand = Demand(1, amount, start, start + timedelta(days=length))
    first = MONDAY + timedelta(days=offset)
    last = first + timedelta(days=span)
    weeks = spread_by_week(demand, first, last)
    assert sum(weeks.values()) <= amount + 1e-6
    assert all(week_start(first) <= week <= last for week in weeks)


def test_spread_is_even_over_the_days():
    # Thursday .. next Wednesday: 4 days in the first week, 3 in the second
    demand = Demand(1, 70, MONDAY + timedelta(days=3), MONDAY + timedelta(days=9))
    assert spread_by_week(demand, MONDAY, MONDAY + timedelta(days=30)) == {
        MONDAY: pytest.approx(40),
        MONDAY + timedelta(days=7): pytest.approx(30),
    }
    # a deadline before the start counts as the start day
    inverted = Demand(1, 30, MONDAY + timedelta(days=2), MONDAY)
    assert spread_by_week(inverted, MONDAY, MONDAY + timedelta(days=6)) == {MONDAY: 30}


def test_occurrences_of_a_recurring_task_repeat_the_window_until_its_last_day():
    weekly = Demand(1, 60, MONDAY, MONDAY + timedelta(days=4), interval_days=7, last_day=MONDAY + timedelta(days=14))
    assert list(occurrences(weekly, MONDAY + timedelta(days=100))) == [
        (MONDAY + timedelta(days=n), MONDAY + timedelta(days=n + 4)) for n in (0, 7, 14)
    ]
    # the horizon cuts it short; no last day runs to the horizon
    assert len(list(occurrences(weekly, MONDAY + timedelta(days=8)))) == 2
    open_ended = Demand(1, 60, MONDAY, MONDAY, interval_days=1)
    assert len(list(occurrences(open_ended, MONDAY + timedelta(days=9)))) == 10
    once = Demand(1, 60, MONDAY, MONDAY + timedelta(days=4), last_day=MONDAY + timedelta(days=60))
    assert list(occurrences(once, MONDAY + timedelta(days=100))) == [(MONDAY, MONDAY + timedelta(days=4))]


@given(st.integers(1, 30), st.integers(0, 6), st.integers(0, 60), minutes)
def test_a_recurring_task_weighs_as_many_times_as_it_occurs(interval, length, span, amount):
    demand = Demand(
        1,
        amount,
        MONDAY,
        MONDAY + timedelta(days=length),
        interval_days=interval,
        last_day=MONDAY + timedelta(days=span),
    )
    count = len(list(occurrences(demand, MONDAY + timedelta(days=400))))
    assert count == span // interval + 1
    weeks = spread_by_week(demand, MONDAY, MONDAY + timedelta(days=400))
    assert close(sum(weeks.values()), amount * count)


@given(
    st.floats(0, 1000, allow_nan=False),
    st.lists(st.floats(-50, 5000, allow_nan=False), max_size=30),
    st.integers(1, 10),
)
def test_the_estimate_lies_between_the_prior_and_the_median(prior, recorded, weight):
    estimate = effort_estimate(prior, recorded, weight)
    valid = sorted(v for v in recorded if v >= 0)
    if not valid:
        assert estimate == prior
        return
    n = len(valid)
    median = (valid[(n - 1) // 2] + valid[n // 2]) / 2
    assert min(prior, median) - 1e-6 <= estimate <= max(prior, median) + 1e-6


def test_the_estimate_moves_towards_the_records_as_they_accumulate():
    assert effort_estimate(20, [50, 50, 50]) == pytest.approx(35)  # three records weigh as much as the prior
    assert abs(effort_estimate(20, [50] * 300) - 50) < abs(effort_estimate(20, [50] * 3) - 50)
    assert effort_estimate(20, [-1, -5]) == 20  # nonsense records are ignored


hours_a_week = st.one_of(st.just(0.0), st.floats(0.5, 60))  # no subnormal hours
people = st.dictionaries(
    st.integers(1, 8), st.tuples(hours_a_week, st.sets(st.integers(1, 5), min_size=1, max_size=3)), max_size=8
)


def memberships_of(drawn) -> list[Membership]:
    return [Membership(person, unit, hours) for person, (hours, units) in drawn.items() for unit in sorted(units)]


@given(people)
def test_unit_capacities_sum_to_the_peoples_hours(drawn):
    capacities = unit_capacities(memberships_of(drawn))
    assert close(sum(capacities.values()), sum(hours for hours, _units in drawn.values()))


def test_a_person_acting_for_two_units_gives_each_half():
    capacities = unit_capacities(
        [Membership(1, 10, 40), Membership(1, 11, 40), Membership(2, 10, 40), Membership(2, 10, 40)]
    )  # a second role in the same unit counts once
    assert capacities == {10: 60, 11: 20}


@given(people, st.dictionaries(st.integers(1, 5), st.floats(0, 500, allow_nan=False)))
def test_person_loads_of_a_unit_add_up_to_the_units_demand(drawn, demand):
    memberships = memberships_of(drawn)
    capacities = unit_capacities(memberships)
    for unit_id, hours in demand.items():
        rows = person_loads(memberships, {unit_id: hours})
        expected = hours if capacities.get(unit_id, 0) > 0 else 0.0
        assert close(sum(row.demanded_hours for row in rows), expected)
    rows = person_loads(memberships, demand)
    assert close(sum(r.demanded_hours for r in rows), sum(h for u, h in demand.items() if capacities.get(u, 0) > 0))
    assert {r.key for r in rows} == set(drawn)


def test_person_load_is_proportional_to_the_hours_given():
    rows = {
        r.key: r
        for r in person_loads([Membership(1, 10, 40), Membership(2, 10, 20), Membership(2, 11, 20)], {10: 50, 11: 10})
    }
    # unit 10 has 40 + 10 hours: person 1 carries 4/5 of its demand, person 2 1/5 plus all of unit 11
    assert rows[1].demanded_hours == pytest.approx(40) and rows[1].factor == pytest.approx(1.0)
    assert rows[2].demanded_hours == pytest.approx(20) and rows[2].capacity_hours == 20


def test_load_factor_is_undefined_without_capacity():
    assert load_factor(10, 0) is None and load_factor(0, 0) is None and load_factor(5, -1) is None
    assert load_factor(45, 40) == pytest.approx(1.125)
    assert not LoadRow(1, 10, 0).is_overloaded
    assert LoadRow(1, 41, 40).is_overloaded and not LoadRow(1, 40, 40).is_overloaded


def test_unit_loads_sort_most_loaded_first_and_undefined_last():
    rows = unit_loads({1: 10, 2: 50, 3: 5}, {1: 30}, {1: 40, 2: 40, 4: 40})
    assert [r.key for r in rows] == [2, 1, 4, 3]
    assert rows[1].demanded_hours == 40 and rows[1].task_hours == 10 and rows[1].case_hours == 30
    assert rows[-1].factor is None


unit_rows = st.lists(
    st.tuples(
        st.floats(0, 200, allow_nan=False),
        st.floats(0, 200, allow_nan=False),
        st.floats(0, 200, allow_nan=False),
        st.integers(1, 3),
    ),
    max_size=12,
)


@given(unit_rows)
def test_a_groups_factor_is_its_total_demand_over_its_total_capacity(drawn):
    rows = [
        LoadRow(key, tasks + cases, capacity, tasks, cases)
        for key, (tasks, cases, capacity, _group) in enumerate(drawn)
    ]
    group_of = {key: group for key, (*_rest, group) in enumerate(drawn)}
    groups = {row.key: row for row in aggregate(rows, group_of)}
    for group in set(group_of.values()):
        members = [row for row in rows if group_of[row.key] == group]
        demanded = sum(r.demanded_hours for r in members)
        capacity = sum(r.capacity_hours for r in members)
        assert close(groups[group].demanded_hours, demanded)
        assert close(groups[group].capacity_hours, capacity)
        if capacity > 0:
            assert close(groups[group].factor, demanded / capacity)
        else:
            assert groups[group].factor is None


@given(
    st.lists(st.tuples(st.floats(0, 200, allow_nan=False), st.floats(0, 200, allow_nan=False)), min_size=1, max_size=8)
)
def test_aggregate_counts_the_demand_of_rows_without_a_task_case_split(drawn):
    """Person rows and hand-made rows carry only ``demanded_hours``; their demand must not vanish."""
    rows = [LoadRow(key, demanded, capacity) for key, (demanded, capacity) in enumerate(drawn)]
    (group,) = aggregate(rows, dict.fromkeys(range(len(rows)), 7))
    assert close(group.demanded_hours, sum(d for d, _c in drawn))


def test_aggregate_skips_rows_without_a_group():
    rows = [LoadRow(1, 10, 10, 10), LoadRow(2, 30, 10, 30)]
    assert [(r.key, r.demanded_hours) for r in aggregate(rows, {1: 100})] == [(100, 10)]
    assert aggregate(rows, {}) == []
