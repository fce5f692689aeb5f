"""Emergency mode (issue 16, item 8): a district switches a region (district, street or township) into emergency.

* ``emergency_start`` (reason, kind) and ``emergency_end`` (a summary is required): a leader, dispatcher or
  administrator of the region's district;
* while on: demands raised through ``emergency_demand_raise`` are of emergency priority by default (and
  ``demand_default_priority`` tells any other form the same); ``emergency_rerun`` re-runs the matching at once —
  first the pre-empting run over the emergency demands (``matching_run(emergency=…)``: a lower-priority
  reservation the optimum needs is withdrawn with a reason, owner and requester told; the emergency matches are
  offered at once), then the usual run for everything else;
* afterwards: ``emergency_record`` files everything done under it — demands, matching runs, matches, withdrawals,
  deliveries — from the audit rows of the period, and ``emergency_record_workbook`` exports it as Excel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from fuhe.audit.models import AuditEvent
from fuhe.audit.services import audit_record
from fuhe.resources.models import (
    Demand,
    DemandPriority,
    DemandSource,
    EmergencyKind,
    EmergencyPeriod,
    Match,
    MatchingRun,
)
from fuhe.resources.rules import can_declare_emergency, can_view_emergency
from fuhe.resources.services.common import ResourceError, choice_of, region_of
from fuhe.resources.services.demands import demand_create
from fuhe.resources.services.matching import matching_run


def active_emergency_for(region_id: int | None) -> EmergencyPeriod | None:
    """The open emergency period whose region holds ``region_id`` (the innermost, if periods nest)."""
    if region_id is None:
        return None
    for period in EmergencyPeriod.objects.filter(ended_at__isnull=True).select_related("region").order_by("-region_id"):
        if period.region.contains(region_id):
            return period
    return None


def demand_default_priority(region_id: int | None) -> int:
    """Demands raised in a region under emergency are of emergency priority by default."""
    if active_emergency_for(region_id) is not None:
        return DemandPriority.EMERGENCY
    return DemandPriority.BASIC_LIVELIHOOD


def emergency_start(*, actor, region_id, kind: str, reason: str) -> EmergencyPeriod:
    """Switch the region into emergency mode and re-run its matching at once (pre-empting)."""
    region = region_of(region_id)
    if region.level not in ("district", "street"):
        raise ResourceError({"region": _("Choose a district, street or township.")})
    if not can_declare_emergency(actor, region):
        raise PermissionDenied(_("You may not switch this region into emergency mode."))
    kind = choice_of(kind, EmergencyKind, "kind")
    reason = str(reason or "").strip()
    if not reason:
        raise ResourceError({"reason": _("Say why the region goes into emergency mode.")})
    try:
        with transaction.atomic():
            period = EmergencyPeriod.objects.create(
                region=region, kind=kind, reason=reason, started_by=actor, started_at=timezone.now()
            )
            audit_record(
                actor=actor,
                action="resources.emergency_start",
                target=period,
                summary={"region": region.pk, "kind": kind, "reason": reason},
            )
    except IntegrityError:
        raise ResourceError({"region": _("This region is already in emergency mode.")}) from None
    emergency_rerun(actor=actor, period=period)
    return period


def emergency_end(*, actor, period: EmergencyPeriod, summary: str) -> EmergencyPeriod:
    """Switch emergency mode off; the summary opens the after-action record."""
    summary = str(summary or "").strip()
    if not summary:
        raise ResourceError({"summary": _("Write a summary of the emergency before switching it off.")})
    with transaction.atomic():
        period = EmergencyPeriod.objects.select_for_update(of=("self",)).select_related("region").get(pk=period.pk)
        if not can_declare_emergency(actor, period.region):
            raise PermissionDenied(_("You may not switch off this emergency."))
        if period.ended_at is not None:
            raise ResourceError({"state": _("This emergency has already been switched off.")})
        period.ended_at, period.ended_by, period.summary = timezone.now(), actor, summary
        period.save(update_fields=["ended_at", "ended_by", "summary"])
        audit_record(
            actor=actor,
            action="resources.emergency_end",
            target=period,
            summary={"summary": summary, "started_at": period.started_at.isoformat()},
        )
    return period


def _check_open(period: EmergencyPeriod) -> None:
    if not EmergencyPeriod.objects.filter(pk=period.pk, ended_at__isnull=True).exists():
        raise ResourceError({"state": _("This emergency has already been switched off.")})


def emergency_rerun(*, actor, period: EmergencyPeriod) -> tuple[MatchingRun, MatchingRun]:
    """Re-run the matching of the region now: the pre-empting run over its emergency demands, then the usual one."""
    _check_open(period)
    preempting = matching_run(actor=actor, region=period.region, emergency=period)
    usual = matching_run(actor=actor, region=period.region)
    return preempting, usual


def emergency_demand_raise(*, actor, period: EmergencyPeriod, priority=None, **fields) -> Demand:
    """Raise a demand in the emergency's region (emergency priority unless told otherwise) and re-run at once."""
    _check_open(period)
    region_id = fields.get("region_id")
    if region_id in (None, ""):
        fields["region_id"] = region_id = period.region_id
    if not period.region.contains(int(region_id)):
        raise ResourceError({"region_id": _("The demand must lie in the region of the emergency.")})
    demand = demand_create(
        actor=actor,
        source=DemandSource.EMERGENCY,
        source_reference=f"emergency:{period.pk}",
        priority=DemandPriority.EMERGENCY if priority in (None, "") else priority,
        **fields,
    )
    emergency_rerun(actor=actor, period=period)
    return demand


