"""The demo's ratings look like real ones (issue 13, item 1): units spread instead of all showing 100 % satisfied,
some residents are unsatisfied and say why, some never rate and their cases are closed as 未评价 by the system, and
every rating comes from the resident (tracking page or the notification's link) or from an independent follow-up
call — never from the unit being assessed."""

from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from fuhe.cases.metrics import case_rates, rates_of
from fuhe.cases.models import Case, CaseEvent, DissatisfactionReason
from fuhe.cases.rules import is_independent_of_handling, may_record_follow_up
from fuhe.cases.selectors import case_history_mismatches
from fuhe.demo.cases import demo_cases_build
from fuhe.demo.services import demo_build
from fuhe.routing.demo import demo_duty_list_seed

DIVISIONS = settings.FUHE_SHARED_DATA / "divisions"
MESSAGES = settings.FUHE_SHARED_DATA / "messages"
pytestmark = [
    pytest.mark.skipif(
        not (DIVISIONS.is_dir() and MESSAGES.is_dir()), reason="the shared data set is not beside the checkout"
    ),
    pytest.mark.slow,
    pytest.mark.django_db,
]


def test_the_demo_ratings_spread_include_unrated_and_come_from_residents_or_independent_calls():
    demo_build(divisions_dir=DIVISIONS, password=settings.FUHE_DEMO_PASSWORD)
    demo_duty_list_seed()
    demo_cases_build(messages_dir=MESSAGES, count=400)

    overall = case_rates(Case.objects.all())
    assert 0.65 < overall.satisfaction.value < 0.95  # neither 100 % nor implausible
    assert overall.unrated >= 10  # residents who never rated: 未评价, in no numerator
    by_unit = rates_of(Case.objects.all(), "unit", now=timezone.now())
    sampled = [rs.satisfaction.value for rs in by_unit.values() if rs.satisfaction.denominator >= 8]
    assert len(sampled) >= 8 and max(sampled) - min(sampled) > 0.2  # a spread between units
    assert sum(value == 1.0 for value in sampled) < len(sampled) / 2

    ratings = list(CaseEvent.objects.filter(action="rate").select_related("actor", "case__owner_unit"))
    channels = Counter(event.data["channel"] for event in ratings)
    assert channels["tracking"] > 0 and channels["sms_link"] > 0 and channels["call"] > 0
    for event in ratings:
        if event.actor is None:  # the resident
            assert event.data["channel"] in {"tracking", "sms_link"}
        else:  # a follow-up call, recorded by the dispatching side, independent of the handling unit
            assert event.data["channel"] == "call"
            assert is_independent_of_handling(event.actor, event.case) and may_record_follow_up(event.actor, event.case)
    unhappy = [event for event in ratings if not event.data["satisfied"]]
    assert len(unhappy) >= 20
    assert all(
        event.data["reasons"] and set(event.data["reasons"]) <= set(DissatisfactionReason.values) for event in unhappy
    )

    closed_unrated = CaseEvent.objects.filter(action="close_unrated")
    assert closed_unrated.count() >= 10
    window_over = timezone.now() - timedelta(days=settings.FUHE_RATING_WINDOW_DAYS)
    assert not Case.objects.filter(state="replied", replied_at__lte=window_over).exists()  # all swept
    assert not closed_unrated.filter(actor__isnull=False).exists()  # the system closes them
    assert not Case.objects.filter(pk__in=closed_unrated.values("case"), rating_satisfied__isnull=False).exists()
    assert list(case_history_mismatches()) == []
