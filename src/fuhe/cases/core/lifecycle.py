"""The case state machine of the 接诉即办 closed loop: one home for states, actions, guards and clock policy.

No Django here. ``apply`` is pure: it says what a transition means (next state, whether a hop or a reopen is
counted, which clocks start, stop or are extended) or raises ``IllegalTransition``; storing it is the caller's job.

A replied case waits for the resident's rating (or an independent follow-up call) for a configured window; when it
closes unrated, the system closes the case as 未评价 (``CLOSE_UNRATED``): no rating is assumed, the case cannot be
rated or reopened afterwards, and the rates count it as unrated, never as satisfied (docs/metrics.md).

Clock policy: the resolution clock starts at dispatch, not at acceptance, and keeps running while a return is
reviewed (a refused return costs the unit that time); a reassignment restarts it for the new unit. A clock listed
in ``starts`` while already running restarts; one listed in ``stops`` is stopped if it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_MAX_REOPENS = 1
DEFAULT_RATING_WINDOW_DAYS = 7


class State(StrEnum):
    RECEIVED = "received"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    IN_PROGRESS = "in_progress"
    REPLIED = "replied"
    RATED = "rated"
    CLOSED = "closed"
    REOPENED = "reopened"
    ESCALATED = "escalated"
    MERGED = "merged"
    UNDER_REVIEW = "under_review"
    DISMISSED = "dismissed"

    @property
    def zh(self) -> str:
        return STATE_ZH[self]

    @property
    def words(self) -> str:
        return self.value.replace("_", " ")


class Action(StrEnum):
    DISPATCH = "dispatch"
    ANSWER_DIRECTLY = "answer_directly"
    ACCEPT = "accept"
    RETURN = "return"
    REASSIGN = "reassign"
    REJECT_RETURN = "reject_return"
    START = "start"
    REPLY = "reply"
    RATE = "rate"
    CLOSE = "close"
    CLOSE_UNRATED = "close_unrated"  # the system, when the rating window closed without a rating (未评价)
    REOPEN = "reopen"
    ESCALATE = "escalate"
    MERGE = "merge"
    FLAG_UNREASONABLE = "flag_unreasonable"
    DISMISS = "dismiss"
    CLEAR_REVIEW = "clear_review"
    REQUEST_EXTENSION = "request_extension"
    GRANT_EXTENSION = "grant_extension"
    DENY_EXTENSION = "deny_extension"
    URGE = "urge"
    SUPERVISE = "supervise"
    RESOLVE_ON_SPOT = "resolve_on_spot"  # 就地解决: the grid worker who found it fixed it on patrol
    SPOT_CHECK_CONFIRM = "spot_check_confirm"  # the street's random check found the on-spot fix real
    SPOT_CHECK_REOPEN = "spot_check_reopen"  # ... or not: the case enters the normal loop (the dispatch queue)

    @property
    def zh(self) -> str:
        return ACTION_ZH[self]

    @property
    def words(self) -> str:
        return self.value.replace("_", " ")


class Clock(StrEnum):
    ACCEPTANCE = "acceptance"  # 签收时限: dispatch → accept
    RESOLUTION = "resolution"  # 办理时限: dispatch → reply
    FOLLOW_UP = "follow_up"  # 回访: reply → rating
    REVIEW = "review"  # dispatcher's review of a return or of an unreasonable-request flag


STATE_ZH = {
    State.RECEIVED: "已受理",
    State.DISPATCHED: "已派单",
    State.ACCEPTED: "已签收",
    State.RETURNED: "已退单待审核",
    State.IN_PROGRESS: "办理中",
    State.REPLIED: "已答复",
    State.RATED: "已评价",
    State.CLOSED: "已办结归档",
    State.REOPENED: "重办",
    State.ESCALATED: "超期督办",
    State.MERGED: "已并单",
    State.UNDER_REVIEW: "不合理诉求审核中",
    State.DISMISSED: "不合理诉求已核销",
}
ACTION_ZH = {
    Action.DISPATCH: "派单",
    Action.ANSWER_DIRECTLY: "直接答复",
    Action.ACCEPT: "签收",
    Action.RETURN: "退单",
    Action.REASSIGN: "改派",
    Action.REJECT_RETURN: "驳回退单",
    Action.START: "开始办理",
    Action.REPLY: "答复",
    Action.RATE: "回访评价",
    Action.CLOSE: "办结归档",
    Action.CLOSE_UNRATED: "逾期未评价，归档",
    Action.REOPEN: "重办",
    Action.ESCALATE: "超期升级",
    Action.MERGE: "并单",
    Action.FLAG_UNREASONABLE: "提请认定不合理诉求",
    Action.DISMISS: "认定不合理并核销",
    Action.CLEAR_REVIEW: "审核不成立退回待派",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.GRANT_EXTENSION: "批准延期",
    Action.DENY_EXTENSION: "驳回延期",
    Action.URGE: "催办",
    Action.SUPERVISE: "督办",
    Action.RESOLVE_ON_SPOT: "就地解决",
    Action.SPOT_CHECK_CONFIRM: "抽查属实",
    Action.SPOT_CHECK_REOPEN: "抽查不实，转入派单",
}

# only REOPEN (the resident) and SPOT_CHECK_REOPEN (the street, of an on-spot fix it found wanting) leave CLOSED
TERMINAL = frozenset({State.CLOSED, State.MERGED, State.DISMISSED})
HOP_ACTIONS = frozenset({Action.RETURN, Action.REASSIGN})

_HANDLING = (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS, State.REOPENED)
_OPEN = (State.RECEIVED, State.RETURNED, State.ESCALATED, State.UNDER_REVIEW, *_HANDLING)
_EXTENSION_EVENTS = (Action.REQUEST_EXTENSION, Action.GRANT_EXTENSION, Action.DENY_EXTENSION)

TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.RECEIVED, Action.DISPATCH): State.DISPATCHED,
    (State.RECEIVED, Action.ANSWER_DIRECTLY): State.REPLIED,
    (State.DISPATCHED, Action.ACCEPT): State.ACCEPTED,
    (State.DISPATCHED, Action.RETURN): State.RETURNED,
    (State.ACCEPTED, Action.RETURN): State.RETURNED,
    (State.DISPATCHED, Action.REASSIGN): State.DISPATCHED,
    (State.RETURNED, Action.REASSIGN): State.DISPATCHED,
    (State.REOPENED, Action.REASSIGN): State.DISPATCHED,
    (State.ESCALATED, Action.REASSIGN): State.DISPATCHED,
    (State.RETURNED, Action.REJECT_RETURN): State.DISPATCHED,
    (State.ACCEPTED, Action.START): State.IN_PROGRESS,
    (State.REOPENED, Action.START): State.IN_PROGRESS,
    (State.ESCALATED, Action.START): State.IN_PROGRESS,
    (State.IN_PROGRESS, Action.REPLY): State.REPLIED,
    (State.ESCALATED, Action.REPLY): State.REPLIED,
    (State.REPLIED, Action.RATE): State.RATED,
    (State.RATED, Action.CLOSE): State.CLOSED,
    (State.REPLIED, Action.CLOSE_UNRATED): State.CLOSED,
    (State.RATED, Action.REOPEN): State.REOPENED,
    (State.CLOSED, Action.REOPEN): State.REOPENED,
    (State.UNDER_REVIEW, Action.DISMISS): State.DISMISSED,
    (State.UNDER_REVIEW, Action.CLEAR_REVIEW): State.RECEIVED,
    # 就地解决: a patrol finding fixed by the grid worker at once is received and closed in one flow; a share of
    # these closures is drawn for the street's spot check, which confirms it or sends the case into the loop
    (State.RECEIVED, Action.RESOLVE_ON_SPOT): State.CLOSED,
    (State.CLOSED, Action.SPOT_CHECK_CONFIRM): State.CLOSED,
    (State.CLOSED, Action.SPOT_CHECK_REOPEN): State.RECEIVED,
    **{(state, Action.ESCALATE): State.ESCALATED for state in _HANDLING},
    **{(state, Action.MERGE): State.MERGED for state in _OPEN},
    **{
        (state, Action.FLAG_UNREASONABLE): State.UNDER_REVIEW
        for state in (State.RECEIVED, State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS)
    },
    **{(state, event): state for state in _HANDLING for event in _EXTENSION_EVENTS},
    **{(state, event): state for state in (*_HANDLING, State.ESCALATED) for event in (Action.URGE, Action.SUPERVISE)},
}


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the guards may read about a case, as stored before the action."""

    has_owner: bool = False  # a handling unit is named (for dispatch or reassignment: the chosen unit)
    summons_open: int = 0  # departments summoned (吹哨) that have neither reported in nor been released
    is_overdue: bool = False
    reopen_count: int = 0
    max_reopens: int = DEFAULT_MAX_REOPENS
    resident_satisfied: bool | None = None  # from the follow-up call; None before rating
    has_duplicate_target: bool = False  # the case this one duplicates is named
    extension_pending: bool = False
    rating_window_over: bool = False  # replied, and the window for the rating after the latest reply has closed
    is_patrol_finding: bool = False  # received from a patrol (巡查), proactively, not from a resident
    was_resolved_on_spot: bool = False  # closed on the spot before (and sent back into the loop by a spot check)
    spot_check_pending: bool = False  # closed on the spot, drawn for the street's spot check, not checked yet


