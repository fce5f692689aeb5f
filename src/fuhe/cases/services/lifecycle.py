"""The one service that moves a case through its life: ``case_transition`` and the actions built on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fuhe.audit.services import audit_record
from fuhe.cases import labels
from fuhe.cases.core.lifecycle import Action, Clock, IllegalTransition, State, apply, rating_deadline
from fuhe.cases.core.workcalendar import ClockUnit
from fuhe.cases.models import Case, CaseEvent, DissatisfactionReason, ReplyOutcome
from fuhe.cases.rules import can_act
from fuhe.cases.selectors import case_facts
from fuhe.cases.services.clocks import deadlines_from, intake_clocks_start, intake_overdue_escalate, work_calendar
from fuhe.cases.services.notify import notify_reporter, notify_unit, platform_text
from fuhe.db import insert
from fuhe.org.models import Unit


def action_label(action: Action) -> str:
    """The action's name in the reader's language (``labels.action_label``, msgctxt "case action") as a sentence
    names it: "派单", "dispatch"."""
    label = labels.action_label(action)
    return label[:1].lower() + label[1:] if label[:1].isascii() else label


def _case_text(message: str, case: Case, **values) -> str:
    """A notification about ``case`` in the platform's language (``notify.platform_text``)."""
    return platform_text(message, code=case.tracking_code, title=case.title, **values)


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",)).select_related("owner_unit", "category", "region").get(pk=case.pk)
    )


def case_transition(
    *,
    actor,
    case: Case,
    action: Action | str,
    reason: str = "",
    owner: Unit | None = None,
    duplicate_of: Case | None = None,
    event_data: dict | None = None,
    public: bool = True,
    check_permission: bool = True,
) -> Case:
    """Apply ``action`` to ``case``: guards, state, counters, clocks, timeline, audit — in one transaction.

    Raises ``IllegalTransition`` (state or guard) or ``PermissionDenied`` (role); nothing changes then.
    """
    action = Action(action)
    with transaction.atomic():
        case = _lock(case)
        stored = _values(case)
        if check_permission and not can_act(actor, case, action):
            raise PermissionDenied(_("You may not %(action)s this case.") % {"action": action_label(action)})
        result = apply(case.state, action, case_facts(case, owner=owner, duplicate_of=duplicate_of), reason=reason)
        now = timezone.now()
        before = {"state": case.state, "owner_unit": case.owner_unit_id}
        case.state = result.after
        if owner is not None:
            case.owner_unit = owner
        counted = []  # counters raised in the database (F), read back after the save
        if result.counts_hop:
            case.hop_count = F("hop_count") + 1
            counted.append("hop_count")
        if action is Action.RETURN:
            case.return_count = F("return_count") + 1
            counted.append("return_count")
        if result.counts_reopen:
            case.reopen_count = F("reopen_count") + 1
            counted.append("reopen_count")
        if action is Action.ESCALATE:
            case.was_escalated = True
        if action is Action.MERGE:
            case.merged_into = duplicate_of
        _apply_clocks(case, result.clocks, now, action)
        # only the columns this step changed: an UPDATE of every column rewrites every index entry of the row
        # (tracking code, category, reporter …) and serialises the text and the routing note again for nothing
        case.save(
            update_fields=[
                name for name, value in _values(case).items() if value is not stored[name] and value != stored[name]
            ]
        )
        if counted:  # every other field holds what was just saved
            case.refresh_from_db(fields=counted)
        insert(
            CaseEvent(
                case=case,
                at=now,
                actor=actor if _is_user(actor) else None,
                action=action.value,
                from_state=result.before.value,
                to_state=result.after.value,
                unit=owner or case.owner_unit,
                reason=result.reason,
                is_public=public,
                data=event_data or {},
            )
        )
        audit_record(
            actor=actor if _is_user(actor) else None,
            action=f"case.{action.value}",
            target=case,
            summary={
                "before": before,
                "after": {"state": case.state, "owner_unit": case.owner_unit_id},
                "reason": result.reason,
            },
        )
    return case


