"""The error of every deliberation service and the checks they share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fuhe.deliberation.rules import can_manage
from fuhe.org.models import Region


class DeliberationError(ValidationError):
    """A refused deliberation action: ``{field: [reason]}``, shown as "field: reason"."""


def _fail(field: str, message: str) -> DeliberationError:
    return DeliberationError({field: [message]})


def _text(value, field: str, *, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        return _raise(field, _("This field is required."))
    if len(text) > limit:
        _raise(field, _("At most %(limit)s characters.") % {"limit": limit})
    return text


def _raise(field: str, message: str):
    raise _fail(field, message)


def _require_manager(actor, region: Region, field: str = "region") -> None:
    if not can_manage(actor, region):
        _raise(field, _("You may not manage deliberation in this community."))


def _community(region: Region | None, field: str = "region") -> Region:
    if region is None or region.level != "community":
        _raise(field, _("Choose a community or village."))
    return region


def _count(value, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        _raise(field, _("Enter a whole number."))
    if number < 0:
        _raise(field, _("Enter a number of at least %(min)s.") % {"min": 0})
    return number