def rating_deadline(replied_at: datetime | None, window_days: int = DEFAULT_RATING_WINDOW_DAYS) -> datetime | None:
    """When the window for rating the latest reply closes (calendar days after it); ``None`` before any reply."""
    if window_days < 0:
        raise ValueError("the rating window cannot be negative")
    return None if replied_at is None else replied_at + timedelta(days=window_days)


def is_rating_window_over(
    replied_at: datetime | None, *, now: datetime, window_days: int = DEFAULT_RATING_WINDOW_DAYS
) -> bool:
    """The latest reply is older than the rating window: it can no longer be rated (未评价 if it was not)."""
    deadline = rating_deadline(replied_at, window_days)
    return deadline is not None and deadline <= now


@dataclass(frozen=True, slots=True)
class Guard:
    """A condition an action needs; the texts say, in a user's words, what is missing when it fails."""

    name: str
    check: Callable[[CaseFacts, str], bool]
    zh: str
    en: str
    needs_input: bool = False  # depends on what the user types (the reason), not on stored facts

    def explain(self, facts: CaseFacts) -> tuple[str, str]:
        values = asdict(facts)
        return self.zh.format(**values), self.en.format(**values)


REASON_GIVEN = Guard(
    "reason_given", lambda facts, reason: bool(reason.strip()), "请填写理由", "a reason is required", needs_input=True
)
OWNER_NAMED = Guard(
    "owner_named", lambda facts, reason: facts.has_owner, "请先指定承办单位", "choose the handling unit first"
)
SUMMONS_CLOSED = Guard(
    "summons_closed",
    lambda facts, reason: facts.summons_open == 0,
    "还有 {summons_open} 个被吹哨部门既未报到也未解除",
    "{summons_open} summoned department(s) have neither reported in nor been released",
)
REOPENS_LEFT = Guard(
    "reopens_left",
    lambda facts, reason: facts.reopen_count < facts.max_reopens,
    "已重办 {reopen_count} 次，达到上限 {max_reopens} 次",
    "the case was reopened {reopen_count} time(s) already; the policy allows {max_reopens}",
)
NOT_SATISFIED = Guard(
    "resident_not_satisfied",
    lambda facts, reason: facts.resident_satisfied is False,
    "只有诉求人评价不满意时才能重办",
    "only a resident's 'not satisfied' rating reopens a case",
)
OVERDUE = Guard("overdue", lambda facts, reason: facts.is_overdue, "工单尚未超期", "the case is not overdue")
BEFORE_DEADLINE = Guard(
    "before_deadline",
    lambda facts, reason: not facts.is_overdue,
    "办理时限已过，延期须在到期前申请",
    "the deadline has passed; extensions are requested before it",
)
DUPLICATE_NAMED = Guard(
    "duplicate_named",
    lambda facts, reason: facts.has_duplicate_target,
    "请指定要并入的工单",
    "name the case this one duplicates",
)
EXTENSION_PENDING = Guard(
    "extension_pending",
    lambda facts, reason: facts.extension_pending,
    "没有待审批的延期申请",
    "there is no extension request waiting for a decision",
)
NO_EXTENSION_PENDING = Guard(
    "no_extension_pending",
    lambda facts, reason: not facts.extension_pending,
    "已有延期申请待审批",
    "an extension request is already waiting for a decision",
)

