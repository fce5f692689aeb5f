"""Volunteer service: requests posted by a community worker (the owner), taken by a certified volunteer, recorded
as the 民政部 rules on volunteer service records require (who, what, when, where, hours, free of charge), corrected
only by correction entries with a reason, and counter-signed by the owner, which credits the points.

``_transition`` is the only writer of ``ServiceRequest.state`` (the table is in ``core/volunteering.py``); every
action writes the request's event and an audit event in its transaction. Refusals raise ``VolunteeringError``
(or the ledger's ``LedgerError`` for the earning) naming the field, and nothing is written."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from fuhe.accounts.scope import scope_for
from fuhe.audit.services import audit_record
from fuhe.participation.core import volunteering as core
from fuhe.participation.models import (
    CertificationLevel,
    RequestState,
    ServiceField,
    ServiceRecord,
    ServiceRecordCorrection,
    ServiceRequest,
    ServiceRequestEvent,
)
from fuhe.participation.rules import (
    acts_for_unit,
    can_manage_request,
    can_post_requests,
    certification_grants,
    in_volunteer_area,
    is_staff_person,
)
from fuhe.participation.selectors import record_current
from fuhe.participation.services.ledger import LedgerError, points_earning_post, points_transaction_reverse
from fuhe.resources.models import ResourceKind
from fuhe.ui.errors import in_language


class VolunteeringError(ValidationError):
    """A volunteer-service action refused; nothing was written."""


def _transition(*, actor, request: ServiceRequest, action: str, **changes) -> ServiceRequest:
    """Lock the request, apply the state table, write its event: the only writer of ``state``."""
    locked = ServiceRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    target = core.next_state(locked.state, action)
    if target is None:
        raise VolunteeringError(
            {
                "state": _("This request is %(state)s: it cannot be changed that way.")
                % {"state": locked.get_state_display()}
            }
        )
    previous = locked.state
    locked.state = target
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=["state", *changes])
    ServiceRequestEvent.objects.create(
        request=locked, action=action, from_state=previous, to_state=target, actor=actor, at=timezone.now()
    )
    request.state = target
    for name, value in changes.items():
        setattr(request, name, value)
    return locked


def _hours(value, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise VolunteeringError({field: _("Enter the hours as a number, e.g. 1.5.")}) from None
    if problem := core.check_hours(hours):
        raise VolunteeringError({field: in_language(problem)})
    return hours


def service_request_create(
    *,
    actor,
    unit,
    title: str,
    field: str,
    region,
    place: str,
    starts_at: datetime,
    expected_hours,
    description: str = "",
    min_level: int = CertificationLevel.BASIC,
    points_per_hour: int = 10,
    case=None,
    demand=None,
) -> ServiceRequest:
    """Post a volunteer task on behalf of ``unit`` (the organisation issuing its points), owned by ``actor``."""
    errors: dict[str, str] = {}
    if not can_post_requests(actor) or unit is None or not acts_for_unit(actor, unit):
        errors["unit"] = _("You do not act for this organisation.")
    title, place = (title or "").strip(), (place or "").strip()
    if not title:
        errors["title"] = _("Enter a title.")
    if not place:
        errors["place"] = _("Enter where the service takes place.")
    if field not in ServiceField.values:
        errors["field"] = _("Choose a field of service.")
    if min_level not in CertificationLevel.values:
        errors["min_level"] = _("Choose a level.")
    if region is None or not scope_for(actor).contains_region(region.pk):
        errors["region"] = _("Choose a region within your area.")
    if starts_at is None:
        errors["starts_at"] = _("Enter when the service starts.")
    if type(points_per_hour) is not int or not 1 <= points_per_hour <= 100:
        errors["points_per_hour"] = _("Points per hour must be a whole number from 1 to 100.")
    if demand is not None and demand.kind != ResourceKind.VOLUNTEER_SKILL:
        errors["demand"] = _("Only a demand of kind volunteer skill becomes a volunteer task.")
    try:
        hours = _hours(expected_hours, "expected_hours")
    except VolunteeringError as exc:
        errors.update({key: messages[0] for key, messages in exc.message_dict.items()})
    if errors:
        raise VolunteeringError(errors)
    with transaction.atomic():
        request = ServiceRequest.objects.create(
            title=title,
            description=(description or "").strip(),
            field=field,
            min_level=min_level,
            region=region,
            place=place,
            starts_at=starts_at,
            expected_hours=hours,
            points_per_hour=points_per_hour,
            owner=actor,
            unit=unit,
            case=case,
            demand=demand,
            created_at=timezone.now(),
        )
        ServiceRequestEvent.objects.create(
            request=request, action="post", from_state="", to_state=request.state, actor=actor, at=request.created_at
        )
        audit_record(
            actor=actor,
            action="participation.service_request_posted",
            target=request,
            summary={
                "field": field,
                "unit": unit.pk,
                "region": region.pk,
                "case": case.pk if case else None,
                "demand": demand.pk if demand else None,
            },
        )
    return request


def service_request_take(*, actor, request: ServiceRequest) -> ServiceRequest:
    """``actor`` takes the request: only a volunteer certified (valid, not revoked) for its field and level, in
    its area, with fewer than ``MAX_OPEN_TASKS`` open tasks."""
    if is_staff_person(actor):
        raise VolunteeringError({"volunteer": _("Staff members do not take volunteer tasks.")})
    if not certification_grants(actor, request.field, min_level=request.min_level):
        raise VolunteeringError(
            {
                "certification": _(
                    "Only a volunteer with a valid %(field)s certification (level %(level)s or above) can take this "
                    "request."
                )
                % {"field": ServiceField(request.field).label, "level": CertificationLevel(request.min_level).label}
            }
        )
    if not in_volunteer_area(actor, request.region_id):
        raise VolunteeringError({"region": _("This request is outside the area you serve.")})
    with transaction.atomic():
        open_tasks = ServiceRequest.objects.filter(volunteer=actor, state=RequestState.TAKEN).count()
        if open_tasks >= core.MAX_OPEN_TASKS:
            raise VolunteeringError(
                {"volunteer": _("You already have %(count)s tasks open; record them first.") % {"count": open_tasks}}
            )
        locked = _transition(actor=actor, request=request, action="take", volunteer=actor, taken_at=timezone.now())
        audit_record(actor=actor, action="participation.service_request_taken", target=locked, summary={})
    return locked


def service_request_release(*, actor, request: ServiceRequest, reason: str = "") -> ServiceRequest:
    """The volunteer gives a taken request back (or its owner takes it back): it is open again."""
    if actor.pk != request.volunteer_id and not can_manage_request(actor, request):
        raise VolunteeringError({"volunteer": _("Only the volunteer who took it or its owner can release it.")})
    with transaction.atomic():
        previous = request.volunteer_id
        locked = _transition(actor=actor, request=request, action="release", volunteer=None, taken_at=None)
        audit_record(
            actor=actor,
            action="participation.service_request_released",
            target=locked,
            summary={"volunteer": previous, "reason": (reason or "").strip()},
        )
    return locked


def service_request_cancel(*, actor, request: ServiceRequest, reason: str) -> ServiceRequest:
    reason = (reason or "").strip()
    if not reason:
        raise VolunteeringError({"reason": _("Give the reason for the cancellation.")})
    if not can_manage_request(actor, request):
        raise VolunteeringError({"owner": _("Only the request's owner can cancel it.")})
    with transaction.atomic():
        locked = _transition(actor=actor, request=request, action="cancel")
        audit_record(
            actor=actor, action="participation.service_request_cancelled", target=locked, summary={"reason": reason}
        )
    return locked


def _overlapping(volunteer, started_at: datetime, hours: Decimal, *, excluding: int | None = None) -> bool:
    """Would a service from ``started_at`` for ``hours`` overlap a record of ``volunteer`` (as corrected)?"""
    others = ServiceRecord.objects.filter(volunteer=volunteer).exclude(pk=excluding).prefetch_related("corrections")
    for other in others:
        current = record_current(other)
        if core.overlaps(started_at, hours, current.started_at, current.hours):
            return True
    return False


def service_record_create(
    *, actor, request: ServiceRequest, content: str, place: str, started_at: datetime, hours
) -> ServiceRecord:
    """The volunteer who took the request records the service: what, where, when, how many hours (free of
    charge). The same hours are never claimed twice: a record overlapping another of the volunteer's is refused."""
    errors: dict[str, str] = {}
    if actor.pk != request.volunteer_id:
        errors["volunteer"] = _("Only the volunteer who took this request records its service.")
    content, place = (content or "").strip(), (place or request.place or "").strip()
    if not content:
        errors["content"] = _("Describe the service given.")
    if started_at is None:
        errors["started_at"] = _("Enter when the service started.")
    elif started_at > timezone.now():
        errors["started_at"] = _("A service is recorded after it took place.")
    try:
        hours = _hours(hours)
    except VolunteeringError as exc:
        errors.update({key: messages[0] for key, messages in exc.message_dict.items()})
        hours = None
    if not errors and _overlapping(actor, started_at, hours):
        errors["started_at"] = _(
            "These hours overlap another service record of yours: the same time cannot be claimed twice."
        )
    if errors:
        raise VolunteeringError(errors)
    with transaction.atomic():
        locked = _transition(actor=actor, request=request, action="record")
        record = ServiceRecord.objects.create(
            request=locked,
            volunteer=actor,
            content=content,
            place=place,
            started_at=started_at,
            hours=hours,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="participation.service_recorded",
            target=record,
            summary={"request": locked.pk, "hours": str(hours), "started_at": started_at.isoformat()},
        )
    return record


