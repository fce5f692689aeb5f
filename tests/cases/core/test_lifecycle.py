from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuhe.cases.core.lifecycle import (
    TERMINAL,
    TRANSITIONS,
    Action,
    CaseFacts,
    Clock,
    IllegalTransition,
    State,
    allowed_actions,
    apply,
)

S, A = State, Action

# The specification, written out independently of the module's table.
SPEC = [
    (S.RECEIVED, A.DISPATCH, S.DISPATCHED),
    (S.RECEIVED, A.ANSWER_DIRECTLY, S.REPLIED),
    (S.DISPATCHED, A.ACCEPT, S.ACCEPTED),
    (S.DISPATCHED, A.RETURN, S.RETURNED),
    (S.ACCEPTED, A.RETURN, S.RETURNED),
    (S.DISPATCHED, A.REASSIGN, S.DISPATCHED),
    (S.RETURNED, A.REASSIGN, S.DISPATCHED),
    (S.REOPENED, A.REASSIGN, S.DISPATCHED),
    (S.ESCALATED, A.REASSIGN, S.DISPATCHED),
    (S.RETURNED, A.REJECT_RETURN, S.DISPATCHED),
    (S.ACCEPTED, A.START, S.IN_PROGRESS),
    (S.REOPENED, A.START, S.IN_PROGRESS),
    (S.ESCALATED, A.START, S.IN_PROGRESS),
    (S.IN_PROGRESS, A.REPLY, S.REPLIED),
    (S.ESCALATED, A.REPLY, S.REPLIED),
    (S.REPLIED, A.RATE, S.RATED),
    (S.RATED, A.CLOSE, S.CLOSED),
    (S.REPLIED, A.CLOSE_UNRATED, S.CLOSED),
    (S.RATED, A.REOPEN, S.REOPENED),
    (S.CLOSED, A.REOPEN, S.REOPENED),
    (S.DISPATCHED, A.ESCALATE, S.ESCALATED),
    (S.ACCEPTED, A.ESCALATE, S.ESCALATED),
    (S.IN_PROGRESS, A.ESCALATE, S.ESCALATED),
    (S.REOPENED, A.ESCALATE, S.ESCALATED),
    *[
        (s, A.MERGE, S.MERGED)
        for s in (
            S.RECEIVED,
            S.DISPATCHED,
            S.ACCEPTED,
            S.RETURNED,
            S.IN_PROGRESS,
            S.REOPENED,
            S.ESCALATED,
            S.UNDER_REVIEW,
        )
    ],
    *[(s, A.FLAG_UNREASONABLE, S.UNDER_REVIEW) for s in (S.RECEIVED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS)],
    (S.UNDER_REVIEW, A.DISMISS, S.DISMISSED),
    (S.UNDER_REVIEW, A.CLEAR_REVIEW, S.RECEIVED),
    (S.RECEIVED, A.RESOLVE_ON_SPOT, S.CLOSED),
    (S.CLOSED, A.SPOT_CHECK_CONFIRM, S.CLOSED),
    (S.CLOSED, A.SPOT_CHECK_REOPEN, S.RECEIVED),
    *[
        (s, a, s)
        for s in (S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED)
        for a in (A.REQUEST_EXTENSION, A.GRANT_EXTENSION, A.DENY_EXTENSION)
    ],
    *[
        (s, a, s)
        for s in (S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED, S.ESCALATED)
        for a in (A.URGE, A.SUPERVISE)
    ],
]
REASON = "不属于本单位职责"


def facts_allowing(action: Action) -> CaseFacts:
    """Facts under which every guard of ``action`` passes."""
    return CaseFacts(
        has_owner=True,
        is_overdue=action is A.ESCALATE,
        resident_satisfied=False,
        has_duplicate_target=True,
        extension_pending=action in {A.GRANT_EXTENSION, A.DENY_EXTENSION},
        rating_window_over=action is A.CLOSE_UNRATED,
        is_patrol_finding=action is A.RESOLVE_ON_SPOT,
        spot_check_pending=action in {A.SPOT_CHECK_CONFIRM, A.SPOT_CHECK_REOPEN},
    )


