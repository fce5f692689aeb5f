"""The three rates counted in SQL equal the per-case reading (``outcome_of`` + ``compute_rates_by``), the oracle.

Random cases (fixed seeds) over every state, with deadlines on both sides of ``now`` and exactly at it, every
combination of unknown / true / false flags and ratings, unassigned and unnamed groups.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.cases import metrics
from fuhe.cases.core.lifecycle import State
from fuhe.cases.core.rates import compute_rates_by, overall_rates
from fuhe.cases.metrics import GROUPINGS, OUTCOME_FIELDS, case_rates, outcome_of, rates_by, rates_of
from fuhe.cases.models import Case, Category
from fuhe.cases.selectors import case_queryset
from fuhe.org.models import Region, Unit, UnitKind

SEEDS = (1, 2, 3)
CASES_PER_SEED = 300


REFERENCE_FIELDS = {"unit": "owner_unit__name", "street": "region_id", "category": "category__name"}


def street_name(region_id):
    """The reference reading of "the street of a case": walk up the parents to the street (not key arithmetic)."""
    region = Region.objects.filter(pk=region_id).first() if region_id else None
    while region is not None and region.level != "street":
        region = region.parent
    return region.name if region else None


def per_case_rates(cases, by, now):
    """The page's computation before it counted in SQL: every case read, one ``CaseOutcome`` each."""
    field = REFERENCE_FIELDS[by]
    rows = cases.values(field, *OUTCOME_FIELDS)
    key = street_name if by == "street" else (lambda value: value)
    return compute_rates_by((key(row[field]) or "—", outcome_of(row, now)) for row in rows)


def _moment(rng: random.Random, now):
    """None, exactly now, a microsecond either side, or hours/days either side."""
    choice = rng.random()
    if choice < 0.25:
        return None
    if choice < 0.35:
        return now + timedelta(microseconds=rng.choice((-1, 0, 1)))
    return now + timedelta(hours=rng.uniform(-400, 400))


def _flag(rng: random.Random):
    return rng.choice((None, True, False))


@pytest.fixture
def random_cases(tree):
    def make(seed: int, now):
        rng = random.Random(seed)
        unnamed = Unit.objects.create(name="", kind=UnitKind.STREET_OFFICE, region=tree.regions["和平区"])
        units = [*tree.units.values(), unnamed, None]
        regions = [*tree.regions.values(), None]
        categories = [Category.objects.create(name=f"类{n}", path=f"类{n}") for n in range(3)]
        categories += [Category.objects.create(name="", path="无名"), None]
        states = [state.value for state in State]
        cases = []
        for index in range(CASES_PER_SEED):
            dispatched_at = None if rng.random() < 0.2 else now - timedelta(days=rng.uniform(0, 20))
            cases.append(
                Case(
                    tracking_code=f"R{seed}{index:06d}",
                    access_token_hash="0" * 64,
                    channel="web",
                    title="t",
                    text="t",
                    created_at=now - timedelta(days=rng.uniform(0, 40)),
                    state=rng.choice(states),
                    dispatched_at=dispatched_at,
                    accepted_on_time=_flag(rng),
                    acceptance_due=_moment(rng, now),
                    replied_at=None if rng.random() < 0.4 else now - timedelta(hours=rng.uniform(-1, 300)),
                    replied_on_time=_flag(rng),
                    resolution_due=_moment(rng, now),
                    rating_resolved=_flag(rng),
                    rating_satisfied=_flag(rng),
                    return_count=rng.choice((0, 0, 0, 1, 2)),
                    reopen_count=rng.choice((0, 0, 0, 1, 3)),
                    owner_unit=rng.choice(units),
                    region=rng.choice(regions),
                    category=rng.choice(categories),
                )
            )
        Case.objects.bulk_create(cases)

    return make


@pytest.mark.parametrize("seed", SEEDS)
def test_counts_in_sql_equal_the_per_case_rates(random_cases, seed):
    now = timezone.now()
    random_cases(seed, now)
    cases = Case.objects.filter(created_at__gte=now - timedelta(days=30))
    for by in GROUPINGS:
        assert rates_of(cases, by, now=now) == per_case_rates(cases, by, now), by
    everything = overall_rates(outcome_of(row, now) for row in Case.objects.values(*OUTCOME_FIELDS))
    assert case_rates(Case.objects.all(), now=now) == everything
    assert everything.cases == CASES_PER_SEED and 0 < everything.assessed < CASES_PER_SEED


@pytest.mark.parametrize("seed", SEEDS[:1])
@pytest.mark.parametrize("person", ["leader", "dispatcher", "handler", "jz-dispatcher"])
def test_rates_by_equals_the_per_case_rates_in_each_scope(tree, random_cases, monkeypatch, seed, person):
    now = timezone.now()
    random_cases(seed, now)
    monkeypatch.setattr(metrics.timezone, "now", lambda: now)
    user = tree.people[person]
    for by in GROUPINGS:
        for days in (1, 30):
            cases = case_queryset(user).filter(created_at__gte=now - timedelta(days=days))
            assert rates_by(user=user, by=by, days=days) == per_case_rates(cases, by, now), (by, days)


def test_no_cases_give_empty_rates(db):
    assert case_rates(Case.objects.none()).cases == 0
    assert case_rates(Case.objects.all()) == overall_rates([])


def test_a_case_on_a_grid_counts_for_its_street_not_its_community(tree):
    """By street, a case placed on a grid, on a community or on the street itself belongs to the street; one placed
    on a district has no street (before, grid cases were listed under their community as if it were a street)."""
    now = timezone.now()
    places = ["花园路社区第1网格", "花园路社区", "劝业场街道", "五大道社区第2网格", "和平区"]
    Case.objects.bulk_create(
        Case(
            tracking_code=f"G{index:07d}",
            access_token_hash="0" * 64,
            channel="web",
            title="t",
            text="t",
            created_at=now - timedelta(days=1),
            state=State.CLOSED,
            dispatched_at=now - timedelta(days=1),
            region=tree.regions[place],
        )
        for index, place in enumerate(places)
    )
    rates = rates_of(Case.objects.all(), "street", now=now)
    assert {key: rate_set.cases for key, rate_set in rates.items()} == {"劝业场街道": 3, "小白楼街道": 1, "—": 1}
