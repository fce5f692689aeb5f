"""The resource registry from an Excel workbook: every row checked first (the same checks as one registration),
then all rows written in one transaction. A bad row is named with its row and column; nothing is written then.

Columns (first sheet, header in row 1; the Chinese header or the key): ``COLUMNS``. Lists (skills) are separated
by 、 , ; and availability windows are ``2026-12-01 08:00~2026-12-01 18:00`` separated by ;.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhe.audit.services import audit_record
from fuhe.common.rows import RowError
from fuhe.resources.models import Resource, ResourceKind
from fuhe.resources.services.common import ResourceError
from fuhe.resources.services.registry import (
    owner_for_registration,
    resource_snapshot,
    resource_values_check,
    resource_windows_save,
)

#: key → the sheet's own (Chinese) header; both are accepted in row 1
COLUMNS = {
    "name": "名称",
    "kind": "类型",
    "capacity": "数量",
    "unit_label": "计量单位",
    "expires_on": "有效期至",
    "latitude": "纬度",
    "longitude": "经度",
    "skills": "技能",
    "unit_cost": "单价（元）",
    "service_radius_km": "服务半径（公里）",
    "conditions": "使用条件",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "windows": "可用时段",
}
REQUIRED = ("name", "kind", "capacity")
#: a column the export adds and the import skips
STALE_HEADER = gettext_lazy("Not confirmed lately")
MAX_ROWS = 5000
_LIST_SPLIT = re.compile(r"[、,，;；]")


class ResourceImportError(ValidationError):
    """The workbook has problems; ``errors`` lists every one (row, column, problem). Nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__([row_error_text(error) for error in errors])


def row_error_text(error: RowError) -> str:
    if error.row <= 0:
        return _("File: %(reason)s") % {"reason": error.reason}
    return _("Row %(row)s, column “%(column)s”: %(reason)s") % {
        "row": error.row,
        "column": COLUMNS.get(error.field, error.field),
        "reason": error.reason,
    }


def _kind(value) -> str:
    text = str(value or "").strip()
    if text in ResourceKind.values:
        return text
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for choice in ResourceKind:
                if text == str(choice.label):
                    return choice.value
    return text  # refused by the registration's check, naming the column


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip().replace("/", "-"))
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _windows(value) -> list[tuple[datetime, datetime]]:
    windows = []
    for part in str(value or "").split(";"):
        if not part.strip():
            continue
        start, separator, end = part.replace("～", "~").partition("~")
        if not separator:
            raise ValueError(part)
        windows.append((_moment(start), _moment(end)))
    return windows


def _row_values(record: dict) -> dict:
    values = {key: value for key, value in record.items() if key not in ("skills", "windows", "kind", "expires_on")}
    values["kind"] = _kind(record.get("kind"))
    values.setdefault("latitude", None)  # no point given: the owner's region's centre (or the row is refused)
    values["skills"] = [part for part in _LIST_SPLIT.split(str(record.get("skills") or "")) if part.strip()]
    for key in ("unit_label", "conditions", "contact_name", "contact_phone"):
        values[key] = "" if record.get(key) is None else str(record[key]).strip()
    if isinstance(values.get("capacity"), float) and values["capacity"].is_integer():
        values["capacity"] = int(values["capacity"])
    expires = record.get("expires_on")
    if isinstance(expires, datetime):
        expires = expires.date()
    elif isinstance(expires, str) and expires.strip():
        try:
            expires = date.fromisoformat(expires.strip())
        except ValueError:
            raise ResourceError({"expires_on": _("Enter a date.")}) from None
    values["expires_on"] = expires or None
    try:
        values["windows"] = _windows(record.get("windows"))
    except ValueError:
        raise ResourceError(
            {"windows": _("Write each window as 2026-12-01 08:00~2026-12-01 18:00, separated by ;.")}
        ) from None
    return values


def _stale_headers() -> set[str]:
    headers = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            headers.add(str(STALE_HEADER))
    return headers


def _header(cells) -> tuple[list[str | None], list[RowError]]:
    by_label = {label: key for key, label in COLUMNS.items()}
    keys, errors, seen = [], [], set()
    for cell in cells:
        text = str(cell or "").strip()
        key = text if text in COLUMNS else by_label.get(text)
        if text in _stale_headers():
            key = None
        elif text and key is None:
            errors.append(RowError(1, text, _("unknown column")))
        elif key is not None and key in seen:
            errors.append(RowError(1, key, _("this column is given twice")))
        seen.add(key)
        keys.append(key)
    errors.extend(RowError(1, key, _("missing column")) for key in REQUIRED if key not in seen)
    return keys, errors


def resources_import_xlsx(*, actor, owner_id, file) -> list[Resource]:
    """Register every row of the workbook as a resource of ``owner_id``. All or nothing: ``ResourceImportError``
    names every row and column at fault, and nothing is written."""
    from openpyxl import load_workbook

    owner = owner_for_registration(actor, owner_id)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a file that is not a workbook
        raise ResourceImportError([RowError(0, "file", _("Not an Excel workbook."))]) from exc
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    if len(rows) < 2:
        raise ResourceImportError([RowError(0, "file", _("The sheet has no resources."))])
    if len(rows) > MAX_ROWS + 1:
        raise ResourceImportError([RowError(0, "file", _("At most %(max)s rows at a time.") % {"max": MAX_ROWS})])
    keys, errors = _header(rows[0])
    if errors:
        raise ResourceImportError(errors)
    checked = []
    now = timezone.now()
    for number, cells in enumerate(rows[1:], start=2):
        if all(cell in (None, "") for cell in cells):
            continue
        record = {key: value for key, value in zip(keys, cells, strict=False) if key}
        resource = Resource(owner=owner, region=owner.region, confirmed_at=now, created_at=now, updated_at=now)
        try:
            values = _row_values(record)
            windows = resource_values_check(resource, values)
        except ResourceError as error:
            errors.extend(
                RowError(number, field, " ".join(str(m) for m in messages))
                for field, messages in error.message_dict.items()
            )
            continue
        checked.append((resource, windows))
    if errors:
        raise ResourceImportError(errors)
    with transaction.atomic():
        for resource, windows in checked:
            resource.save()
            resource_windows_save(resource, windows)
            audit_record(
                actor=actor,
                action="resources.resource_registered",
                target=resource,
                summary=resource_snapshot(resource),
            )
    return [resource for resource, _windows in checked]
