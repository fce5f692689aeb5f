"""Volunteer certification: issued by a recognised body (``core/certification.py``, the issuer table), with
evidence and an expiry; revoked with a reason. Each action writes a history event and an audit event in the same
transaction; refusals raise ``CertificationError`` naming the field, and nothing is written."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.audit.services import audit_record
from fuhe.participation.core import certification as rules_core
from fuhe.participation.models import Certification, CertificationEvent, CertificationLevel, ServiceField
from fuhe.participation.rules import acts_for_unit, fields_issued_by, is_staff_person
from fuhe.ui.errors import in_language

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
EVIDENCE_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")


class CertificationError(ValidationError):
    """A certification action refused (a form error at the edge); nothing was written."""


def certification_issue(
    *,
    actor,
    volunteer,
    issuer,
    field: str,
    level: int,
    evidence: str,
    valid_from: date,
    valid_until: date,
    evidence_file=None,
) -> Certification:
    """Certify ``volunteer`` in ``field`` at ``level`` on behalf of ``issuer``, a body the issuer table recognises
    for the field and that ``actor`` acts for."""
    errors: dict[str, str] = {}
    if field not in ServiceField.values or field == ServiceField.GENERAL:
        errors["field"] = _("Choose a field of service that needs a certification.")
    elif issuer is None or not acts_for_unit(actor, issuer):
        errors["issuer"] = _("You do not act for this issuing body.")
    elif field not in fields_issued_by(issuer):
        errors["issuer"] = _("%(unit)s is not a recognised issuer of %(field)s certifications.") % {
            "unit": issuer.name,
            "field": ServiceField(field).label,
        }
    if level not in CertificationLevel.values:
        errors["level"] = _("Choose a level.")
    if volunteer is None or not volunteer.is_active:
        errors["volunteer"] = _("Choose an active resident or volunteer.")
    elif is_staff_person(volunteer):
        errors["volunteer"] = _("Staff members are not certified as volunteers here.")
    evidence = (evidence or "").strip()
    if not evidence:
        errors["evidence"] = _("Describe the evidence: the certificate's name and number, or the training passed.")
    if valid_from is None or valid_until is None:
        errors["valid_until"] = _("Enter the dates of validity.")
    elif problem := rules_core.check_window(valid_from, valid_until):
        errors["valid_until"] = in_language(problem)
    if evidence_file is not None:
        name = (getattr(evidence_file, "name", "") or "").lower()
        if not name.endswith(EVIDENCE_SUFFIXES) or getattr(evidence_file, "size", 0) > MAX_EVIDENCE_BYTES:
            errors["evidence_file"] = _("The evidence file must be a PDF, JPEG or PNG of at most 5 MB.")
    if errors:
        raise CertificationError(errors)
    now = timezone.now()
    with transaction.atomic():
        certification = Certification(
            volunteer=volunteer,
            field=field,
            level=level,
            issuer=issuer,
            evidence=evidence,
            valid_from=valid_from,
            valid_until=valid_until,
            issued_by=actor,
            issued_at=now,
        )
        if evidence_file is not None:
            certification.evidence_file = evidence_file
        certification.save()
        CertificationEvent.objects.create(certification=certification, action="issued", actor=actor, at=now)
        audit_record(
            actor=actor,
            action="participation.certification_issued",
            target=certification,
            summary={
                "volunteer": volunteer.pk,
                "field": field,
                "level": level,
                "issuer": issuer.pk,
                "valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat(),
            },
        )
    return certification


def certification_revoke(*, actor, certification: Certification, reason: str) -> Certification:
    """Revoke ``certification`` with a reason: from now on it grants nothing. Only someone acting for its issuer."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificationError({"reason": _("Give the reason for the revocation.")})
    if not acts_for_unit(actor, certification.issuer):
        raise CertificationError({"issuer": _("You do not act for this issuing body.")})
    now = timezone.now()
    with transaction.atomic():
        locked = Certification.objects.select_for_update(of=("self",)).get(pk=certification.pk)
        if locked.revoked_at is not None:
            raise CertificationError({"certification": _("This certification was already revoked.")})
        locked.revoked_at, locked.revoked_by, locked.revocation_reason = now, actor, reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        CertificationEvent.objects.create(certification=locked, action="revoked", actor=actor, at=now, reason=reason)
        audit_record(
            actor=actor,
            action="participation.certification_revoked",
            target=locked,
            summary={"volunteer": locked.volunteer_id, "field": locked.field, "reason": reason},
        )
    return locked