RATING_WINDOW_OVER = Guard(
    "rating_window_over",
    lambda facts, reason: facts.rating_window_over,
    "评价期限尚未届满",
    "the resident may still rate the reply",
)

RATING_WINDOW_OPEN = Guard(
    "rating_window_open",
    lambda facts, reason: not facts.rating_window_over,
    "评价期限已过，已按未评价归档",
    "the time to rate the reply has ended; the case counts as not rated",
)

PATROL_FINDING = Guard(
    "patrol_finding",
    lambda facts, reason: facts.is_patrol_finding,
    "只有巡查发现的问题才能就地解决",
    "only a patrol finding can be resolved on the spot",
)

FIRST_ON_SPOT = Guard(
    "first_on_spot",
    lambda facts, reason: not facts.was_resolved_on_spot,
    "就地解决经抽查不实，须按派单流程办理",
    "a spot check found the on-spot fix wanting: the case goes through dispatch",
)

SPOT_CHECK_PENDING = Guard(
    "spot_check_pending",
    lambda facts, reason: facts.spot_check_pending,
    "该工单不在待抽查名单中（未被抽中或已核查）",
    "the case is not waiting for a spot check (not drawn, or checked already)",
)

GUARDS: dict[Action, tuple[Guard, ...]] = {
    Action.DISPATCH: (OWNER_NAMED,),
    Action.RETURN: (REASON_GIVEN,),
    Action.REASSIGN: (OWNER_NAMED, REASON_GIVEN),
    Action.REJECT_RETURN: (REASON_GIVEN,),
    Action.REPLY: (SUMMONS_CLOSED,),
    Action.RATE: (RATING_WINDOW_OPEN,),
    Action.CLOSE: (SUMMONS_CLOSED,),
    Action.CLOSE_UNRATED: (RATING_WINDOW_OVER,),
    Action.REOPEN: (NOT_SATISFIED, REOPENS_LEFT, REASON_GIVEN),
    Action.ESCALATE: (OVERDUE,),
    Action.MERGE: (DUPLICATE_NAMED, SUMMONS_CLOSED),
    Action.FLAG_UNREASONABLE: (REASON_GIVEN,),
    Action.DISMISS: (SUMMONS_CLOSED, REASON_GIVEN),
    Action.CLEAR_REVIEW: (REASON_GIVEN,),
    Action.REQUEST_EXTENSION: (BEFORE_DEADLINE, NO_EXTENSION_PENDING, REASON_GIVEN),
    Action.GRANT_EXTENSION: (EXTENSION_PENDING,),
    Action.DENY_EXTENSION: (EXTENSION_PENDING, REASON_GIVEN),
    Action.RESOLVE_ON_SPOT: (PATROL_FINDING, FIRST_ON_SPOT),
    Action.SPOT_CHECK_CONFIRM: (SPOT_CHECK_PENDING,),
    Action.SPOT_CHECK_REOPEN: (SPOT_CHECK_PENDING, REASON_GIVEN),
}


