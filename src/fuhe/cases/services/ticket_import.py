"""Bulk import of hotline tickets (12345 工单) from Excel or CSV: validate every row, then all or nothing.

``read_table`` turns a .csv/.xlsx file into a header and rows of strings; ``guess_mapping`` maps the
hotline's Chinese column headers onto case fields; ``tickets_import`` checks every row first (collecting
``RowError``s with the row numbers a spreadsheet user sees, header = row 1) and only then creates the
cases in one transaction through ``case_create``. The hotline's own ticket number gives the idempotency
key ``import:<external_id>``, so importing the same file twice creates nothing the second time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fuhe.audit.services import ObjectRef, audit_record
from fuhe.cases.models import Case, Category, Channel, RequestType, Urgency
from fuhe.cases.services.intake import (
    IdempotencyConflictError,
    IdempotencyInProgressError,
    _validate,
    case_create,
)
from fuhe.common.rows import RowError
from fuhe.org.models import Region

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
KEY_PREFIX = "import:"
MAX_EXTERNAL_ID = Case._meta.get_field("idempotency_key").max_length - len(KEY_PREFIX)

FIELDS = (
    "text",
    "title",
    "address",
    "region_code",
    "category",
    "request_type",
    "urgency",
    "reporter_name",
    "reporter_phone",
    "received_at",
    "external_id",
)
REQUIRED_FIELDS = ("text",)

#: common column headers of hotline exports, most specific first; compared without spaces and brackets
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("工单编号", "工单号", "工单编码", "受理编号", "编号", "externalid", "ticketid", "ticketno", "id"),
    "text": (
        "诉求内容",
        "主要内容",
        "来电内容",
        "反映内容",
        "问题描述",
        "诉求描述",
        "工单内容",
        "内容",
        "text",
        "content",
        "description",
    ),
    "title": ("标题", "诉求标题", "工单标题", "主题", "title", "subject"),
    "address": ("诉求地址", "事发地址", "事发地点", "问题地址", "详细地址", "地址", "address"),
    "region_code": ("区划代码", "行政区划代码", "网格编码", "网格代码", "区划编码", "regioncode", "region"),
    "category": ("分类", "来电类别", "诉求分类", "问题分类", "事项分类", "类别", "category"),
    "request_type": ("诉求类型", "来电类型", "工单类型", "诉求性质", "类型", "requesttype", "type"),
    "urgency": ("紧急程度", "缓急程度", "紧急度", "urgency", "priority"),
    "reporter_name": ("来电人", "来电人姓名", "诉求人", "反映人", "姓名", "reportername", "name"),
    "reporter_phone": (
        "联系方式",
        "联系电话",
        "来电号码",
        "来电电话",
        "电话",
        "手机",
        "手机号",
        "reporterphone",
        "phone",
    ),
    "received_at": ("受理时间", "来电时间", "登记时间", "创建时间", "接收时间", "receivedat", "received"),
}

REQUEST_TYPES: dict[str, str] = {
    "咨询": RequestType.CONSULTATION,
    "求助": RequestType.HELP,
    "求决": RequestType.HELP,
    "投诉": RequestType.COMPLAINT,
    "举报": RequestType.REPORT,
    "建议": RequestType.SUGGESTION,
    "意见建议": RequestType.SUGGESTION,
    "表扬": RequestType.PRAISE,
    "感谢": RequestType.PRAISE,
    **{value: value for value in RequestType.values},
}
URGENCIES: dict[str, str] = {
    "一般": Urgency.NORMAL,
    "普通": Urgency.NORMAL,
    "紧急": Urgency.URGENT,
    "加急": Urgency.URGENT,
    "特急": Urgency.CRITICAL,
    "特别紧急": Urgency.CRITICAL,
    **{value: value for value in Urgency.values},
}

DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H时%M分",
    "%Y年%m月%d日 %H时%M分",
    "%Y%m%d%H%M%S",
    "%Y%m%d %H:%M:%S",
)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
#: ``case_create``'s error keys as the import's field names
ERROR_FIELDS = {"where": "address", "region": "region_code", "__all__": "text"}
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,19}$")


class TicketImportError(Exception):
    """Some rows are invalid; nothing was written."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} error(s): " + "; ".join(str(e) for e in self.errors[:5]))


