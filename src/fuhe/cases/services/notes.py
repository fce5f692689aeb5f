"""Neutral notes on a case's timeline, written by the contexts above cases (a resource delivered for the case, …).

A note never moves the case: it is a ``CaseEvent`` with no state change (``fuhe verify_cases`` replays states from
``to_state``, which a note leaves empty), append-only like every event, with its audit row in the same transaction.
No existing event kind is neutral (every lifecycle action moves or judges the case, and ``whistle`` / ``report_in``
/ ``release`` belong to 吹哨报到), so notes use their own kind, ``note``: ``CaseEvent.action`` is free text, no
migration is needed. The text is stored in the platform's language (like a notification) and its message id and
parameters in ``data``, so it can be shown again in another language.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.audit.services import audit_record
from fuhe.cases.models import Case, CaseEvent
from fuhe.cases.services.notify import platform_text

NOTE_ACTION = "note"
NOTE_MAX_LENGTH = 1000


def case_note(*, case: Case, actor, text_key: str, params: dict | None = None, is_public: bool = False) -> CaseEvent:
    """Append a note to ``case``'s timeline. ``text_key`` is an English msgid marked with ``gettext_noop`` and
    ``params`` its %-placeholders (JSON values). The note is internal unless ``is_public`` (shown to the resident
    on the tracking page)."""
    params = dict(params or {})
    try:
        text = platform_text(text_key, **params)
    except (KeyError, TypeError, ValueError):
        raise ValidationError({"params": _("The note's text and its values do not fit together.")}) from None
    text = text.strip()
    if not text:
        raise ValidationError({"text_key": _("A note needs a text.")})
    actor = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case=case,
            at=timezone.now(),
            actor=actor,
            action=NOTE_ACTION,
            unit_id=case.owner_unit_id,
            reason=text[:NOTE_MAX_LENGTH],
            is_public=is_public,
            data={"text_key": text_key, "params": params},
        )
        audit_record(
            actor=actor,
            action="case.note_added",
            target=case,
            summary={"event": event.pk, "text_key": text_key, "params": params},
        )
    return event
