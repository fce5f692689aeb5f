"""Writes about people: revealing personal data (audited), creating people with roles."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fuhe.accounts.models import User
from fuhe.accounts.selectors import PERSONAL_FIELDS
from fuhe.audit.services import audit_record


def personal_data_reveal(*, actor: User, person: User, field: str) -> str:
    """The unmasked value, for those who need it; every view of personal data is recorded."""
    if field not in PERSONAL_FIELDS:
        raise ValidationError({"field": f"{field!r} is not personal data"})
    if not actor.has_perm("accounts.view_personal_data", person):
        raise PermissionDenied("You may not see this person's personal data.")
    with transaction.atomic():
        audit_record(actor=actor, action="personal_data.viewed", target=person, summary={"field": field})
    return getattr(person, field)
