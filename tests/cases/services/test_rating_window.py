"""The rating window: a reply nobody rated within ``FUHE_RATING_WINDOW_DAYS`` is closed as 未评价 by the periodic
sweep (the system's ``close_unrated`` step, with its event and audit row), and cannot be rated after the window."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from fuhe.audit.models import AuditEvent
from fuhe.audit.services import audit_verify
from fuhe.cases.metrics import case_rates
from fuhe.cases.models import Case, Notification
from fuhe.cases.selectors import case_history_mismatches
from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.actions import case_perform

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(tree, new_case):
    def make():
        handler = tree.people["handler"]
        case = loop.case_dispatch(actor=tree.people["dispatcher"], case=new_case(), unit=tree.units["和平区城管委"])
        for action in ("accept", "start"):
            case = loop.case_transition(actor=handler, case=case, action=action)
        return loop.case_reply(actor=handler, case=case, outcome="resolved", text="已修复")

    return make


def test_the_sweep_closes_an_unrated_reply_as_unrated_after_the_window(tree, replied):
    case, rated, fresh = replied(), replied(), replied()
    loop.case_rate(actor=None, case=rated, resolved=True, satisfied=True)
    window_end = case.replied_at + timedelta(days=7)
    with time_machine.travel(window_end - timedelta(minutes=1), tick=False):
        assert loop.cases_unrated_close() == {"closed_unrated": 0}  # the resident may still rate
    Case.objects.filter(pk=fresh.pk).update(replied_at=case.replied_at + timedelta(days=1))
    with time_machine.travel(window_end + timedelta(minutes=1), tick=False):
        assert loop.cases_unrated_close() == {"closed_unrated": 1}
        assert loop.cases_unrated_close() == {"closed_unrated": 0}  # idempotent
    case.refresh_from_db()
    assert (case.state, case.rating_resolved, case.rating_satisfied, case.rated_at) == ("closed", None, None, None)
    assert case.closed_at == window_end + timedelta(minutes=1)
    event = case.events.get(action="close_unrated")
    assert (event.actor, event.from_state, event.to_state, event.is_public) == (None, "replied", "closed", True)
    assert event.data == {"rating": "unrated", "window_days": 7}
    audit = AuditEvent.objects.get(action="case.close_unrated")
    assert (audit.actor_id, audit.object_id) == (None, str(case.pk))
    assert Case.objects.get(pk=fresh.pk).state == "replied"  # its window is still open
    assert audit_verify()[1] == [] and list(case_history_mismatches()) == []


def test_the_window_is_a_setting(tree, replied, settings):
    settings.FUHE_RATING_WINDOW_DAYS = 2
    case = replied()
    with time_machine.travel(case.replied_at + timedelta(days=2, seconds=1), tick=False):
        assert loop.cases_unrated_close() == {"closed_unrated": 1}
    assert Case.objects.get(pk=case.pk).events.get(action="close_unrated").data["window_days"] == 2


def test_the_worker_s_sweep_closes_unrated_cases(tree, replied):
    from fuhe.cases.tasks import sweep_deadlines

    case = replied()
    with time_machine.travel(case.replied_at + timedelta(days=8), tick=False):
        assert sweep_deadlines.call_local()["closed_unrated"] == 1


def test_the_resident_cannot_rate_after_the_window_even_before_the_sweep(tree, replied):
    case = replied()
    with (
        time_machine.travel(case.replied_at + timedelta(days=7, seconds=1), tick=False),
        translation.override("en"),
        pytest.raises(ValidationError) as caught,
    ):
        loop.case_rate(actor=None, case=case, resolved=True, satisfied=True)
    assert set(caught.value.message_dict) == {"rating"}
    assert "closed as not rated" in caught.value.message_dict["rating"][0]
    case.refresh_from_db()
    assert (case.state, case.rating_satisfied, case.rated_at) == ("replied", None, None)


def test_no_one_can_rate_a_case_closed_unrated(tree, replied):
    case = replied()
    with time_machine.travel(case.replied_at + timedelta(days=9), tick=False), translation.override("en"):
        loop.cases_unrated_close()
        case.refresh_from_db()
        with pytest.raises(ValidationError, match="ended on"):
            loop.case_rate(actor=None, case=case, resolved=False, satisfied=False, reasons=["too_slow"])
        with pytest.raises(ValidationError, match="ended on"):
            case_perform(actor=tree.people["dispatcher"], case=case, action="follow_up", resolved=True, satisfied=True)
    case.refresh_from_db()
    assert (case.state, case.rating_satisfied) == ("closed", None)


def test_a_rating_inside_the_window_is_recorded(tree, replied):
    case = replied()
    with time_machine.travel(case.replied_at + timedelta(days=6, hours=23), tick=False):
        case = loop.case_rate(actor=None, case=case, resolved=True, satisfied=True)
    assert case.state == "closed" and case.rating_satisfied is True


def test_a_case_closed_unrated_counts_as_unrated_in_the_rates_never_as_satisfied(tree, replied):
    unrated, happy = replied(), replied()
    loop.case_rate(actor=None, case=happy, resolved=True, satisfied=True)
    with time_machine.travel(unrated.replied_at + timedelta(days=8), tick=False):
        loop.cases_unrated_close()
        rates = case_rates(Case.objects.all())
    assert (rates.unrated, rates.awaiting_rating) == (1, 0)
    assert (rates.satisfaction.numerator, rates.satisfaction.denominator) == (1, 1)
    assert (rates.follow_up.numerator, rates.follow_up.denominator) == (1, 2)


def test_the_reply_notification_tells_the_resident_how_long_they_may_rate(tree, replied, settings):
    settings.FUHE_RATING_WINDOW_DAYS = 5
    case = replied()
    assert Notification.objects.filter(recipient=case.reporter, case=case, text__contains="5 天内评价").exists()
