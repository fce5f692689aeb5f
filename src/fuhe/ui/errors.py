"""One way to turn a refused request into the sentence a page shows."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def error_text(exc: Exception, *, with_fields: bool = True) -> str:
    """The messages of ``exc``; a ``ValidationError`` per field is shown as "field: message" (or the messages
    alone when the page already shows them beside the field)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        if with_fields:
            return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        return "; ".join(" ".join(msgs) for msgs in exc.message_dict.values())
    return " ".join(getattr(exc, "messages", [str(exc)]))
