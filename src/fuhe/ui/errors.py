"""One way to turn a refused request into the sentence a page shows, in the reader's language."""

from __future__ import annotations

import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

#: the fields services name in their errors, as a person reads them; a field missing here is shown by its name
FIELD_LABELS = {
    "action": _("Action"),
    "actor": _("You"),
    "address": _("Address"),
    "case": _("Case"),
    "category_id": _("Category"),
    "code": _("Tracking code"),
    "days": _("Days"),
    "departments": _("Departments"),
    "field": _("Field"),
    "file": _("File"),
    "Idempotency-Key": _("Idempotency key"),
    "into": _("Merge into"),
    "items": _("Items"),
    "note": _("Note"),
    "outcome": _("Outcome"),
    "owner": _("Owner"),
    "phone": _("Phone"),
    "photos": _("Photos"),
    "rating": _("Rating"),
    "reason": _("Reason"),
    "reasons": _("Reasons"),
    "region": _("Region"),
    "region_id": _("Region"),
    "report_in": _("Report-in"),
    "satisfied": _("Satisfied"),
    "scopes": _("Scopes"),
    "status": _("Status"),
    "text": _("Text"),
    "title": _("Title"),
    "unit": _("Unit"),
    "year": _("Year"),
}

# "中文。 / English." (or "中文 / English"): a message the algorithm cores give in both languages, since they may not
# import Django's translation; the page shows the half in the reader's language
_BILINGUAL = re.compile(r"^(?P<zh>[^/]*[\u4e00-\u9fff][^/]*?)\s+/\s+(?P<en>[A-Za-z].*)$", re.DOTALL)


def in_language(message: str) -> str:
    """The half of a bilingual "中文 / English" message in the current language; any other message unchanged."""
    found = _BILINGUAL.match(message)
    if found is None:
        return message
    return found["zh"] if (get_language() or "").startswith("zh") else found["en"]


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def error_text(exc: Exception, *, with_fields: bool = True) -> str:
    """The messages of ``exc``; a ``ValidationError`` per field is shown as "field: message" with the field's label
    in the reader's language (or the messages alone when the page already shows them beside the field)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        parts = []
        for field, messages in exc.message_dict.items():
            text = " ".join(in_language(str(m)) for m in messages)
            named = with_fields and field != NON_FIELD_ERRORS
            parts.append(
                gettext("%(field)s: %(message)s") % {"field": field_label(field), "message": text} if named else text
            )
        return gettext("; ").join(parts)
    return " ".join(in_language(str(m)) for m in getattr(exc, "messages", [str(exc)]))
