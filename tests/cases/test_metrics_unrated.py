"""未评价 in the counts of the pages: the SQL counts of unrated and awaiting cases equal the per-case reading, on
both sides of the end of the rating window and exactly at it, whatever the case's state (the sweep may not have
run yet)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.cases.core.lifecycle import State
from fuhe.cases.core.rates import overall_rates
from fuhe.cases.metrics import OUTCOME_FIELDS, case_rates, outcome_of, rates_of
from fuhe.cases.models import Case

pytestmark = pytest.mark.django_db

OFFSETS = [timedelta(microseconds=-1), timedelta(0), timedelta(microseconds=1), timedelta(days=-2), timedelta(days=3)]


def _case(index, *, now, replied_at, state=State.REPLIED, satisfied=None, unit=None):
    return Case(
        tracking_code=f"U{index:08d}",
        access_token_hash="0" * 64,
        channel="web",
        title="t",
        text="t",
        created_at=now - timedelta(days=10),
        state=state,
        dispatched_at=now - timedelta(days=10),
        replied_at=replied_at,
        rating_resolved=satisfied,
        rating_satisfied=satisfied,
        owner_unit=unit,
    )


def test_unrated_and_awaiting_counts_in_sql_equal_the_per_case_reading(tree, settings):
    now = timezone.now()
    window = timedelta(days=settings.FUHE_RATING_WINDOW_DAYS)
    unit = tree.units["和平区城管委"]
    cases = []
    for offset in OFFSETS:
        for state, satisfied in ((State.REPLIED, None), (State.CLOSED, None), (State.CLOSED, True)):
            cases.append(
                _case(
                    len(cases), now=now, replied_at=now - window + offset, state=state, satisfied=satisfied, unit=unit
                )
            )
    cases.append(_case(len(cases), now=now, replied_at=None, state=State.IN_PROGRESS))
    Case.objects.bulk_create(cases)
    per_case = overall_rates(outcome_of(row, now) for row in Case.objects.values(*OUTCOME_FIELDS))
    counted = case_rates(Case.objects.all(), now=now)
    assert counted == per_case
    # window over at offsets -1 µs … 0 (replied at or before now − window) and -2 days: 3 offsets × 2 unrated rows
    assert (counted.unrated, counted.awaiting_rating) == (6, 4)
    assert (counted.satisfaction.numerator, counted.satisfaction.denominator) == (5, 5)
    assert rates_of(Case.objects.all(), "unit", now=now)[unit.name].unrated == 6


def test_a_shorter_window_makes_more_cases_unrated(tree, settings):
    now = timezone.now()
    Case.objects.bulk_create([_case(1, now=now, replied_at=now - timedelta(days=3))])
    assert case_rates(Case.objects.all(), now=now).unrated == 0
    settings.FUHE_RATING_WINDOW_DAYS = 2
    assert case_rates(Case.objects.all(), now=now).unrated == 1
