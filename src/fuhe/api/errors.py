"""The API's one error format for bad input: 422 ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``.

Services raise ``ValidationError`` keyed by *their* argument names; an endpoint whose inputs are named otherwise
(a path parameter, a body field with another name) says where each service field came from with
``fields_at(report_in=("path", "report_in_id"))``, so every message names the field the client sent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from django.core.exceptions import ValidationError


class InvalidFieldsError(Exception):
    """Answered as 422 with these error items (``api.py``)."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(errors)
        self.errors = errors


def field_errors(error: ValidationError, locations: Mapping[str, Sequence[str]] | None = None) -> list[dict]:
    """The error items of ``error``: a service field found in ``locations`` is reported where the client sent it,
    any other under ``body`` (``__all__`` as the body itself)."""
    locations = locations or {}
    if hasattr(error, "error_dict"):
        items = []
        for field, messages in error.message_dict.items():
            default = ["body"] if field == "__all__" else ["body", field]
            loc = list(locations[field]) if field in locations else default
            items.append({"loc": loc, "msg": " ".join(messages), "type": "value_error"})
        return items
    return [{"loc": ["body"], "msg": " ".join(error.messages), "type": "value_error"}]


@contextmanager
def fields_at(**locations: Sequence[str]) -> Iterator[None]:
    """Turn a service's ``ValidationError`` into ``InvalidFieldsError`` naming the request's own fields."""
    try:
        yield
    except ValidationError as exc:
        raise InvalidFieldsError(field_errors(exc, locations)) from exc