def _earn(*, actor, record: ServiceRecord, hours: Decimal, memo: str):
    request = record.request
    return points_earning_post(
        actor=actor,
        earner=record.volunteer,
        issuer=request.unit,
        points=core.record_points(hours, request.points_per_hour),
        reference=f"participation.servicerecord:{record.pk}",
        task_owner=request.owner,
        service_field=request.field,
        memo=memo[:200],
    )


def service_record_sign(*, actor, record: ServiceRecord, confirmed: bool):
    """The owner counter-signs the record (``confirmed``: the service took place as recorded): the volunteer is
    credited hours × the request's rate, debited from the issuing organisation. Refused without the signature,
    by anyone but the owner, for a volunteer not certified for the field on the day of service, and twice."""
    request = record.request
    if not confirmed:
        raise LedgerError({"counter_signer": _("An earning needs the counter-signature of the task's owner.")})
    current = record_current(record)
    day = timezone.localdate(current.started_at)
    if not certification_grants(record.volunteer, request.field, min_level=request.min_level, day=day):
        raise LedgerError({"service_field": _("The earner holds no valid certification for this field of service.")})
    with transaction.atomic():
        locked = ServiceRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
        if locked.earning_id is not None:
            raise LedgerError({"reference": _("Points for this reference were already credited to this person.")})
        earning = _earn(actor=actor, record=locked, hours=current.hours, memo=request.title)
        _transition(actor=actor, request=request, action="sign")
        locked.signed_by, locked.signed_at, locked.earning = actor, timezone.now(), earning
        locked.save(update_fields=["signed_by", "signed_at", "earning"])
        audit_record(
            actor=actor,
            action="participation.service_record_signed",
            target=locked,
            summary={"earning": earning.pk, "hours": str(current.hours)},
        )
    record.signed_by, record.signed_at, record.earning = locked.signed_by, locked.signed_at, earning
    return earning