@dataclass(frozen=True)
class ImportResult:
    created: int
    skipped_existing: int
    total: int


# ---------------------------------------------------------------------------------------------- reading


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers and codes typed into numeric cells
    return str(value).strip()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("the CSV file is neither UTF-8 nor GB18030 (GBK) text")


def _read_bytes(path_or_file) -> bytes:
    if isinstance(path_or_file, str | Path):
        return Path(path_or_file).read_bytes()
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    data = path_or_file.read()
    return data.encode() if isinstance(data, str) else data


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), dialect)]


def _read_xlsx(data: bytes) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError(f"not a readable .xlsx workbook ({exc})") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return []
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_table(path_or_file, filename: str | None = None) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows (as strings, padded to the header's width) of a .csv or .xlsx file.

    Blank rows are kept (empty lists of strings) so that row numbers stay those of the spreadsheet.
    """
    name = filename or (
        str(path_or_file) if isinstance(path_or_file, str | Path) else getattr(path_or_file, "name", "") or ""
    )
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        hint = " (save it as .xlsx first)" if suffix == ".xls" else ""
        raise ValidationError(f"{Path(name).name or 'the file'}: only .csv and .xlsx files can be imported{hint}")
    data = _read_bytes(path_or_file)
    if not data.strip():
        raise ValidationError(f"{Path(name).name}: the file is empty")
    table = _read_csv(data) if suffix == ".csv" else _read_xlsx(data)
    while table and not any(table[-1]):
        table.pop()  # trailing blank rows (Excel often reports formatted but empty rows)
    if not table or not any(table[0]):
        raise ValidationError(f"{Path(name).name}: the file is empty (no header row)")
    header = [cell.strip().lstrip("\ufeff") for cell in table[0]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    rows = [(row + [""] * (width - len(row)))[:width] if any(row) else [] for row in table[1:]]
    return header, rows


# ---------------------------------------------------------------------------------------------- mapping


def _norm_header(name: str) -> str:
    return re.sub(r"[\s_\-()（）:：*]", "", name).lower()


def guess_mapping(header: Sequence[str]) -> dict[str, str]:
    """``{field: column header}`` for the columns recognised by their (Chinese or English) name."""
    normalised = {_norm_header(column): column for column in reversed(header) if column}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field in FIELDS:
        if _norm_header(field) in normalised and normalised[_norm_header(field)] not in used:
            mapping[field] = normalised[_norm_header(field)]
            used.add(mapping[field])
            continue
        for alias in HEADER_ALIASES.get(field, ()):
            column = normalised.get(_norm_header(alias))
            if column is not None and column not in used:
                mapping[field] = column
                used.add(column)
                break
    return mapping


def resolve_mapping(header: Sequence[str], mapping: dict[str, str] | None) -> dict[str, int]:
    """``{field: column index}``; a column is named by its header (or a 1-based number / Excel letter)."""
    result: dict[str, int] = {}
    problems = []
    for field, column in (mapping or {}).items():
        if field not in FIELDS:
            problems.append(f"{field!r} is not a ticket field (fields: {', '.join(FIELDS)})")
            continue
        if not column:
            continue
        index = _column_index(header, column)
        if index is None:
            problems.append(f"{field}: no column {column!r} in the header")
        else:
            result[field] = index
    for field in REQUIRED_FIELDS:
        if field not in result and not any(p.startswith(f"{field}:") for p in problems):
            problems.append(f"{field}: no column is mapped to it (use --map {field}=<column>)")
    if problems:
        raise ValidationError(problems)
    return result


def _column_index(header: Sequence[str], column: str) -> int | None:
    if column in header:
        return list(header).index(column)
    wanted = _norm_header(column)
    for index, name in enumerate(header):
        if _norm_header(name) == wanted:
            return index
    if column.isdigit() and 1 <= int(column) <= len(header):
        return int(column) - 1
    if re.fullmatch(r"[A-Za-z]{1,2}", column):
        index = 0
        for letter in column.upper():
            index = index * 26 + ord(letter) - 64
        if index <= len(header):
            return index - 1
    return None


# ---------------------------------------------------------------------------------------------- parsing


def parse_received_at(value: str) -> datetime:
    """A local (Asia/Shanghai) date/time in one of the usual spreadsheet formats, made aware."""
    text = re.sub(r"\s+", " ", value.strip())
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None:
        for fmt in DATETIME_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware just below
                break
            except ValueError:
                continue
    if parsed is None:
        for fmt in DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware just below
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(f"{value!r} is not a date/time (e.g. 2024-05-01 08:30)")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


def _category_index() -> tuple[dict[str, Category], dict[str, list[Category]]]:
    by_path: dict[str, Category] = {}
    by_name: dict[str, list[Category]] = {}
    for category in Category.objects.filter(is_active=True):
        by_path[category.path] = category
        by_name.setdefault(category.name, []).append(category)
    return by_path, by_name


def _category(value: str, by_path, by_name) -> Category:
    path = "/".join(part.strip() for part in re.split(r"\s*(?:/|›|>|／|＞|\\)\s*", value.strip()) if part.strip())
    if path in by_path:
        return by_path[path]
    matches = by_name.get(path, [])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        paths = ", ".join(sorted(c.path for c in matches)[:3])
        raise ValueError(f"{value!r} names several categories ({paths}); give the full path level1/level2/level3")
    raise ValueError(f"{value!r} is not a category (give 'level1/level2/level3' or a category name)")


def _regions_by_code(values: set[str]) -> dict[str, Region]:
    codes = {v for v in values if v.isdigit() and len(v) in (12, 15)}
    return {region.code: region for region in Region.objects.filter(code__in=codes)}


@dataclass
class _Ticket:
    row_number: int
    fields: dict
    key: str | None


def _value(row: list[str], mapping: dict[str, int], field: str) -> str:
    index = mapping.get(field)
    return row[index].strip() if index is not None and index < len(row) else ""


LIMITS = {name: Case._meta.get_field(name).max_length for name in ("address", "reporter_name", "reporter_phone")}


def _check_rows(rows: Sequence[Sequence[str]], mapping: dict[str, int]) -> tuple[list[_Ticket], list[RowError]]:
    by_path, by_name = _category_index()
    regions = _regions_by_code({_value(list(row), mapping, "region_code") for row in rows if row})
    now = timezone.now()
    seen_ids: dict[str, int] = {}
    tickets: list[_Ticket] = []
    errors: list[RowError] = []
    for offset, raw in enumerate(rows):
        row = list(raw)
        if not any(cell.strip() for cell in row):
            continue
        number = offset + 2  # the header is row 1
        row_errors: list[RowError] = []

        def fail(field: str, reason: str, number=number, row_errors=row_errors):
            row_errors.append(RowError(number, field, reason))

        get = lambda field, row=row: _value(row, mapping, field)  # noqa: E731
        fields: dict = {
            "text": get("text"),
            "title": get("title"),
            "address": get("address"),
            "reporter_name": get("reporter_name"),
            "reporter_phone": get("reporter_phone"),
            "region": None,
            "category": None,
            "request_type": RequestType.HELP,
            "urgency": Urgency.NORMAL,
            "received_at": None,
        }
        for name, limit in LIMITS.items():
            if len(fields[name]) > limit:
                fail(name, f"at most {limit} characters")
        phone = fields["reporter_phone"]
        if phone and len(phone) <= LIMITS["reporter_phone"] and not PHONE_RE.match(phone):
            fail("reporter_phone", f"{phone!r} is not a phone number")
        if code := get("region_code"):
            if not (code.isdigit() and len(code) in (12, 15)):
                fail("region_code", f"{code!r} is not a 12-digit division code or a 15-digit grid key")
            elif code not in regions:
                fail("region_code", f"no region has the code {code}")
            else:
                fields["region"] = regions[code]
        if value := get("category"):
            try:
                fields["category"] = _category(value, by_path, by_name)
            except ValueError as exc:
                fail("category", str(exc))
        if value := get("request_type"):
            if value.lower() in REQUEST_TYPES or value in REQUEST_TYPES:
                fields["request_type"] = REQUEST_TYPES.get(value.lower(), REQUEST_TYPES.get(value))
            else:
                fail("request_type", f"{value!r} is not a request type (咨询/求助/投诉/举报/建议/表扬)")
        if value := get("urgency"):
            if value.lower() in URGENCIES or value in URGENCIES:
                fields["urgency"] = URGENCIES.get(value.lower(), URGENCIES.get(value))
            else:
                fail("urgency", f"{value!r} is not an urgency (一般/紧急/特急)")
        if value := get("received_at"):
            try:
                received = parse_received_at(value)
            except ValueError as exc:
                fail("received_at", str(exc))
            else:
                if received > now + timedelta(minutes=5):
                    fail("received_at", f"{value} is in the future")
                else:
                    fields["received_at"] = received
        key = None
        if external_id := get("external_id"):
            if len(external_id) > MAX_EXTERNAL_ID:
                fail("external_id", f"at most {MAX_EXTERNAL_ID} characters")
            elif external_id in seen_ids:
                fail("external_id", f"ticket {external_id} appears twice (also row {seen_ids[external_id]})")
            else:
                seen_ids[external_id] = number
                key = KEY_PREFIX + external_id
        try:
            _validate(
                text=fields["text"],
                address=fields["address"],
                latitude=None,
                longitude=None,
                region=fields["region"],
                channel=Channel.IMPORT,
                request_type=fields["request_type"],
                urgency=fields["urgency"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                target = "address" if field == "where" else field
                if target == "address" and "region_code" in mapping:
                    messages = ["give an address or a region code"]
                for message in messages:
                    fail(target, message)
        errors.extend(row_errors)
        if not row_errors:
            tickets.append(_Ticket(number, fields, key))
    return tickets, errors


# ---------------------------------------------------------------------------------------------- import


def tickets_import(
    *,
    actor,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    mapping: dict[str, str] | None,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
    source: str = "",
) -> ImportResult:
    """Validate every row, then create all cases in one transaction (or none, raising ``TicketImportError``).

    ``mapping`` is ``{field: column header}``; ``None`` uses ``guess_mapping(header)``. Tickets whose
    ``import:<external_id>`` key already exists are counted as ``skipped_existing``. ``dry_run`` runs the
    whole import and rolls it back, so the counts are exact but nothing stays written.
    """
    columns = resolve_mapping(header, guess_mapping(header) if mapping is None else mapping)
    tickets, errors = _check_rows(rows, columns)
    if errors:
        raise TicketImportError(errors)
    created = skipped = 0
    with transaction.atomic():
        for ticket in tickets:
            try:
                intake = case_create(actor=actor, channel=Channel.IMPORT, idempotency_key=ticket.key, **ticket.fields)
            except IdempotencyConflictError:
                errors.append(
                    RowError(ticket.row_number, "external_id", "this ticket was imported before with different content")
                )
            except IdempotencyInProgressError:
                errors.append(RowError(ticket.row_number, "external_id", "this ticket is being imported right now"))
            except ValidationError as exc:
                errors.extend(
                    RowError(ticket.row_number, ERROR_FIELDS.get(field, field), message)
                    for field, messages in exc.message_dict.items()
                    for message in messages
                )
            else:
                if intake.created:
                    created += 1
                else:
                    skipped += 1
            if progress is not None:
                progress(1)
        if errors:
            raise TicketImportError(errors)  # rolls back every case created above
        if created:
            audit_record(
                actor=actor,
                action="case.tickets_imported",
                target=ObjectRef("cases.case", "*"),
                summary={
                    "created": created,
                    "skipped_existing": skipped,
                    "total": len(tickets),
                    "source": source[:200],
                },
            )
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(created=created, skipped_existing=skipped, total=len(tickets))
