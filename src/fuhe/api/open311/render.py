"""Open311 GeoReport v2 output: the same Python structure written as JSON or as the spec's XML.

XML roots and item elements follow the spec: <services>/<service>, <service_definition>, <service_requests>/<request>,
<errors>/<error>, <discovery>; lists inside an item are wrapped (<attributes>/<attribute>, <values>/<value>,
<endpoints>/<endpoint>, <formats>/<format>).
"""

from __future__ import annotations

import json
from datetime import datetime
from xml.etree.ElementTree import Element, SubElement, tostring  # noqa: S405 - we only write XML

from django.http import HttpResponse
from django.utils import timezone

from fuhe.common.text import without_control_characters

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
LIST_ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def w3c(moment: datetime | None) -> str | None:
    """ISO 8601 with the offset (W3C note), in the platform's time zone: 2026-05-01T09:30:00+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value) or ""
    return without_control_characters(str(value))  # rows stored before intake dropped them


def _fill(element: Element, value) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            child = SubElement(element, name)
            _fill(child, item)
    elif isinstance(value, list):
        item_name = LIST_ITEMS.get(element.tag, "item")
        for item in value:
            _fill(SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, item: str | None, payload) -> bytes:
    element = Element(root)
    if item is None:
        _fill(element, payload)
    else:
        for entry in payload:
            _fill(SubElement(element, item), entry)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(element, encoding="unicode").encode()


def _json_default(value):
    if isinstance(value, datetime):
        return w3c(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def render(fmt: str, payload, *, root: str, item: str | None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(to_xml(root, item, payload), content_type=XML_TYPE, status=status)
    body = json.dumps(payload, ensure_ascii=False, default=_json_default)
    return HttpResponse(body.encode(), content_type=JSON_TYPE, status=status)


def render_errors(fmt: str, status: int, *descriptions: str, headers: dict | None = None) -> HttpResponse:
    """The spec's error list: [{"code": 400, "description": "…"}] or <errors><error>…</error></errors>."""
    payload = [{"code": status, "description": description} for description in descriptions]
    response = render(fmt, payload, root="errors", item="error", status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
