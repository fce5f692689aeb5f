"""The rating window (issue 13, item 1): a reply not rated in time is closed as 未评价 — by the system, never as
satisfied — and cannot be rated afterwards; the rates leave it out of every numerator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuhe.cases.core.lifecycle import (
    TRANSITIONS,
    Action,
    CaseFacts,
    IllegalTransition,
    State,
    allowed_actions,
    apply,
    is_rating_window_over,
    rating_deadline,
)
from fuhe.cases.core.rates import RATE_NAMES, CaseOutcome, overall_rates

S, A = State, Action
REPLIED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_the_window_is_counted_in_calendar_days_from_the_latest_reply():
    assert rating_deadline(REPLIED_AT, 7) == datetime(2026, 3, 9, 9, 30, tzinfo=UTC)
    assert rating_deadline(None, 7) is None
    assert not is_rating_window_over(REPLIED_AT, now=REPLIED_AT + timedelta(days=7, microseconds=-1), window_days=7)
    assert is_rating_window_over(REPLIED_AT, now=REPLIED_AT + timedelta(days=7), window_days=7)
    assert not is_rating_window_over(None, now=REPLIED_AT + timedelta(days=70), window_days=7)
    with pytest.raises(ValueError):
        rating_deadline(REPLIED_AT, -1)


def test_only_the_end_of_the_window_closes_a_replied_case_unrated():
    assert apply(S.REPLIED, A.CLOSE_UNRATED, CaseFacts(rating_window_over=True)).after is S.CLOSED
    with pytest.raises(IllegalTransition, match="评价期限尚未届满.*may still rate") as caught:
        apply(S.REPLIED, A.CLOSE_UNRATED, CaseFacts(rating_window_over=False))
    assert [guard.name for guard in caught.value.failed] == ["rating_window_over"]
    for state in State:
        if state is not S.REPLIED:
            with pytest.raises(IllegalTransition):
                apply(state, A.CLOSE_UNRATED, CaseFacts(rating_window_over=True))


def test_a_reply_cannot_be_rated_after_the_window():
    assert apply(S.REPLIED, A.RATE, CaseFacts()).after is S.RATED
    with pytest.raises(IllegalTransition, match="评价期限已过.*counts as not rated"):
        apply(S.REPLIED, A.RATE, CaseFacts(rating_window_over=True))
    assert A.RATE not in allowed_actions(S.REPLIED, CaseFacts(rating_window_over=True))
    assert A.CLOSE_UNRATED in allowed_actions(S.REPLIED, CaseFacts(rating_window_over=True))


def test_a_case_closed_unrated_cannot_be_reopened_as_if_rated():
    closed = apply(S.REPLIED, A.CLOSE_UNRATED, CaseFacts(rating_window_over=True)).after
    assert allowed_actions(closed, CaseFacts(resident_satisfied=None, rating_window_over=True)) == ()


# --- random histories: facts follow from what happened ------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_closed_means_rated_or_unrated_by_the_system_never_assumed(data):
    """Along any history in which the resident's answer comes only from ``RATE`` and the window only opens with a
    reply: a case is closed only after a rating of its latest reply or by ``CLOSE_UNRATED`` once the window is
    over; a reply is never rated after the window; a case closed unrated with no rating never leaves CLOSED."""
    state, satisfied, rated_this_reply, window_over, reopens = S.RECEIVED, None, False, False, 0
    closed_unrated = False
    for _ in range(data.draw(st.integers(0, 50))):
        if state is S.REPLIED and not window_over:
            window_over = data.draw(st.booleans())  # time passes
        possible = [a for a in Action if (state, a) in TRANSITIONS]
        action = data.draw(st.sampled_from(possible or list(Action)))
        facts = CaseFacts(
            has_owner=True,
            resident_satisfied=satisfied,
            reopen_count=reopens,
            rating_window_over=window_over,
            is_overdue=data.draw(st.booleans()),
            has_duplicate_target=True,
        )
        if action is A.RATE:  # the resident's answer; the guards read the facts from before it
            satisfied = data.draw(st.booleans())
        try:
            result = apply(state, action, facts, reason="理由")
        except IllegalTransition:
            if action is A.RATE:
                satisfied = facts.resident_satisfied  # refused: nothing was recorded
            continue
        assert not (action is A.RATE and window_over), "a reply was rated after its window"
        if closed_unrated and satisfied is None:
            pytest.fail(f"{action} left a case closed unrated")
        if action is A.RATE:
            rated_this_reply = True
        if action in (A.REPLY, A.ANSWER_DIRECTLY):
            rated_this_reply, window_over = False, False
        if result.after is S.CLOSED:
            assert rated_this_reply or (action is A.CLOSE_UNRATED and window_over)
            closed_unrated = action is A.CLOSE_UNRATED
        reopens += result.counts_reopen
        state = result.after


# --- the rates ------------------------------------------------------------------------------------------------


def test_unrated_cases_are_in_no_numerator_and_counted_beside_the_rates():
    satisfied = CaseOutcome(replied=True, replied_on_time=True, resolved=True, satisfied=True, rating_window_over=True)
    unhappy = CaseOutcome(replied=True, replied_on_time=True, resolved=False, satisfied=False)
    unrated = CaseOutcome(replied=True, replied_on_time=True, rating_window_over=True)
    waiting = CaseOutcome(replied=True, replied_on_time=True)
    rs = overall_rates([satisfied, unhappy, unrated, unrated, waiting])
    assert (rs.unrated, rs.awaiting_rating) == (2, 1)
    assert (rs.satisfaction.numerator, rs.satisfaction.denominator) == (1, 2)
    assert (rs.resolution.numerator, rs.resolution.denominator) == (1, 2)
    assert (rs.first_time_resolution.numerator, rs.first_time_resolution.denominator) == (1, 2)
    assert (rs.follow_up.numerator, rs.follow_up.denominator) == (2, 5)
    assert overall_rates([unrated] * 40).satisfaction.value is None  # never 100 % satisfied by default


def test_a_reopened_case_keeps_its_unsatisfied_rating_when_the_rework_is_not_rated():
    rework = CaseOutcome(replied=True, resolved=False, satisfied=False, reopen_count=1, rating_window_over=True)
    rs = overall_rates([rework])
    assert (rs.unrated, rs.satisfaction.numerator, rs.satisfaction.denominator) == (0, 0, 1)


def test_excluded_cases_are_not_counted_unrated():
    rs = overall_rates([CaseOutcome(dispatched=False, replied=True, rating_window_over=True)])
    assert (rs.excluded_direct, rs.unrated) == (1, 0)


outcomes = st.builds(
    CaseOutcome,
    dispatched=st.booleans(),
    merged=st.booleans(),
    responded=st.sampled_from([None, True, False]),
    replied=st.booleans(),
    replied_on_time=st.sampled_from([None, True, False]),
    resolved=st.sampled_from([None, True, False]),
    satisfied=st.sampled_from([None, True, False]),
    return_count=st.integers(0, 2),
    reopen_count=st.integers(0, 2),
    rating_window_over=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(outcomes, max_size=40), st.integers(1, 5))
def test_adding_unrated_cases_moves_no_numerator(cases, extra):
    before = overall_rates(cases)
    after = overall_rates([*cases, *[CaseOutcome(replied=True, rating_window_over=True)] * extra])
    assert after.unrated == before.unrated + extra
    for name in RATE_NAMES:
        assert after[name].numerator == before[name].numerator, name
    for name in ("resolution", "satisfaction", "first_time_resolution"):
        assert after[name].denominator == before[name].denominator, name
    assert after.follow_up.denominator == before.follow_up.denominator + extra
    assert after.unrated + after.awaiting_rating == after.follow_up.denominator - after.follow_up.numerator
