"""Load against capacity: effort estimates, spreading a task's effort over weeks, load factors. No Django.

* A task occurrence's effort (minutes) is spread evenly over the calendar days from its start to its due day.
  A recurring task repeats that window every ``interval_days`` until its last day.
* Effort estimates start from a prior per task kind (and per form field) and move towards the median of the
  efforts staff recorded (optional, one tap) as records accumulate: ``(k·prior + n·median) / (k + n)``.
* A unit's capacity is the weekly hours of its staff; a person acting for several units gives each an equal
  share. A person's demand is each unit's demand shared in proportion to the capacity they give it, so the
  per-person demands of a unit add up to the unit's demand.
* ``load factor = hours demanded / capacity hours``; above 1.0 is overload; no capacity → undefined (None).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

OVERLOAD = 1.0
PRIOR_WEIGHT = 3  # records worth as much as the prior


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def effort_estimate(prior_minutes: float, recorded: Sequence[float], prior_weight: int = PRIOR_WEIGHT) -> float:
    """The prior moved towards the median of recorded efforts; always between the two."""
    values = [value for value in recorded if value >= 0]
    if not values:
        return float(prior_minutes)
    median = statistics.median(values)
    return (prior_weight * prior_minutes + len(values) * median) / (prior_weight + len(values))


@dataclass(frozen=True)
class Demand:
    """One task reaching one unit: ``minutes`` per occurrence over ``start``..``due`` (inclusive)."""

    unit_id: int
    minutes: float
    start: date
    due: date
    interval_days: int | None = None  # None: once
    last_day: date | None = None  # the last day an occurrence may start (recurring tasks)
    sender_id: int | None = None


def occurrences(demand: Demand, horizon_end: date) -> Iterable[tuple[date, date]]:
    due = max(demand.due, demand.start)
    if not demand.interval_days:
        yield demand.start, due
        return
    step = timedelta(days=demand.interval_days)
    last = min(demand.last_day or horizon_end, horizon_end)
    start = demand.start
    while start <= last:
        yield start, due
        start, due = start + step, due + step


def spread_by_week(demand: Demand, first: date, last: date) -> dict[date, float]:
    """Minutes of ``demand`` falling in each week (keyed by Monday) between ``first`` and ``last``."""
    weeks: dict[date, float] = defaultdict(float)
    for start, due in occurrences(demand, last):
        days = (due - start).days + 1
        per_day = demand.minutes / days
        lo, hi = max(start, first), min(due, last)
        day = lo
        while day <= hi:
            # whole runs of days inside one week at once
            week_end = min(hi, week_start(day) + timedelta(days=6))
            weeks[week_start(day)] += per_day * ((week_end - day).days + 1)
            day = week_end + timedelta(days=1)
    return dict(weeks)


def load_factor(demanded_hours: float, capacity_hours: float) -> float | None:
    if capacity_hours <= 0:
        return None
    return demanded_hours / capacity_hours


@dataclass(frozen=True)
class Membership:
    person_id: int
    unit_id: int
    weekly_hours: float  # the person's whole weekly capacity


def unit_capacities(memberships: Iterable[Membership]) -> dict[int, float]:
    """Weekly hours per unit; a person's hours split evenly over the units they act for."""
    by_person: dict[int, list[Membership]] = defaultdict(list)
    for membership in memberships:
        by_person[membership.person_id].append(membership)
    capacity: dict[int, float] = defaultdict(float)
    for items in by_person.values():
        units = sorted({m.unit_id for m in items})
        share = max(items[0].weekly_hours, 0.0) / len(units)
        for unit_id in units:
            capacity[unit_id] += share
    return dict(capacity)


@dataclass(frozen=True)
class LoadRow:
    key: int
    demanded_hours: float
    capacity_hours: float
    task_hours: float = 0.0
    case_hours: float = 0.0

    @property
    def factor(self) -> float | None:
        return load_factor(self.demanded_hours, self.capacity_hours)

    @property
    def is_overloaded(self) -> bool:
        factor = self.factor
        return factor is not None and factor > OVERLOAD


def unit_loads(
    task_hours: Mapping[int, float], case_hours: Mapping[int, float], capacities: Mapping[int, float]
) -> list[LoadRow]:
    """One row per unit that has demand or capacity, most loaded first (undefined factors last)."""
    keys = set(task_hours) | set(case_hours) | set(capacities)
    rows = [
        LoadRow(
            key,
            task_hours.get(key, 0.0) + case_hours.get(key, 0.0),
            capacities.get(key, 0.0),
            task_hours.get(key, 0.0),
            case_hours.get(key, 0.0),
        )
        for key in keys
    ]
    return sorted(rows, key=_most_loaded_first)


def _most_loaded_first(row: LoadRow) -> tuple:
    return row.factor is None, -(row.factor or 0.0), -row.demanded_hours, row.key


def person_loads(memberships: Iterable[Membership], unit_demand: Mapping[int, float]) -> list[LoadRow]:
    """Each unit's demand shared among its people in proportion to the hours they give it."""
    memberships = list(memberships)
    capacities = unit_capacities(memberships)
    by_person: dict[int, set[int]] = defaultdict(set)
    hours: dict[int, float] = {}
    for m in memberships:
        by_person[m.person_id].add(m.unit_id)
        hours[m.person_id] = max(m.weekly_hours, 0.0)
    rows = []
    for person_id, units in by_person.items():
        share = hours[person_id] / len(units)
        demanded = sum(
            unit_demand.get(unit_id, 0.0) * share / capacities[unit_id]
            for unit_id in units
            if capacities.get(unit_id, 0.0) > 0
        )
        rows.append(LoadRow(person_id, demanded, hours[person_id]))
    return sorted(rows, key=lambda r: (r.factor is None, -(r.factor or 0.0), r.key))


def aggregate(rows: Iterable[LoadRow], group_of: Mapping[int, int]) -> list[LoadRow]:
    """Sum unit rows into groups (e.g. streets); the group's factor is total demand over total capacity."""
    demanded: dict[int, float] = defaultdict(float)
    capacity: dict[int, float] = defaultdict(float)
    tasks: dict[int, float] = defaultdict(float)
    cases: dict[int, float] = defaultdict(float)
    for row in rows:
        group = group_of.get(row.key)
        if group is None:
            continue
        demanded[group] += row.demanded_hours
        capacity[group] += row.capacity_hours
        tasks[group] += row.task_hours
        cases[group] += row.case_hours
    # the group's demand is the sum of the rows' demand (rows need not split it into tasks and cases)
    groups = [LoadRow(group, demanded[group], capacity[group], tasks[group], cases[group]) for group in demanded]
    return sorted(groups, key=_most_loaded_first)