# --- reads --------------------------------------------------------------------------------------------------------


def emergency_list(*, user) -> list[EmergencyPeriod]:
    rows = EmergencyPeriod.objects.select_related("region", "started_by").order_by("-started_at", "-id")
    return [period for period in rows if can_view_emergency(user, period)]


def emergency_get(*, user, period_id) -> EmergencyPeriod:
    try:
        period = EmergencyPeriod.objects.select_related("region", "started_by", "ended_by").get(pk=int(period_id))
    except (EmergencyPeriod.DoesNotExist, TypeError, ValueError):
        raise Http404("No such emergency") from None
    if not can_view_emergency(user, period):
        raise Http404("No such emergency")
    return period


RECORD_SECTIONS = {
    "resources.emergency_start": gettext_lazy("switched on"),
    "resources.emergency_end": gettext_lazy("switched off"),
    "resources.emergency_preempt": gettext_lazy("pre-emption"),
    "resources.demand_created": gettext_lazy("demand raised"),
    "resources.demand_closed": gettext_lazy("demand met"),
    "resources.demand_cancelled": gettext_lazy("demand cancelled"),
    "resources.matching_run": gettext_lazy("matching run"),
    "resources.match_offer": gettext_lazy("offered"),
    "resources.match_accept": gettext_lazy("accepted"),
    "resources.match_decline": gettext_lazy("declined"),
    "resources.match_withdraw": gettext_lazy("withdrawn"),
    "resources.match_deliver": gettext_lazy("delivered"),
    "resources.match_confirm": gettext_lazy("confirmed"),
    "resources.match_expire": gettext_lazy("expired"),
}


@dataclass
class RecordRow:
    at: datetime
    seq: int
    action: str
    label: str
    actor: str
    object_type: str
    object_id: str
    summary: dict


def _label(model) -> str:
    return model._meta.label_lower


def emergency_record(period: EmergencyPeriod) -> list[RecordRow]:
    """Everything done in the region while the emergency was on, from the audit chain: the period's own events,
    demands, matching runs and matches of the region (each row names its audit sequence number)."""
    end = period.ended_at or timezone.now()
    low, high = period.region.subtree
    in_region = {"region_id__gte": low, "region_id__lt": high}

    def ids(rows) -> QuerySet:  # audit rows name their object by a string id: compare in the database
        return rows.annotate(key=Cast("pk", CharField())).values("key")

    demands = ids(Demand.objects.filter(**in_region))
    runs = ids(MatchingRun.objects.filter(**in_region, created_at__gte=period.started_at, created_at__lte=end))
    matches = ids(Match.objects.filter(demand__region_id__gte=low, demand__region_id__lt=high))
    own = Q(object_type=_label(EmergencyPeriod), object_id=str(period.pk))  # switched on, pre-emptions, off
    done_there = (
        Q(object_type=_label(Demand), object_id__in=demands)
        | Q(object_type=_label(MatchingRun), object_id__in=runs)
        | Q(object_type=_label(Match), object_id__in=matches)
    ) & Q(at__gte=period.started_at, at__lte=end)
    events = AuditEvent.objects.filter(own | done_there, action__startswith="resources.")
    return [
        RecordRow(
            at=event.at,
            seq=event.seq,
            action=event.action,
            label=str(RECORD_SECTIONS.get(event.action, event.action)),
            actor=event.actor_label,
            object_type=event.object_type,
            object_id=event.object_id,
            summary=event.summary,
        )
        for event in events.order_by("seq")
    ]


def emergency_record_counts(rows: list[RecordRow]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.label] = counts.get(row.label, 0) + 1
    return counts


def emergency_record_workbook(period: EmergencyPeriod) -> Workbook:
    """The after-action record as a workbook: a header sheet (region, kind, reason, times, summary) and one row per
    audit event."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "emergency"
    local = timezone.localtime
    for label, value in (
        (_("region"), str(period.region)),
        (_("kind of emergency"), period.get_kind_display()),
        (_("reason"), period.reason),
        (_("started at"), local(period.started_at).strftime("%Y-%m-%d %H:%M")),
        (_("ended at"), local(period.ended_at).strftime("%Y-%m-%d %H:%M") if period.ended_at else ""),
        (_("summary"), period.summary),
    ):
        sheet.append([str(label), value])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    record = workbook.create_sheet("record")
    record.append([_("time"), _("audit no."), _("step"), _("by"), _("record"), _("id"), _("details")])
    for cell in record[1]:
        cell.font = Font(bold=True)
    for row in emergency_record(period):
        details = "; ".join(f"{key}={value}" for key, value in sorted(row.summary.items()))
        record.append(
            [
                local(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                row.seq,
                row.label,
                row.actor,
                row.object_type,
                row.object_id,
                details,
            ]
        )
    return workbook