@dataclass(frozen=True, slots=True)
class ClockEffect:
    starts: frozenset[Clock] = frozenset()
    stops: frozenset[Clock] = frozenset()
    extends: frozenset[Clock] = frozenset()


NO_CLOCKS = ClockEffect()
CLOCK_EFFECTS: dict[Action, ClockEffect] = {
    Action.DISPATCH: ClockEffect(starts=frozenset({Clock.ACCEPTANCE, Clock.RESOLUTION})),
    Action.ANSWER_DIRECTLY: ClockEffect(starts=frozenset({Clock.FOLLOW_UP})),
    Action.ACCEPT: ClockEffect(stops=frozenset({Clock.ACCEPTANCE})),
    Action.RETURN: ClockEffect(starts=frozenset({Clock.REVIEW}), stops=frozenset({Clock.ACCEPTANCE})),
    Action.REASSIGN: ClockEffect(
        starts=frozenset({Clock.ACCEPTANCE, Clock.RESOLUTION}), stops=frozenset({Clock.REVIEW})
    ),
    Action.REJECT_RETURN: ClockEffect(starts=frozenset({Clock.ACCEPTANCE}), stops=frozenset({Clock.REVIEW})),
    Action.REPLY: ClockEffect(starts=frozenset({Clock.FOLLOW_UP}), stops=frozenset({Clock.RESOLUTION})),
    Action.RATE: ClockEffect(stops=frozenset({Clock.FOLLOW_UP})),
    Action.CLOSE_UNRATED: ClockEffect(stops=frozenset({Clock.FOLLOW_UP})),
    Action.REOPEN: ClockEffect(starts=frozenset({Clock.RESOLUTION})),
    Action.MERGE: ClockEffect(stops=frozenset(Clock)),
    Action.FLAG_UNREASONABLE: ClockEffect(
        starts=frozenset({Clock.REVIEW}), stops=frozenset({Clock.ACCEPTANCE, Clock.RESOLUTION})
    ),
    Action.DISMISS: ClockEffect(stops=frozenset({Clock.REVIEW})),
    Action.CLEAR_REVIEW: ClockEffect(stops=frozenset({Clock.REVIEW})),
    Action.GRANT_EXTENSION: ClockEffect(extends=frozenset({Clock.RESOLUTION})),
}


