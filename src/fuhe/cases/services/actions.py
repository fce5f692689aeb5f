"""One entry point for every action a person takes on a case, shared by the web UI and the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from fuhe.cases.core.lifecycle import Action
from fuhe.cases.models import Case, ReportIn
from fuhe.cases.rules import may_record_follow_up
from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.summons import summons_release, summons_report_in, summons_whistle
from fuhe.org.models import Unit, UnitKind
from fuhe.org.regions import district_units

EXTRA_ACTIONS = ("whistle", "report_in", "release", "follow_up")


def dispatch_units(case: Case):
    """Units a case can be dispatched to: every active unit of the case's district (departments, streets,
    committees), so the right department of *that* district is chosen. A case placed in a city or province
    itself is dispatched among all of its units. The district comes from the key: no walk up the parents."""
    region = case.region
    if region is None:
        return Unit.objects.none()
    return (
        district_units(region_id=region.id, level=region.level)
        .exclude(kind__in=[UnitKind.PARTY_ORG, UnitKind.ENTERPRISE])
        .select_related("region")
        .order_by("kind", "name")
    )


def _unit(case: Case, unit_id) -> Unit:
    unit = dispatch_units(case).filter(pk=unit_id).first() if unit_id else None
    if unit is None:
        raise ValidationError({"unit": _("Choose a unit of this case's district.")})
    return unit


def _report_in(actor, case: Case, report_in_id) -> ReportIn:
    report_ins = ReportIn.objects.filter(pk=report_in_id or 0, summons__case=case)
    report_in = report_ins.select_related("summons__case").first()
    if report_in is None:
        raise ValidationError({"report_in": _("No such summoned department on this case.")})
    return report_in


def case_perform(
    *,
    actor,
    case: Case,
    action: str,
    reason: str = "",
    unit=None,
    outcome: str = "",
    text: str = "",
    days=None,
    into: str = "",
    departments=(),
    report_in=None,
    resolved=None,
    satisfied=None,
    reasons=(),
) -> Case:
    """Perform ``action`` with its inputs; raises ValidationError, PermissionDenied or IllegalTransition."""
    match action:
        case "dispatch":
            return loop.case_dispatch(actor=actor, case=case, unit=_unit(case, unit))
        case "reassign":
            return loop.case_reassign(actor=actor, case=case, unit=_unit(case, unit), reason=reason)
        case "reply":
            return loop.case_reply(actor=actor, case=case, outcome=outcome, text=text)
        case "answer_directly":
            return loop.case_answer_directly(actor=actor, case=case, text=text or reason)
        case "request_extension":
            return loop.case_request_extension(actor=actor, case=case, days=int(days or 0), reason=reason)
        case "grant_extension":
            return loop.case_grant_extension(actor=actor, case=case)
        case "merge":
            target = Case.objects.filter(tracking_code=(into or "").strip().upper()).first()
            if target is None or not actor.has_perm("cases.view_case", target):
                raise ValidationError({"into": _("No such case to merge into.")})
            return loop.case_merge(actor=actor, case=case, into=target)
        case "whistle":
            chosen = list(dispatch_units(case).filter(pk__in=list(departments or []), kind=UnitKind.DEPARTMENT))
            summons_whistle(actor=actor, case=case, departments=chosen, reason=reason)
            return case
        case "report_in":
            summons_report_in(actor=actor, report_in=_report_in(actor, case, report_in), note=reason or text)
            return case
        case "release":
            summons_release(actor=actor, report_in=_report_in(actor, case, report_in), reason=reason)
            return case
        case "follow_up":  # 回访: the dispatching side records the resident's answer given on the phone
            if not may_record_follow_up(actor, case):
                raise PermissionDenied(
                    _("A follow-up call is recorded by the street or hotline centre, never by the handling unit.")
                )
            if resolved is None or satisfied is None:
                raise ValidationError({"satisfied": _("Record both answers of the follow-up call.")})
            return loop.case_rate(
                actor=actor,
                case=case,
                resolved=resolved,
                satisfied=satisfied,
                channel="call",
                reasons=reasons,
                comment=reason,
            )
        case _:
            try:
                Action(action)
            except ValueError:
                message = _("%(action)s is not an action.") % {"action": repr(action)}
                raise ValidationError({"action": message}) from None
            return loop.case_transition(actor=actor, case=case, action=action, reason=reason)
