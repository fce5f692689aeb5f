"""吹哨报到: a street whistles, departments report in; the case cannot close while any summons is open."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fuhe.accounts.scope import scope_for
from fuhe.audit.services import audit_record
from fuhe.cases.core.lifecycle import TERMINAL, State
from fuhe.cases.models import Case, CaseEvent, ReportIn, ReportInStatus, Summons
from fuhe.cases.services.notify import notify_unit, platform_text
from fuhe.org.models import Unit, UnitKind

DEFAULT_REPORT_IN = timedelta(minutes=30)  # 平谷 origin: departments on site within 30 minutes
LONGEST_REPORT_IN = timedelta(days=7)  # a summons is urgent: a later time to report in by is a mistake


def summons_whistle(
    *, actor, case: Case, departments: Sequence[Unit], reason: str, due_at: datetime | None = None
) -> Summons:
    if not actor.has_perm("cases.whistle", case):
        raise PermissionDenied(_("Only the street/township or community centre of this case may whistle."))
    if State(case.state) in TERMINAL:
        raise ValidationError({"case": _("A closed case cannot be whistled.")})
    if not departments:
        raise ValidationError({"departments": _("Name at least one department to report in.")})
    if any(d.kind != UnitKind.DEPARTMENT for d in departments):
        raise ValidationError({"departments": _("Only functional departments are summoned.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the departments are summoned.")})
    if due_at is not None and due_at <= timezone.now():
        raise ValidationError({"due_at": _("The time to report in by must be in the future.")})
    if due_at is not None and due_at > timezone.now() + LONGEST_REPORT_IN:
        message = _("Departments report in within %(days)d days at most.") % {"days": LONGEST_REPORT_IN.days}
        raise ValidationError({"due_at": message})
    scope = scope_for(actor)
    whistler = Unit.objects.filter(pk__in=sorted(scope.unit_ids)).order_by("kind").first()
    if whistler is None:
        raise ValidationError({"actor": _("You act for no unit that could whistle.")})
    now = timezone.now()
    with transaction.atomic():
        summons = Summons.objects.create(
            case=case,
            whistled_by=whistler,
            whistled_at=now,
            due_at=due_at or now + DEFAULT_REPORT_IN,
            reason=reason.strip(),
        )
        ReportIn.objects.bulk_create([ReportIn(summons=summons, department=d) for d in departments])
        CaseEvent.objects.create(
            case=case,
            at=now,
            actor=actor,
            action="whistle",
            unit=whistler,
            reason=reason,
            data={"departments": [d.name for d in departments], "due_at": summons.due_at.isoformat()},
        )
        audit_record(
            actor=actor,
            action="case.whistle",
            target=case,
            summary={"after": {"summons": summons.pk, "departments": [d.pk for d in departments]}},
        )
        for department in departments:
            due = timezone.localtime(summons.due_at)
            notify_unit(
                department.pk,
                case=case,
                text=platform_text(
                    gettext_noop("Whistle: report in on case %(code)s before %(time)s"),
                    code=case.tracking_code,
                    time=f"{due:%H:%M}",
                ),
            )
    return summons


def _report_in_for(actor, report_in: ReportIn) -> ReportIn:
    report_in = ReportIn.objects.select_for_update().select_related("summons__case").get(pk=report_in.pk)
    if report_in.status != ReportInStatus.PENDING:
        raise ValidationError({"report_in": _("This department has already reported in or been released.")})
    return report_in


def summons_report_in(*, actor, report_in: ReportIn, note: str) -> ReportIn:
    """报到: a summoned department records what it did; punctuality is kept for two-way assessment."""
    if report_in.department_id not in scope_for(actor).unit_ids:
        raise PermissionDenied(_("Only the summoned department reports in."))
    if not note.strip():
        raise ValidationError({"note": _("Say what the department did.")})
    with transaction.atomic():
        report_in = _report_in_for(actor, report_in)
        now = timezone.now()
        report_in.status, report_in.reported_at, report_in.note = ReportInStatus.REPORTED, now, note.strip()
        report_in.is_on_time = now <= report_in.summons.due_at
        report_in.save()
        case = report_in.summons.case
        CaseEvent.objects.create(
            case=case,
            at=now,
            actor=actor,
            action="report_in",
            unit=report_in.department,
            reason=note.strip(),
            data={"on_time": report_in.is_on_time, "report_in": report_in.pk},
        )
        audit_record(
            actor=actor,
            action="case.report_in",
            target=case,
            summary={"after": {"department": report_in.department_id, "on_time": report_in.is_on_time}},
        )
    return report_in


def summons_release(*, actor, report_in: ReportIn, reason: str) -> ReportIn:
    """The whistling centre releases a department explicitly, with a reason."""
    case = report_in.summons.case
    if not actor.has_perm("cases.whistle", case):
        raise PermissionDenied(_("Only the whistling centre releases a summons."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the department is released.")})
    with transaction.atomic():
        report_in = _report_in_for(actor, report_in)
        now = timezone.now()
        report_in.status, report_in.note = ReportInStatus.RELEASED, reason.strip()
        report_in.save()
        CaseEvent.objects.create(
            case=case,
            at=now,
            actor=actor,
            action="release",
            unit=report_in.department,
            reason=reason.strip(),
            data={"report_in": report_in.pk},
        )
        audit_record(
            actor=actor,
            action="case.release_summons",
            target=case,
            summary={"after": {"department": report_in.department_id, "reason": reason.strip()}},
        )
    return report_in
