"""How cases, events, regions and units are shown through the API: personal data is never output in full.

Reporter names are left out, reporter phones are masked, and the personal data typed into free text (title,
description, address, reasons, replies: phone, ID, bank card and plate numbers, flats and units, names after a cue)
is hidden by the platform's one redaction, ``fuhe.audit.core.masking.redact``.
"""

from __future__ import annotations

from django.utils import timezone

from fuhe.audit.core.masking import mask_phone, redact
from fuhe.cases.core.lifecycle import State
from fuhe.cases.models import Case, CaseEvent, ReportInStatus, Summons
from fuhe.cases.selectors import HANDLING_STATES, INTAKE_STATES, SummonsActions
from fuhe.org.models import Region, Unit


def region_ref(region: Region | None) -> dict | None:
    if region is None:
        return None
    return {"id": region.id, "code": region.code, "name": region.name, "level": region.level}


def region_out(region: Region) -> dict:
    return {**region_ref(region), "parent_id": region.parent_id, "kind": region.kind, "population": region.population}


def unit_ref(unit: Unit | None) -> dict | None:
    return None if unit is None else {"id": unit.id, "name": unit.name, "kind": unit.kind}


def unit_out(unit: Unit) -> dict:
    return {
        **unit_ref(unit),
        "department_type": unit.department_type,
        "region": region_ref(unit.region),
        "is_active": unit.is_active,
    }


def _float(value) -> float | None:
    return None if value is None else float(value)


def is_overdue(case: Case, now=None) -> bool:
    now = now or timezone.now()
    return case.state in HANDLING_STATES and case.resolution_due is not None and case.resolution_due < now


def state_label(state: str) -> str:
    try:
        return State(state).zh
    except ValueError:
        return state


def case_out(case: Case) -> dict:
    category = case.category
    return {
        "id": case.pk,
        "tracking_code": case.tracking_code,
        "title": redact(case.title),
        "text": redact(case.text),
        "state": case.state,
        "state_label": state_label(case.state),
        "channel": case.channel,
        "request_type": case.request_type,
        "urgency": case.urgency,
        "category": None if category is None else {"id": category.pk, "name": category.name, "path": category.path},
        "region": region_ref(case.region),
        "address": redact(case.address),
        "latitude": _float(case.latitude),
        "longitude": _float(case.longitude),
        "owner_unit": unit_ref(case.owner_unit),
        "reporter_phone": mask_phone(case.reporter_phone),
        "is_public": case.is_public,
        "is_proactive": case.is_proactive,
        "is_overdue": is_overdue(case),
        "created_at": case.created_at,
        "dispatched_at": case.dispatched_at,
        "accepted_at": case.accepted_at,
        "acceptance_due": case.acceptance_due,
        "resolution_due": case.resolution_due,
        "replied_at": case.replied_at,
        "closed_at": case.closed_at,
        "reply_outcome": case.reply_outcome,
        "reply_text": redact(case.reply_text),
        "rating_resolved": case.rating_resolved,
        "rating_satisfied": case.rating_satisfied,
        "hop_count": case.hop_count,
        "return_count": case.return_count,
        "reopen_count": case.reopen_count,
        "merged_into": case.merged_into.tracking_code if case.merged_into_id else None,
    }


def event_out(event: CaseEvent) -> dict:
    return {
        "at": event.at,
        "action": event.action,
        "action_label": event.get_action_label(),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "unit": unit_ref(event.unit),
        "reason": redact(event.reason),
        "is_public": event.is_public,
    }


def summons_out(summons: Summons, actions: SummonsActions) -> dict:
    """A summons (``case_summons_list``: report-ins prefetched, ``released_at`` set) with, on each summoned
    department, what the caller may do about it (``case_summons_actions``)."""
    departments = []
    for report_in in summons.report_ins.all():
        is_released = report_in.status == ReportInStatus.RELEASED
        allowed = [
            name
            for name, ids in (("report_in", actions.report_in), ("release", actions.release))
            if report_in.pk in ids
        ]
        departments.append(
            {
                "id": report_in.pk,
                "department": unit_ref(report_in.department),
                "status": report_in.status,
                "status_label": str(ReportInStatus(report_in.status).label),
                "reported_at": report_in.reported_at,
                "is_on_time": report_in.is_on_time,
                "note": "" if is_released else redact(report_in.note),
                "released_at": getattr(report_in, "released_at", None),
                "release_reason": redact(report_in.note) if is_released else "",
                "actions": allowed,
            }
        )
    return {
        "id": summons.pk,
        "whistled_by": unit_ref(summons.whistled_by),
        "whistled_at": summons.whistled_at,
        "due_at": summons.due_at,
        "reason": redact(summons.reason),
        "is_open": any(d["status"] == ReportInStatus.PENDING for d in departments),
        "departments": departments,
    }


def is_intake_overdue(case: Case, now=None) -> bool:
    """Still waiting for its first dispatch (the intake clock runs) after its dispatch deadline."""
    now = now or timezone.now()
    return (
        case.state in INTAKE_STATES
        and case.dispatched_at is None
        and case.intake_due is not None
        and case.intake_due < now
    )
