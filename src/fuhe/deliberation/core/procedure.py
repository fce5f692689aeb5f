"""四议两公开: the village procedure as one transition table (no Django).

The order is fixed by law and practice: 党支部提议 (the Party branch proposes) → 两委会商议 (the two committees
deliberate) → 党员大会审议 (the Party members' meeting reviews) → 村民会议或村民代表会议决议 (the villagers' assembly or
their representatives decide) → 决议公开 (the decision is published) → 实施结果公开 (the results are published).

A step is recorded only when every step before it is recorded; none can be skipped, repeated or reordered. A
review or a decision may also reject the matter (it then stops: ``REJECTED``), which is published like a decision.
"""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    PROPOSAL = "proposal"  # 党支部提议
    CONSULTATION = "consultation"  # 两委会商议
    REVIEW = "review"  # 党员大会审议
    DECISION = "decision"  # 村民会议或村民代表会议决议
    DECISION_PUBLISHED = "decision_published"  # 决议公开
    RESULTS_PUBLISHED = "results_published"  # 实施结果公开

    @property
    def zh(self) -> str:
        return STEP_ZH[self]


STEP_ZH = {
    Step.PROPOSAL: "党支部提议",
    Step.CONSULTATION: "两委会商议",
    Step.REVIEW: "党员大会审议",
    Step.DECISION: "村民会议或村民代表会议决议",
    Step.DECISION_PUBLISHED: "决议公开",
    Step.RESULTS_PUBLISHED: "实施结果公开",
}

ORDER: tuple[Step, ...] = tuple(Step)

#: the state a matter is in after each step; "" before the first
STARTED = ""
REJECTED = "rejected"
DONE = Step.RESULTS_PUBLISHED.value

#: steps that may end the matter with a rejection
MAY_REJECT = frozenset({Step.REVIEW, Step.DECISION})


class StepOutOfOrderError(ValueError):
    def __init__(self, step: str, expected: str | None):
        self.step = step
        self.expected = expected
        super().__init__(f"{step} cannot follow; expected {expected}")


def next_step(last: str) -> Step | None:
    """The only step that may be recorded after ``last`` (the last recorded step, "" for none)."""
    if last == REJECTED:
        return None
    if last == STARTED:
        return ORDER[0]
    index = ORDER.index(Step(last))
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def apply(last: str, step: str, *, rejected: bool = False) -> str:
    """The matter's state after recording ``step``; raises ``StepOutOfOrderError`` for a skipped, repeated or
    reordered step, or a rejection where none may happen."""
    expected = next_step(last)
    if expected is None or step != expected.value:
        raise StepOutOfOrderError(step, expected.value if expected else None)
    if rejected:
        if expected not in MAY_REJECT:
            raise StepOutOfOrderError(step, expected.value)
        return REJECTED
    return expected.value


def replay(steps: list[tuple[str, bool]]) -> str:
    """The state after recording ``steps`` (step, rejected) in order; raises at the first out of order."""
    state = STARTED
    for step, rejected in steps:
        state = apply(state, step, rejected=rejected)
    return state
