"""就地解决 in the state machine: a patrol finding closed on the spot, and the street's spot check of it."""

from dataclasses import replace

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
)

S, A = State, Action
PATROL = CaseFacts(is_patrol_finding=True)


def failed(state, action, facts, reason="已核查") -> list[str]:
    with pytest.raises(IllegalTransition) as caught:
        apply(state, action, facts, reason=reason)
    return [guard.name for guard in caught.value.failed]


def test_a_patrol_finding_is_closed_on_the_spot_without_clocks_hops_or_a_reopen():
    result = apply(S.RECEIVED, A.RESOLVE_ON_SPOT, PATROL)
    assert result.after is S.CLOSED
    assert not (result.counts_hop or result.counts_reopen)
    assert not (result.clocks.starts or result.clocks.stops or result.clocks.extends)


def test_only_a_patrol_finding_is_closed_on_the_spot_and_only_once():
    assert failed(S.RECEIVED, A.RESOLVE_ON_SPOT, CaseFacts()) == ["patrol_finding"]
    assert failed(S.RECEIVED, A.RESOLVE_ON_SPOT, replace(PATROL, was_resolved_on_spot=True)) == ["first_on_spot"]
    with pytest.raises(IllegalTransition, match="只有巡查发现的问题才能就地解决.*only a patrol finding"):
        apply(S.RECEIVED, A.RESOLVE_ON_SPOT, CaseFacts())
    for state in State:
        if state is not S.RECEIVED:  # dispatched, handled, replied …: the loop has it
            with pytest.raises(IllegalTransition):
                apply(state, A.RESOLVE_ON_SPOT, PATROL)


def test_the_spot_check_confirms_or_sends_the_case_into_the_loop():
    drawn = replace(PATROL, spot_check_pending=True)
    assert apply(S.CLOSED, A.SPOT_CHECK_CONFIRM, drawn).after is S.CLOSED
    reopened = apply(S.CLOSED, A.SPOT_CHECK_REOPEN, drawn, reason="现场仍有堆物")
    assert reopened.after is S.RECEIVED and reopened.reason == "现场仍有堆物"
    assert not reopened.counts_reopen  # the resident's reopen limit is not the street's check
    assert A.DISPATCH in allowed_actions(reopened.after, CaseFacts(has_owner=True))


def test_a_spot_check_needs_a_drawn_fix_and_a_failed_one_a_reason():
    assert failed(S.CLOSED, A.SPOT_CHECK_CONFIRM, PATROL) == ["spot_check_pending"]
    assert failed(S.CLOSED, A.SPOT_CHECK_REOPEN, PATROL, "") == ["spot_check_pending", "reason_given"]
    assert failed(S.CLOSED, A.SPOT_CHECK_REOPEN, replace(PATROL, spot_check_pending=True), " ") == ["reason_given"]


def test_the_spot_check_is_offered_only_while_one_is_pending():
    assert A.SPOT_CHECK_CONFIRM not in allowed_actions(S.CLOSED, PATROL)
    offered = allowed_actions(S.CLOSED, replace(PATROL, spot_check_pending=True))
    assert {A.SPOT_CHECK_CONFIRM, A.SPOT_CHECK_REOPEN} <= set(offered)


# --- a model of one patrol finding: the facts follow from its own history, as the platform derives them ----------


@settings(max_examples=300, deadline=None)
@given(st.data(), st.booleans(), st.booleans())
def test_random_patrol_histories_keep_the_on_spot_invariants(data, is_patrol, drawn):
    """Whatever is tried in whatever order: only a patrol finding is closed on the spot, at most once; a spot check
    happens only to a drawn on-spot fix, at most once; a fix it overturns is closed only after a reply."""
    state, on_spot, decisions, overturned, replied_since_received = S.RECEIVED, 0, 0, False, False
    for _ in range(data.draw(st.integers(0, 40))):
        facts = CaseFacts(
            has_owner=data.draw(st.booleans()),
            resident_satisfied=data.draw(st.sampled_from([None, True, False])),
            is_patrol_finding=is_patrol,
            was_resolved_on_spot=on_spot > 0,
            spot_check_pending=state is S.CLOSED and drawn and on_spot > 0 and decisions == 0,
            rating_window_over=data.draw(st.booleans()),
        )
        possible = [a for a in Action if (state, a) in TRANSITIONS]
        action = data.draw(st.sampled_from(possible or list(Action)))
        reason = data.draw(st.sampled_from(["", "已核查"]))
        try:
            result = apply(state, action, facts, reason=reason)
        except IllegalTransition:
            continue
        on_spot += action is A.RESOLVE_ON_SPOT
        decisions += action in {A.SPOT_CHECK_CONFIRM, A.SPOT_CHECK_REOPEN}
        if action is A.SPOT_CHECK_REOPEN:
            assert result.after is S.RECEIVED
            overturned = True
        replied_since_received = (replied_since_received or result.after is S.REPLIED) and result.after not in {
            S.RECEIVED,
            S.REOPENED,
        }
        if result.after is S.CLOSED and overturned:
            assert replied_since_received  # an overturned fix is closed again only through the loop
        state = result.after
        assert on_spot <= (1 if is_patrol else 0)
        assert decisions <= (1 if drawn and on_spot else 0)
