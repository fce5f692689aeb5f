"""四议两公开: the order of steps cannot be skipped, repeated or reordered (a property over every sequence)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuhe.deliberation.core.procedure import (
    DONE,
    ORDER,
    REJECTED,
    STARTED,
    Step,
    StepOutOfOrderError,
    apply,
    next_step,
    replay,
)

steps = st.lists(st.tuples(st.sampled_from([s.value for s in Step]), st.booleans()), max_size=10)


def test_the_full_procedure_in_order():
    assert replay([(step.value, False) for step in ORDER]) == DONE


def test_skipping_the_consultation_is_refused():
    with pytest.raises(StepOutOfOrderError) as error:
        replay([(Step.PROPOSAL, False), (Step.REVIEW, False)])
    assert error.value.expected == Step.CONSULTATION


def test_a_proposal_cannot_be_rejected_but_a_review_can():
    with pytest.raises(StepOutOfOrderError):
        apply(STARTED, Step.PROPOSAL, rejected=True)
    state = replay([(Step.PROPOSAL, False), (Step.CONSULTATION, False), (Step.REVIEW, True)])
    assert state == REJECTED
    assert next_step(state) is None


@given(steps)
def test_any_accepted_sequence_is_a_prefix_of_the_order(sequence):
    """Whatever steps are tried, those accepted form a prefix of the legal order: nothing skipped or reordered."""
    state = STARTED
    accepted = []
    for step, rejected in sequence:
        try:
            state = apply(state, step, rejected=rejected)
        except StepOutOfOrderError:
            continue
        accepted.append(step)
    assert accepted == [s.value for s in ORDER[: len(accepted)]]
    if state == REJECTED:
        assert accepted[-1] in (Step.REVIEW, Step.DECISION)


@given(steps)
def test_replay_accepts_exactly_the_legal_prefixes(sequence):
    legal = [s.value for s in ORDER[: len(sequence)]]
    plain = [step for step, _rejected in sequence]
    no_rejection_before_end = all(not rejected for _step, rejected in sequence[:-1])
    try:
        replay(sequence)
    except StepOutOfOrderError:
        assert plain != legal or not no_rejection_before_end or sequence[-1][1]
    else:
        assert plain == legal