def test_the_table_is_exactly_the_specification():
    assert {(s, a): t for s, a, t in SPEC} == TRANSITIONS
    assert len(SPEC) == len(TRANSITIONS)


@pytest.mark.parametrize("before,action,after", SPEC, ids=[f"{s}-{a}" for s, a, _ in SPEC])
def test_every_transition(before, action, after):
    result = apply(before, action, facts_allowing(action), reason=REASON)
    assert (result.before, result.action, result.after) == (before, action, after)
    assert result.counts_hop == (action in {A.RETURN, A.REASSIGN})
    assert result.counts_reopen == (action is A.REOPEN)
    assert result.changes_state == (before is not after)


ILLEGAL = [(s, a) for s in State for a in Action if (s, a) not in TRANSITIONS]


@pytest.mark.parametrize("state,action", ILLEGAL, ids=[f"{s}-{a}" for s, a in ILLEGAL])
def test_actions_outside_the_table_are_illegal(state, action):
    with pytest.raises(IllegalTransition) as caught:
        apply(state, action, facts_allowing(action), reason=REASON)
    assert (caught.value.state, caught.value.action, caught.value.failed) == (state, action, ())
    assert state.zh in str(caught.value) and action.zh in str(caught.value)


def test_terminal_states_allow_only_the_reopen_and_the_spot_check():
    for state in TERMINAL:
        leaving = {a for (s, a) in TRANSITIONS if s is state}
        assert leaving == ({A.REOPEN, A.SPOT_CHECK_CONFIRM, A.SPOT_CHECK_REOPEN} if state is S.CLOSED else set())


def failed_guards(state, action, facts, reason=REASON) -> list[str]:
    with pytest.raises(IllegalTransition) as caught:
        apply(state, action, facts, reason=reason)
    return [guard.name for guard in caught.value.failed]


def test_open_summons_block_close_reply_merge_and_dismiss():
    facts = replace(facts_allowing(A.CLOSE), summons_open=2)
    for state, action in [
        (S.RATED, A.CLOSE),
        (S.IN_PROGRESS, A.REPLY),
        (S.ESCALATED, A.REPLY),
        (S.IN_PROGRESS, A.MERGE),
        (S.UNDER_REVIEW, A.DISMISS),
    ]:
        assert failed_guards(state, action, facts) == ["summons_closed"]
    with pytest.raises(IllegalTransition, match="2 个被吹哨部门.*2 summoned department"):
        apply(S.RATED, A.CLOSE, facts)


@pytest.mark.parametrize("reason", ["", "   "])
def test_return_needs_a_reason(reason):
    assert failed_guards(S.DISPATCHED, A.RETURN, CaseFacts(), reason) == ["reason_given"]
    with pytest.raises(IllegalTransition, match="请填写理由.*a reason is required"):
        apply(S.ACCEPTED, A.RETURN, CaseFacts(), reason=reason)


def test_the_reason_is_kept_trimmed():
    assert apply(S.DISPATCHED, A.RETURN, CaseFacts(), reason=f"  {REASON} ").reason == REASON


def test_reopen_is_limited_by_policy():
    unhappy = CaseFacts(resident_satisfied=False, reopen_count=1, max_reopens=1)
    assert failed_guards(S.RATED, A.REOPEN, unhappy) == ["reopens_left"]
    with pytest.raises(IllegalTransition, match="已重办 1 次，达到上限 1 次"):
        apply(S.CLOSED, A.REOPEN, unhappy, reason=REASON)
    assert apply(S.RATED, A.REOPEN, replace(unhappy, max_reopens=2), reason=REASON).after is S.REOPENED


