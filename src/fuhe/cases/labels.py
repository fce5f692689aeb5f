"""The names a reader sees for the lifecycle's states and actions and for the rates, in the reader's language.

The lifecycle table and the rate specs (``cases/core``, no Django) carry the official Chinese terms (已受理, 派单,
响应率 …): the words of the 接诉即办 practice, the same in every deployment. Here each one gets an English msgid
marked for translation, so English (and any later language) comes from the catalogue like every other string.
In Chinese the catalogue's entry is the official term; while the catalogue has no entry for a label yet (a
Chinese page would otherwise show the English msgid), the official term of the core is shown instead.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext_lazy

from fuhe.cases.core.lifecycle import Action, State
from fuhe.cases.core.rates import RATE_SPECS, RateSpec

_CJK = re.compile(r"[\u3400-\u9fff]")

STATE_LABELS: dict[State, Promise] = {
    State.RECEIVED: pgettext_lazy("case state", "Received"),
    State.DISPATCHED: pgettext_lazy("case state", "Dispatched"),
    State.ACCEPTED: pgettext_lazy("case state", "Signed for"),
    State.RETURNED: pgettext_lazy("case state", "Returned, awaiting review"),
    State.IN_PROGRESS: pgettext_lazy("case state", "In progress"),
    State.REPLIED: pgettext_lazy("case state", "Replied"),
    State.RATED: pgettext_lazy("case state", "Rated"),
    State.CLOSED: pgettext_lazy("case state", "Closed and archived"),
    State.REOPENED: pgettext_lazy("case state", "Reopened"),
    State.ESCALATED: pgettext_lazy("case state", "Escalated as overdue"),
    State.MERGED: pgettext_lazy("case state", "Merged"),
    State.UNDER_REVIEW: pgettext_lazy("case state", "Unreasonable request under review"),
    State.DISMISSED: pgettext_lazy("case state", "Dismissed as unreasonable"),
}

ACTION_LABELS: dict[Action, Promise] = {
    Action.DISPATCH: pgettext_lazy("case action", "Dispatch"),
    Action.ANSWER_DIRECTLY: pgettext_lazy("case action", "Answer directly"),
    Action.ACCEPT: pgettext_lazy("case action", "Sign for"),
    Action.RETURN: pgettext_lazy("case action", "Return"),
    Action.REASSIGN: pgettext_lazy("case action", "Reassign"),
    Action.REJECT_RETURN: pgettext_lazy("case action", "Reject the return"),
    Action.START: pgettext_lazy("case action", "Start handling"),
    Action.REPLY: pgettext_lazy("case action", "Reply"),
    Action.RATE: pgettext_lazy("case action", "Follow-up rating"),
    Action.CLOSE: pgettext_lazy("case action", "Close and archive"),
    Action.CLOSE_UNRATED: pgettext_lazy("case action", "Not rated in time, archived"),
    Action.REOPEN: pgettext_lazy("case action", "Reopen"),
    Action.ESCALATE: pgettext_lazy("case action", "Escalate as overdue"),
    Action.MERGE: pgettext_lazy("case action", "Merge"),
    Action.FLAG_UNREASONABLE: pgettext_lazy("case action", "Flag as an unreasonable request"),
    Action.DISMISS: pgettext_lazy("case action", "Dismiss as unreasonable"),
    Action.CLEAR_REVIEW: pgettext_lazy("case action", "Review not upheld, back to dispatch"),
    Action.REQUEST_EXTENSION: pgettext_lazy("case action", "Request an extension"),
    Action.GRANT_EXTENSION: pgettext_lazy("case action", "Grant the extension"),
    Action.DENY_EXTENSION: pgettext_lazy("case action", "Deny the extension"),
    Action.URGE: pgettext_lazy("case action", "Urge"),
    Action.SUPERVISE: pgettext_lazy("case action", "Supervise"),
    Action.RESOLVE_ON_SPOT: pgettext_lazy("case action", "Resolved on the spot"),
    Action.SPOT_CHECK_CONFIRM: pgettext_lazy("case action", "Spot check: confirmed"),
    Action.SPOT_CHECK_REOPEN: pgettext_lazy("case action", "Spot check failed, to dispatch"),
}

#: per rate: its name, what its numerator counts, what its denominator counts
RATE_LABELS: dict[str, tuple[Promise, Promise, Promise]] = {
    "response": (
        pgettext_lazy("rate", "Response rate"),
        pgettext_lazy("rate", "cases signed for within the limit"),
        pgettext_lazy("rate", "dispatched cases whose response limit has passed or that were responded to"),
    ),
    "resolution": (
        pgettext_lazy("rate", "Resolution rate"),
        pgettext_lazy("rate", "cases the resident called resolved at the follow-up"),
        pgettext_lazy("rate", "cases with a follow-up rating"),
    ),
    "satisfaction": (
        pgettext_lazy("rate", "Satisfaction rate"),
        pgettext_lazy("rate", "cases the resident called satisfied (fairly satisfied included) at the follow-up"),
        pgettext_lazy("rate", "cases with a follow-up rating"),
    ),
    "on_time": (
        pgettext_lazy("rate", "On-time rate"),
        pgettext_lazy("rate", "cases whose every reply came within the handling limit"),
        pgettext_lazy("rate", "cases replied to or past the handling limit"),
    ),
    "return": (
        pgettext_lazy("rate", "Return rate"),
        pgettext_lazy("rate", "cases returned at least once"),
        pgettext_lazy("rate", "all dispatched cases"),
    ),
    "reopen": (
        pgettext_lazy("rate", "Reopen rate"),
        pgettext_lazy("rate", "cases reopened at least once"),
        pgettext_lazy("rate", "cases replied to"),
    ),
    "first_time_resolution": (
        pgettext_lazy("rate", "First-time resolution rate"),
        pgettext_lazy("rate", "cases never returned or reopened that the follow-up called resolved"),
        pgettext_lazy("rate", "cases with a follow-up rating"),
    ),
    "follow_up": (
        pgettext_lazy("rate", "Follow-up rate"),
        pgettext_lazy("rate", "cases with a follow-up rating"),
        pgettext_lazy("rate", "cases replied to"),
    ),
}


def _in_reader_language(label: Promise, official: str) -> str:
    """The label translated; in Chinese the official term when the catalogue has no Chinese for it yet."""
    text = str(label)
    if (get_language() or "").startswith("zh") and not _CJK.search(text):
        return official
    return text


def state_label(state: str) -> str:
    """A case state's name in the reader's language (an unknown value is shown as it is)."""
    try:
        state = State(state)
    except ValueError:
        return str(state)
    return _in_reader_language(STATE_LABELS[state], state.zh)


def action_label(action: str) -> str:
    """A lifecycle action's name in the reader's language (an unknown value is shown as it is)."""
    try:
        action = Action(action)
    except ValueError:
        return str(action)
    return _in_reader_language(ACTION_LABELS[action], action.zh)


def rate_label(spec: RateSpec | str) -> str:
    """A rate's name in the reader's language."""
    spec = RATE_SPECS[spec] if isinstance(spec, str) else spec
    return _in_reader_language(RATE_LABELS[spec.name][0], spec.zh)


def rate_numerator_label(spec: RateSpec | str) -> str:
    spec = RATE_SPECS[spec] if isinstance(spec, str) else spec
    return _in_reader_language(RATE_LABELS[spec.name][1], spec.numerator_zh)


def rate_denominator_label(spec: RateSpec | str) -> str:
    spec = RATE_SPECS[spec] if isinstance(spec, str) else spec
    return _in_reader_language(RATE_LABELS[spec.name][2], spec.denominator_zh)
