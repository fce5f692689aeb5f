from hypothesis import given
from hypothesis import strategies as st

from fuhe.cases.core.history import CaseRow, EventRow, Mismatch, mismatches, replay


def ev(case_id, action, to_state="", **data):
    return EventRow(case_id, action, to_state, data)


LOOP = [
    ev(1, "receive", "received"),
    ev(1, "dispatch", "dispatched"),
    ev(1, "urge"),  # a note without a state
    ev(1, "reply", "replied"),
    ev(1, "rate", "replied", resolved=False, satisfied=False),
    ev(1, "reopen", "reopened"),
    ev(1, "reply", "replied"),
    ev(1, "rate", "replied", resolved=True, satisfied=True),
    ev(1, "close", "closed"),
]


def test_replay_follows_states_and_the_last_rating_after_a_reopen():
    replayed = replay(LOOP)
    assert (replayed.state, replayed.rating_resolved, replayed.rating_satisfied) == ("closed", True, True)
    assert replay(LOOP[:6]).rating_satisfied is False  # the unsatisfied rating stands during the rework


def test_rows_that_match_their_events_give_nothing_and_edits_are_named():
    cases = [CaseRow(1, "closed", True, True), CaseRow(2, "closed", None, True), CaseRow(3, "received", None, None)]
    events = [*LOOP, ev(2, "receive", "received"), ev(2, "dispatch", "dispatched")]
    assert list(mismatches(cases, events)) == [
        Mismatch(2, "state", "closed", "dispatched"),
        Mismatch(2, "rating_satisfied", True, None),
        Mismatch(3, "state", "received", ""),  # a case without any event
    ]


def test_events_of_cases_not_listed_are_skipped():
    assert (
        list(
            mismatches(
                [CaseRow(5, "received", None, None)], [ev(4, "receive", "received"), ev(5, "receive", "received")]
            )
        )
        == []
    )


@given(st.lists(st.sampled_from(["received", "dispatched", "replied", "closed"]), min_size=1, max_size=8))
def test_a_row_equal_to_its_replay_never_mismatches(states):
    events = [ev(7, f"step{n}", state) for n, state in enumerate(states)]
    assert list(mismatches([CaseRow(7, states[-1], None, None)], events)) == []
