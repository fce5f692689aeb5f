"""``{{ value|time_element:"Y-m-d H:i" }}``: a date or time printed exactly as ``|date`` prints it, inside
``<time datetime="…">`` with the machine-readable ISO 8601 value (local time with its offset, or a bare date).

Empty values print nothing, so ``|default:"—"`` after it works as after ``|date``. A string is read as ISO 8601 (the
week keys of the charts' data); a string that is not one is printed as it is, escaped.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import conditional_escape, format_html

register = template.Library()


def _parse(text: str) -> date | None:
    try:
        if "T" not in text and " " not in text:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _machine_readable(value: date) -> str:
    """A valid HTML date or global date-and-time string: no microseconds (HTML allows at most three digits)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


@register.filter(expects_localtime=True)
def time_element(value, arg=None):
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        parsed = _parse(value)
        if parsed is None:
            return conditional_escape(value)
        value = parsed
    if not isinstance(value, date):
        return conditional_escape(value)
    text = date_filter(value, arg)
    if not text:
        return ""
    return format_html('<time datetime="{}">{}</time>', _machine_readable(value), text)