def test_reopen_needs_an_unsatisfied_resident_and_a_reason():
    assert failed_guards(S.RATED, A.REOPEN, CaseFacts(resident_satisfied=True), "") == [
        "resident_not_satisfied",
        "reason_given",
    ]
    assert failed_guards(S.CLOSED, A.REOPEN, CaseFacts(resident_satisfied=None)) == ["resident_not_satisfied"]


def test_other_guards_name_what_is_missing():
    assert failed_guards(S.RECEIVED, A.DISPATCH, CaseFacts()) == ["owner_named"]
    assert failed_guards(S.RETURNED, A.REASSIGN, CaseFacts(), "") == ["owner_named", "reason_given"]
    assert failed_guards(S.IN_PROGRESS, A.ESCALATE, CaseFacts()) == ["overdue"]
    assert failed_guards(S.RECEIVED, A.MERGE, CaseFacts()) == ["duplicate_named"]
    assert failed_guards(S.IN_PROGRESS, A.REQUEST_EXTENSION, CaseFacts(is_overdue=True, extension_pending=True)) == [
        "before_deadline",
        "no_extension_pending",
    ]
    assert failed_guards(S.IN_PROGRESS, A.GRANT_EXTENSION, CaseFacts()) == ["extension_pending"]
    assert failed_guards(S.UNDER_REVIEW, A.CLEAR_REVIEW, CaseFacts(), "") == ["reason_given"]


def test_clock_policy():
    dispatch = apply(S.RECEIVED, A.DISPATCH, CaseFacts(has_owner=True)).clocks
    assert dispatch.starts == {Clock.ACCEPTANCE, Clock.RESOLUTION}
    accept = apply(S.DISPATCHED, A.ACCEPT, CaseFacts()).clocks
    assert accept.stops == {Clock.ACCEPTANCE} and Clock.RESOLUTION not in accept.starts  # clock runs from dispatch
    returned = apply(S.DISPATCHED, A.RETURN, CaseFacts(), reason=REASON).clocks
    assert Clock.RESOLUTION not in returned.stops and Clock.REVIEW in returned.starts
    reassign = apply(S.RETURNED, A.REASSIGN, CaseFacts(has_owner=True), reason=REASON).clocks
    assert reassign.starts == {Clock.ACCEPTANCE, Clock.RESOLUTION} and reassign.stops == {Clock.REVIEW}
    reply = apply(S.IN_PROGRESS, A.REPLY, CaseFacts()).clocks
    assert reply.stops == {Clock.RESOLUTION} and reply.starts == {Clock.FOLLOW_UP}
    direct = apply(S.RECEIVED, A.ANSWER_DIRECTLY, CaseFacts()).clocks
    assert direct.starts == {Clock.FOLLOW_UP} and Clock.RESOLUTION not in direct.starts
    assert apply(S.IN_PROGRESS, A.GRANT_EXTENSION, CaseFacts(extension_pending=True)).clocks.extends == {
        Clock.RESOLUTION
    }
    assert apply(S.IN_PROGRESS, A.MERGE, CaseFacts(has_duplicate_target=True)).clocks.stops == set(Clock)


@pytest.mark.parametrize("action", [A.URGE, A.SUPERVISE, A.REQUEST_EXTENSION, A.GRANT_EXTENSION, A.DENY_EXTENSION])
def test_supervision_and_extensions_do_not_change_state(action):
    result = apply(S.IN_PROGRESS, action, facts_allowing(action), reason=REASON)
    assert result.after is S.IN_PROGRESS and not result.changes_state and not result.counts_hop


def test_allowed_actions_for_buttons():
    assert allowed_actions(S.RECEIVED, CaseFacts()) == (A.ANSWER_DIRECTLY, A.FLAG_UNREASONABLE)
    assert A.DISPATCH in allowed_actions("received", CaseFacts(has_owner=True))
    assert allowed_actions(S.RATED, CaseFacts(summons_open=1, resident_satisfied=True)) == ()
    assert allowed_actions(S.CLOSED, CaseFacts(resident_satisfied=False)) == (A.REOPEN,)
    assert allowed_actions(S.CLOSED, CaseFacts(resident_satisfied=False, reopen_count=1)) == ()
    assert allowed_actions(S.MERGED, facts_allowing(A.MERGE)) == ()