_CASE_FIELDS = [(field.name, field.attname) for field in Case._meta.concrete_fields if not field.primary_key]


def _values(case: Case) -> dict:
    """The case's column values by field name (a key's value for a relation: its id)."""
    values = case.__dict__
    return {name: values[attname] for name, attname in _CASE_FIELDS if attname in values}


def _is_user(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _apply_clocks(case: Case, clocks, now, action: Action) -> None:
    if Clock.RESOLUTION in clocks.starts or Clock.ACCEPTANCE in clocks.starts:
        deadlines = deadlines_from(case, now)
        if Clock.ACCEPTANCE in clocks.starts:
            case.acceptance_due = deadlines.acceptance.at
            case.accepted_at = None
        if Clock.RESOLUTION in clocks.starts:
            case.resolution_due = deadlines.resolution.at
            case.deadline_uses_fallback = deadlines.used_fallback
            case.warned_at = None
    if action is Action.DISPATCH or action is Action.REASSIGN:
        case.dispatched_at = now
    if Clock.ACCEPTANCE in clocks.stops and action is Action.ACCEPT:
        case.accepted_at = now
        case.accepted_on_time = case.acceptance_due is None or now <= case.acceptance_due
    if action in (Action.REPLY, Action.ANSWER_DIRECTLY):
        case.replied_at = now
        case.replied_on_time = case.resolution_due is None or now <= case.resolution_due
    if Clock.RESOLUTION in clocks.extends and case.extension_pending_days and case.resolution_due:
        extended = work_calendar().deadline_after(
            case.resolution_due, case.extension_pending_days, ClockUnit.WORKING_DAY
        )
        case.resolution_due = extended.at
        # an extension into a year without a published schedule makes the deadline provisional too
        case.deadline_uses_fallback = case.deadline_uses_fallback or extended.used_fallback
    if action in (Action.GRANT_EXTENSION, Action.DENY_EXTENSION):
        case.extension_pending_days = None
    if action in (Action.CLOSE, Action.CLOSE_UNRATED, Action.MERGE, Action.DISMISS):
        case.closed_at = now
    if action is Action.REOPEN:
        # the resident's unsatisfied rating stands until they rate the rework (docs/metrics.md): clearing it here
        # took the dissatisfaction out of 解决率/满意率 for as long as the case was being reworked
        case.closed_at = None


# --- actions with their own inputs -----------------------------------------------------------------


def case_dispatch(*, actor, case: Case, unit: Unit, routing: dict | None = None) -> Case:
    if routing is not None:
        Case.objects.filter(pk=case.pk).update(routing=routing)
    case = case_transition(
        actor=actor,
        case=case,
        action=Action.DISPATCH,
        owner=unit,
        event_data={"unit": unit.name, **({"routing": routing} if routing else {})},
    )
    notify_unit(unit.pk, case=case, text=_case_text(gettext_noop("New case %(code)s: %(title)s"), case))
    return case


def case_reassign(*, actor, case: Case, unit: Unit, reason: str) -> Case:
    case = case_transition(
        actor=actor, case=case, action=Action.REASSIGN, owner=unit, reason=reason, event_data={"unit": unit.name}
    )
    notify_unit(unit.pk, case=case, text=_case_text(gettext_noop("Case reassigned to you %(code)s: %(title)s"), case))
    return case


def case_return(*, actor, case: Case, reason: str) -> Case:
    return case_transition(actor=actor, case=case, action=Action.RETURN, reason=reason)


def case_reply(*, actor, case: Case, outcome: str, text: str) -> Case:
    if outcome not in ReplyOutcome.values:
        raise ValidationError({"outcome": _("%(outcome)s is not an outcome.") % {"outcome": repr(outcome)}})
    if not text.strip():
        raise ValidationError({"text": _("The reply to the resident is empty.")})
    case = case_transition(actor=actor, case=case, action=Action.REPLY, event_data={"outcome": outcome})
    Case.objects.filter(pk=case.pk).update(reply_outcome=outcome, reply_text=text.strip())
    case.refresh_from_db()
    days = settings.FUHE_RATING_WINDOW_DAYS
    notify_reporter(
        case,
        _case_text(
            gettext_noop(
                "Your request %(code)s has been answered. Within %(days)s days, please say whether it was resolved"
                " and whether you are satisfied."
            ),
            case,
            days=days,
        ),
    )
    return case


def case_answer_directly(*, actor, case: Case, text: str) -> Case:
    if not text.strip():
        raise ValidationError({"text": _("The answer is empty.")})
    case = case_transition(actor=actor, case=case, action=Action.ANSWER_DIRECTLY)
    Case.objects.filter(pk=case.pk).update(reply_outcome=ReplyOutcome.EXPLAINED, reply_text=text.strip())
    case.refresh_from_db()
    notify_reporter(case, _case_text(gettext_noop("Your request %(code)s has been answered directly."), case))
    return case


@dataclass(frozen=True)
class RatingWindow:
    """The time a replied case may be rated: ``FUHE_RATING_WINDOW_DAYS`` calendar days after its latest reply."""

    deadline: datetime | None  # None before any reply
    is_over: bool

    @property
    def is_open(self) -> bool:
        return self.deadline is not None and not self.is_over


def case_rating_window(case: Case, *, now: datetime | None = None) -> RatingWindow:
    deadline = rating_deadline(case.replied_at, settings.FUHE_RATING_WINDOW_DAYS)
    return RatingWindow(deadline, deadline is not None and deadline <= (now or timezone.now()))


def case_rate(
    *,
    actor,
    case: Case,
    resolved: bool,
    satisfied: bool,
    channel: str = "tracking",
    reasons: Sequence[str] = (),
    comment: str = "",
) -> Case:
    """The resident's judgement (tracking link, or a follow-up call): then close or reopen. An unsatisfied
    rating says why (``reasons``, codes of ``DissatisfactionReason``, and the resident's own words). After the
    rating window (``case_rating_window``) nobody can rate the reply any more: the case counts as 未评价."""
    window = case_rating_window(case)
    reply_unrated = case.rated_at is None or (case.replied_at is not None and case.rated_at < case.replied_at)
    if window.is_over and reply_unrated and case.state in (State.REPLIED, State.CLOSED):
        raise ValidationError(
            {
                "rating": _(
                    "The time to rate this reply ended on %(date)s (%(days)s days after the reply). "
                    "The case was closed as not rated."
                )
                % {
                    "date": date_format(timezone.localtime(window.deadline), "Y-m-d H:i"),
                    "days": settings.FUHE_RATING_WINDOW_DAYS,
                }
            }
        )
    reasons = sorted(set(reasons))
    if not satisfied and not reasons:
        raise ValidationError({"reasons": _("Say why the resident is not satisfied.")})
    unknown = [code for code in reasons if code not in DissatisfactionReason.values]
    if unknown:
        raise ValidationError({"reasons": _("Unknown reason: %(codes)s.") % {"codes": ", ".join(unknown)}})
    data = {"resolved": resolved, "satisfied": satisfied, "channel": channel}
    if not satisfied:
        data.update(reasons=reasons, comment=comment.strip()[:500])
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(
            rating_resolved=resolved, rating_satisfied=satisfied, rated_at=timezone.now()
        )
        case.refresh_from_db()
        case = case_transition(
            actor=actor,
            case=case,
            action=Action.RATE,
            check_permission=False,
            event_data=data,
        )
        if satisfied:
            return case_transition(actor=actor, case=case, action=Action.CLOSE, check_permission=False)
        try:
            case = case_transition(
                actor=actor,
                case=case,
                action=Action.REOPEN,
                check_permission=False,
                reason=platform_text(gettext_noop("the resident is not satisfied")),
            )
        except IllegalTransition:  # reopen limit reached: close, the dissatisfaction stays on record
            return case_transition(actor=actor, case=case, action=Action.CLOSE, check_permission=False)
        if case.owner_unit_id:
            notify_unit(
                case.owner_unit_id,
                case=case,
                text=_case_text(gettext_noop("Case %(code)s: the resident is not satisfied; it is reopened"), case),
            )
        return case


def case_request_extension(*, actor, case: Case, days: int, reason: str) -> Case:
    if not 1 <= days <= 15:
        raise ValidationError({"days": _("An extension is 1 to 15 working days.")})
    with transaction.atomic():
        case = case_transition(
            actor=actor, case=case, action=Action.REQUEST_EXTENSION, reason=reason, event_data={"days": days}
        )
        Case.objects.filter(pk=case.pk).update(extension_pending_days=days)
        case.refresh_from_db()
    return case


def case_grant_extension(*, actor, case: Case) -> Case:
    case = case_transition(actor=actor, case=case, action=Action.GRANT_EXTENSION)
    due = timezone.localtime(case.resolution_due)
    notify_reporter(
        case,
        _case_text(
            gettext_noop("The deadline of your request %(code)s has been extended to %(month)s/%(day)s."),
            case,
            month=due.month,
            day=due.day,
        ),
    )
    return case


def case_merge(*, actor, case: Case, into: Case) -> Case:
    if into.pk == case.pk or into.merged_into_id:
        raise ValidationError({"into": _("Merge into another case that is not itself merged.")})
    case = case_transition(
        actor=actor,
        case=case,
        action=Action.MERGE,
        duplicate_of=into,
        reason=f"并入 {into.tracking_code}",
        event_data={"into": into.tracking_code},
    )
    notify_reporter(case, f"您的诉求 {case.tracking_code} 与 {into.tracking_code} 合并办理，进展将同步告知。")
    return case


def cases_overdue_sweep(*, now=None, warn_within: timedelta = timedelta(hours=4)) -> dict[str, int]:
    """Warn owners before a deadline and escalate after it; start the intake (dispatch) clock of new cases and
    tell the district of those waiting past it (``services.clocks``). Idempotent; run by the background worker."""
    now = now or timezone.now()
    handling = [State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS, State.REOPENED]
    warned = escalated = 0
    intake_started = intake_clocks_start()
    intake_escalated = intake_overdue_escalate(now=now)
    for case in Case.objects.filter(
        state__in=handling, warned_at__isnull=True, resolution_due__gt=now, resolution_due__lte=now + warn_within
    ).select_related("owner_unit"):
        with transaction.atomic():
            Case.objects.filter(pk=case.pk).update(warned_at=now)
            if case.owner_unit_id:
                notify_unit(
                    case.owner_unit_id, case=case, text=_case_text(gettext_noop("Case %(code)s is due soon"), case)
                )
        warned += 1
    for case in Case.objects.filter(state__in=handling, resolution_due__lte=now):
        case_transition(
            actor=None,
            case=case,
            action=Action.ESCALATE,
            check_permission=False,
            reason=platform_text(gettext_noop("past the resolution deadline")),
        )
        escalated += 1
    return {
        "warned": warned,
        "escalated": escalated,
        "intake_started": intake_started,
        "intake_escalated": intake_escalated,
    }


def cases_unrated_close(*, now=None) -> dict[str, int]:
    """Close every replied case whose rating window has ended without a rating, as 未评价 (never as satisfied):
    the system's ``close_unrated`` step, with its event and audit row. Idempotent; run by the background worker."""
    now = now or timezone.now()
    window_days = settings.FUHE_RATING_WINDOW_DAYS
    closed = 0
    due = Case.objects.filter(state=State.REPLIED, replied_at__lte=now - timedelta(days=window_days))
    for case in due.order_by("pk"):
        try:
            case_transition(
                actor=None,
                case=case,
                action=Action.CLOSE_UNRATED,
                check_permission=False,
                reason=f"{window_days} 天内未评价 / not rated within {window_days} days",
                event_data={"rating": "unrated", "window_days": window_days},
            )
        except IllegalTransition:  # rated (or otherwise moved on) since it was read
            continue
        closed += 1
    return {"closed_unrated": closed}
