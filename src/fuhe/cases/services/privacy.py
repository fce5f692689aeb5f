"""A case's personal data: what a published summary shows, and the audited reveal of what pages show masked.

* ``public_summary``: what the public list (Open311) shows of a case its reporter chose to publish, and what the
  report form previews before they choose: the category, the place without flat or unit, the redacted text. Never
  the phone or the name.
* ``case_personal_data_reveal``: the reporter's full phone, or the case's full text, for those who may see the
  reporter (the handling unit, the dispatcher: ``cases.view_reporter``). Pages show both redacted; every reveal
  writes an audit event in the same transaction, naming the user, the case and the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fuhe.audit.core.masking import redact
from fuhe.audit.services import audit_record
from fuhe.cases.models import Case

#: the field revealed → the audit action that records it
REVEAL_ACTIONS = {"reporter_phone": "case.reporter_phone.view", "text": "case.text.view"}


@dataclass(frozen=True)
class PublicSummary:
    text: str
    place: str


def public_summary(*, text: str, address: str) -> PublicSummary:
    """The redacted text and place a published case shows (the one rule of the feed and of the form's preview)."""
    return PublicSummary(text=redact(text), place=redact(address))


def case_personal_data_reveal(*, actor, case: Case, field: str) -> str:
    """The unmasked ``field`` of ``case`` for a user who may see the reporter; the view is recorded."""
    if field not in REVEAL_ACTIONS:
        raise ValidationError({"field": _("%(field)s cannot be revealed") % {"field": field}})
    if not actor.has_perm("cases.view_reporter", case):
        raise PermissionDenied(_("You may not see this case's personal data."))
    with transaction.atomic():
        audit_record(actor=actor, action=REVEAL_ACTIONS[field], target=case, summary={"field": field})
    return getattr(case, field)