def test_states_and_actions_are_accepted_as_stored_strings_only_when_known():
    assert apply("dispatched", "accept", CaseFacts()).after is S.ACCEPTED
    with pytest.raises(ValueError):
        apply("lost", "accept", CaseFacts())


def test_a_case_with_a_return_a_reassignment_and_a_reopen():
    path = [
        (A.DISPATCH, CaseFacts(has_owner=True)),
        (A.RETURN, CaseFacts()),
        (A.REASSIGN, CaseFacts(has_owner=True)),
        (A.ACCEPT, CaseFacts()),
        (A.START, CaseFacts()),
        (A.REPLY, CaseFacts()),
        (A.RATE, CaseFacts()),
        (A.REOPEN, CaseFacts(resident_satisfied=False)),
        (A.START, CaseFacts()),
        (A.REPLY, CaseFacts()),
        (A.RATE, CaseFacts()),
        (A.CLOSE, CaseFacts()),
    ]
    state, hops, reopens = S.RECEIVED, 0, 0
    for action, facts in path:
        result = apply(state, action, replace(facts, reopen_count=reopens), reason=REASON)
        state, hops, reopens = result.after, hops + result.counts_hop, reopens + result.counts_reopen
    assert (state, hops, reopens) == (S.CLOSED, 2, 1)


# --- random action sequences -----------------------------------------------------------------------------------

facts_strategy = st.builds(
    CaseFacts,
    has_owner=st.booleans(),
    summons_open=st.integers(0, 2),
    is_overdue=st.booleans(),
    resident_satisfied=st.sampled_from([None, True, False]),
    has_duplicate_target=st.booleans(),
    extension_pending=st.booleans(),
    rating_window_over=st.booleans(),
    is_patrol_finding=st.booleans(),
    was_resolved_on_spot=st.booleans(),
    spot_check_pending=st.booleans(),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.data(), st.integers(0, 3))
def test_random_action_sequences_keep_the_invariants(data, max_reopens):
    state, hops, hop_actions, reopens, replied_since_open = S.RECEIVED, 0, 0, 0, False
    for _ in range(data.draw(st.integers(0, 60))):
        possible = [a for a in Action if (state, a) in TRANSITIONS]
        pool = possible if possible and data.draw(st.integers(0, 4)) else list(Action)
        action = data.draw(st.sampled_from(pool))
        facts = replace(data.draw(facts_strategy), reopen_count=reopens, max_reopens=max_reopens)
        reason = data.draw(st.sampled_from(["", " ", REASON]))
        offered = action in allowed_actions(state, facts)
        try:
            result = apply(state, action, facts, reason=reason)
        except IllegalTransition as refused:
            assert (refused.state, refused.action) == (state, action)
            assert not offered or not reason.strip()
            continue
        assert offered and state not in {S.MERGED, S.DISMISSED}
        assert state is not S.CLOSED or action in {A.REOPEN, A.SPOT_CHECK_CONFIRM, A.SPOT_CHECK_REOPEN}
        assert result.after in State
        hops += result.counts_hop
        hop_actions += action in {A.RETURN, A.REASSIGN}
        reopens += result.counts_reopen
        # a case is closed after a reply, or by the patrol worker who fixed it on the spot (就地解决)
        replied_since_open = (
            replied_since_open or result.after is S.REPLIED or action is A.RESOLVE_ON_SPOT
        ) and result.after not in {S.REOPENED, S.RECEIVED}
        assert result.after is not S.CLOSED or replied_since_open
        assert hops == hop_actions and reopens <= max_reopens
        state = result.after