def _text(value) -> str:
    """A record value as a correction entry keeps it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.1f}"
    return str(value)


def _parse_value(field: str, value: str):
    value = (value or "").strip()
    if field in ("content", "place"):
        if not value:
            raise VolunteeringError({"new_value": _("Enter the corrected value.")})
        return value, value
    if field == "hours":
        hours = _hours(value, "new_value")
        return hours, _text(hours)
    if field == "started_at":
        moment = parse_datetime(value.replace(" ", "T")) if value else None
        if moment is None:
            raise VolunteeringError({"new_value": _("Enter a date and time such as 2026-05-01 09:00.")})
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment, moment.isoformat()
    raise VolunteeringError({"field": _("This part of the record cannot be corrected.")})


def service_record_correct(*, actor, record: ServiceRecord, field: str, new_value: str, reason: str):
    """Correct one part of a record (content, place, start, hours) by a correction entry with its reason (the
    record itself is never rewritten). After the signature, a change of hours reverses the earning and credits the
    corrected points (the owner, who counter-signed it, corrects)."""
    reason = (reason or "").strip()
    if not reason:
        raise VolunteeringError({"reason": _("Give the reason for the correction.")})
    if not can_manage_request(actor, record.request):
        raise VolunteeringError({"owner": _("Only the request's owner can correct its service record.")})
    value, text = _parse_value(field, new_value)
    current = record_current(record)
    old = getattr(current, field)
    if _text(old) == text:
        raise VolunteeringError({"new_value": _("The corrected value is the same as the current one.")})
    if field in ("hours", "started_at"):
        start = value if field == "started_at" else current.started_at
        hours = value if field == "hours" else current.hours
        if _overlapping(record.volunteer, start, hours, excluding=record.pk):
            raise VolunteeringError(
                {"new_value": _("The corrected hours overlap another service record of this volunteer.")}
            )
    with transaction.atomic():
        locked = ServiceRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
        correction = ServiceRecordCorrection.objects.create(
            record=locked,
            field=field,
            old_value=_text(old)[:400],
            new_value=text[:400],
            reason=reason[:400],
            actor=actor,
            at=timezone.now(),
        )
        if field == "hours" and locked.earning_id is not None:
            points_transaction_reverse(actor=actor, original=locked.earning, reason=reason[:200])
            locked.earning = _earn(actor=actor, record=locked, hours=value, memo=reason)
            locked.save(update_fields=["earning"])
            record.earning = locked.earning
        audit_record(
            actor=actor,
            action="participation.service_record_corrected",
            target=locked,
            summary={"field": field, "old": correction.old_value, "new": correction.new_value, "reason": reason},
        )
    return correction