@dataclass(frozen=True, slots=True)
class TransitionResult:
    before: State
    action: Action
    after: State
    reason: str
    counts_hop: bool  # a return or reassignment: increment the case's hop counter
    counts_reopen: bool  # increment the case's reopen counter
    clocks: ClockEffect

    @property
    def changes_state(self) -> bool:
        return self.before is not self.after


class IllegalTransition(Exception):  # noqa: N818 -- the name the cases app and its UI use
    """An action the case's state or facts do not allow; nothing has changed."""

    def __init__(self, state: State, action: Action, failed: tuple[Guard, ...] = (), facts: CaseFacts | None = None):
        self.state, self.action, self.failed = state, action, failed
        head_zh, head_en = f"“{state.zh}”的工单不能{action.zh}", f"cannot {action.words} a case that is {state.words}"
        if failed and facts is not None:
            texts = [guard.explain(facts) for guard in failed]
            head_zh += "：" + "；".join(zh for zh, _ in texts)
            head_en += ": " + "; ".join(en for _, en in texts)
        super().__init__(f"{head_zh}。 / {head_en[0].upper()}{head_en[1:]}.")


def _failed_guards(action: Action, facts: CaseFacts, reason: str | None) -> tuple[Guard, ...]:
    """Guards that fail; with ``reason`` None, guards on user input are skipped."""
    guards = [g for g in GUARDS.get(action, ()) if reason is not None or not g.needs_input]
    return tuple(g for g in guards if not g.check(facts, reason or ""))


def allowed_actions(state: State | str, facts: CaseFacts) -> tuple[Action, ...]:
    """Actions to offer as buttons: possible from ``state`` and allowed by the facts (a reason is asked later)."""
    state = State(state)
    return tuple(
        action for action in Action if (state, action) in TRANSITIONS and not _failed_guards(action, facts, None)
    )


def apply(state: State | str, action: Action | str, facts: CaseFacts, *, reason: str = "") -> TransitionResult:
    """What ``action`` does to a case in ``state``; raises ``IllegalTransition`` if it is not allowed."""
    state, action = State(state), Action(action)
    after = TRANSITIONS.get((state, action))
    if after is None:
        raise IllegalTransition(state, action)
    failed = _failed_guards(action, facts, reason)
    if failed:
        raise IllegalTransition(state, action, failed, facts)
    return TransitionResult(
        before=state,
        action=action,
        after=after,
        reason=reason.strip(),
        counts_hop=action in HOP_ACTIONS,
        counts_reopen=action is Action.REOPEN,
        clocks=CLOCK_EFFECTS.get(action, NO_CLOCKS),
    )
