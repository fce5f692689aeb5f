"""Bulk import of hotline tickets (12345 工单) from Excel or CSV: validate every row, then write in short batches.

``read_table`` turns a .csv/.xlsx file into a header and rows of strings (refusing more rows than the cap);
``guess_mapping`` maps the hotline's Chinese column headers onto case fields; ``tickets_import`` checks every row
first (collecting ``RowError``s with the row numbers a spreadsheet user sees, header = row 1) — fields, the region
(given or found from the address) inside the importer's scope, tickets imported before with other content — and
only then writes, in batches of ``batch_size`` tickets, each its own short transaction (cases, their events, audit
rows). A batch's rows are built before its transaction, so SQLite's write lock is held only for the statements and
a resident's report gets in between two batches (ADR 0011). The hotline's own ticket number gives the idempotency
key ``import:<external_id>``: importing the same file twice creates nothing the second time, and a run killed half
way leaves whole batches behind; running it again skips them.
"""

from __future__ import annotations

import re
import secrets
import time as clock
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from fuhe.accounts.scope import scope_for
from fuhe.audit.services import ObjectRef, PendingAuditEvent, audit_append, audit_prepare
from fuhe.cases.events import CaseReceived
from fuhe.cases.models import Case, CaseEvent, Category, Channel, RequestType, Urgency
from fuhe.cases.services.intake import (
    _fingerprint,
    _tracking_code,
    _validate,
    fallback_region,
    hash_token,
    index_for_search,
    region_from_address,
)
from fuhe.common.events import publish_on_commit
from fuhe.common.rows import RowError
from fuhe.common.table_messages import TABLE_PROBLEMS
from fuhe.common.tables import TableReadError, cell_text, csv_rows, xlsx_open, xlsx_rows
from fuhe.common.text import without_control_characters
from fuhe.db import Prepared, prepare
from fuhe.org.models import Region

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
KEY_PREFIX = "import:"
#: tickets written per transaction: 0.05–0.2 s of SQLite's write lock on the shared bench machine (docs/performance.md)
BATCH_SIZE = 200
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
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,19}$")


#: the columns as a reader names them (the importer reads the headers of ``HEADER_ALIASES``)
COLUMN_LABELS = {
    "text": pgettext_lazy("hotline ticket column", "Request"),
    "title": pgettext_lazy("hotline ticket column", "Title"),
    "address": pgettext_lazy("hotline ticket column", "Address"),
    "region_code": pgettext_lazy("hotline ticket column", "Division code"),
    "region": pgettext_lazy("hotline ticket column", "Division code"),
    "category": pgettext_lazy("hotline ticket column", "Category"),
    "request_type": pgettext_lazy("hotline ticket column", "Request type"),
    "urgency": pgettext_lazy("hotline ticket column", "Urgency"),
    "reporter_name": pgettext_lazy("hotline ticket column", "Caller"),
    "reporter_phone": pgettext_lazy("hotline ticket column", "Phone"),
    "received_at": pgettext_lazy("hotline ticket column", "Received at"),
    "external_id": pgettext_lazy("hotline ticket column", "Ticket number"),
}
#: every problem a row can have: its code → the message in the reader's language (``RowError.code``, ``values``);
#: "said" is a message the intake's checks gave, kept in both languages (values ``en`` and ``zh``)
PROBLEMS = {
    "too_long": gettext_lazy("longer than %(limit)s characters"),
    "not_a_phone": gettext_lazy("%(value)s is not a phone number"),
    "not_a_region_code": gettext_lazy("%(value)s is not a 12-digit division code or a 15-digit grid key"),
    "no_region": gettext_lazy("no region has the code %(value)s"),
    "several_categories": gettext_lazy(
        "%(value)s names several categories (%(paths)s); give the full path level1/level2/level3"
    ),
    "not_a_category": gettext_lazy("%(value)s is not a category (give 'level1/level2/level3' or a category name)"),
    "not_a_request_type": gettext_lazy("%(value)s is not a request type (咨询/求助/投诉/举报/建议/表扬)"),
    "not_an_urgency": gettext_lazy("%(value)s is not an urgency (一般/紧急/特急)"),
    "not_a_time": gettext_lazy("%(value)s is not a date/time (e.g. 2024-05-01 08:30)"),
    "in_future": gettext_lazy("%(value)s is in the future"),
    "ticket_twice": gettext_lazy("ticket %(value)s appears twice (also row %(row)s)"),
    "address_or_region": gettext_lazy("give an address or a region code"),
    "outside_scope": gettext_lazy("%(region)s (%(code)s) lies outside the regions you may import into"),
    "imported_before": gettext_lazy("this ticket was imported before with different content"),
    "being_imported": gettext_lazy("this ticket is being imported right now"),
}


def _problem(row: int, field: str, code: str, /, **values: object) -> RowError:
    """The row error of problem ``code`` (a key of ``PROBLEMS``): its reason in English, its code and values."""
    texts = tuple((name, str(value)) for name, value in values.items())
    with translation.override("en"):
        reason = str(PROBLEMS[code]) % dict(texts)
    return RowError(row, field, reason, code=code, values=texts)


def _said(row: int, field: str, en: str, zh: str) -> RowError:
    """A row error whose message the intake's checks gave (in English and in Chinese)."""
    return RowError(row, field, en, code="said", values=(("en", en), ("zh", zh)))


def column_label(field: str) -> str:
    """A column as the reader names it (in Chinese the usual hotline header, ``HEADER_ALIASES``, while the catalogue
    has no Chinese for it); a field the importer does not know, as it is."""
    if field not in COLUMN_LABELS:
        return field
    label = str(COLUMN_LABELS[field])
    if (get_language() or "").startswith("zh") and not re.search(r"[\u3400-\u9fff]", label):
        return HEADER_ALIASES["region_code" if field == "region" else field][0]
    return label


def row_error_text(error: RowError | dict | str) -> str:
    """One refused row in the reader's language: "第 3 行，“联系电话”：……". Takes a ``RowError``, one stored as JSON
    (``RowError.as_dict``, an import job's errors) or a line stored before errors were stored that way (as it is)."""
    if isinstance(error, str):
        return error
    if isinstance(error, dict):
        error = RowError.from_dict(error)
    said = "%(zh)s" if (get_language() or "").startswith("zh") else "%(en)s"
    return error.text_in(
        {**PROBLEMS, "said": said}, column_label, in_row=gettext("Row %(row)s, column “%(column)s”: %(reason)s")
    )


class _UnreadableError(ValueError):
    """A cell the importer cannot read: ``code`` and ``values`` name the problem (``PROBLEMS``)."""

    def __init__(self, code: str, **values: object):
        self.code = code
        self.values = values
        with translation.override("en"):
            super().__init__(str(PROBLEMS[code]) % {name: str(value) for name, value in values.items()})


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
    batches: int = 0  # the batches this call committed


@dataclass(frozen=True)
class BatchDone:
    """One committed batch, as ``on_batch`` sees it (inside the batch's transaction)."""

    number: int  # 1-based, counted over the whole file
    batches: int  # how many the file makes
    rows: int
    created: int
    skipped_existing: int


# ---------------------------------------------------------------------------------------------- reading


def _file_problem(name: str, problem: object) -> ValidationError:
    """A problem with the whole file, in the reader's language: "<file name>: <problem>"."""
    return ValidationError(
        gettext("%(file)s: %(problem)s") % {"file": Path(name).name or gettext("the file"), "problem": problem}
    )


def _read_bytes(path_or_file) -> bytes:
    if isinstance(path_or_file, str | Path):
        return Path(path_or_file).read_bytes()
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    data = path_or_file.read()
    return data.encode() if isinstance(data, str) else data


def _table_rows(data: bytes, suffix: str, name: str) -> Iterator[list[str]]:
    try:
        yield from xlsx_rows(data) if suffix == ".xlsx" else csv_rows(data, delimiters=",\t;")  # "，" is in the text
    except TableReadError as error:
        raise _file_problem(name, TABLE_PROBLEMS[error.code]) from None


def _too_many_rows(name: str, max_rows: int) -> ValidationError:
    return ValidationError(
        {
            "file": _(
                "%(file)s: more than %(cap)s rows, the most one import takes (FUHE_IMPORT_MAX_ROWS); split the file"
            )
            % {"file": name, "cap": f"{max_rows:,}"}
        }
    )


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise _file_problem(name, gettext("only .csv and .xlsx files can be imported (save it as .xlsx first)"))
    if suffix not in (".csv", ".txt", ".xlsx"):
        raise _file_problem(name, gettext("only .csv and .xlsx files can be imported"))
    return suffix


def _file_name(path_or_file, filename: str | None) -> str:
    if filename:
        return filename
    if isinstance(path_or_file, str | Path):
        return str(path_or_file)
    return getattr(path_or_file, "name", "") or ""


def _header(first: list[str]) -> list[str]:
    header = [cell.strip().lstrip("\ufeff") for cell in first]
    while header and not header[-1]:
        header.pop()
    return header


def read_table(
    path_or_file, filename: str | None = None, *, max_rows: int | None = None
) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows (as strings, padded to the header's width) of a .csv or .xlsx file.

    Blank rows are kept (empty lists of strings) so that row numbers stay those of the spreadsheet. A file with
    more than ``max_rows`` rows that are not blank is refused (``ValidationError`` on ``file`` naming the cap) as
    soon as its reading passes the cap, so an oversized upload costs no more than the cap to read.
    """
    name = _file_name(path_or_file, filename)
    suffix = _suffix(name)
    data = _read_bytes(path_or_file)
    if not data.strip():
        raise _file_problem(name, TABLE_PROBLEMS["empty"])
    table: list[list[str]] = []
    filled = 0
    for row in _table_rows(data, suffix, name):
        if table and any(row):
            filled += 1
            if max_rows is not None and filled > max_rows:
                raise _too_many_rows(Path(name).name, max_rows)
        table.append(row)
    while table and not any(table[-1]):
        table.pop()  # trailing blank rows (Excel often reports formatted but empty rows)
    if not table or not any(table[0]):
        raise _file_problem(name, gettext("the file is empty (no header row)"))
    header = _header(table[0])
    width = len(header)
    rows = [(row + [""] * (width - len(row)))[:width] if any(row) else [] for row in table[1:]]
    return header, rows


def table_peek(path_or_file, filename: str | None = None, *, max_rows: int | None = None) -> tuple[list[str], int]:
    """The header and the number of data rows of a .csv or .xlsx file, read cheaply (for an upload; the worker
    reads the whole file with ``read_table``).

    A CSV's rows are counted (refused past ``max_rows``); an .xlsx's count is the extent its sheet records, which
    may include trailing formatted but blank rows, so only the worker refuses an .xlsx over the cap."""
    name = _file_name(path_or_file, filename)
    suffix = _suffix(name)
    data = _read_bytes(path_or_file)
    if not data.strip():
        raise _file_problem(name, TABLE_PROBLEMS["empty"])
    first: list[str] = []
    count = 0
    if suffix != ".xlsx":
        for row in _table_rows(data, suffix, name):
            if not first:
                first = row
            elif any(row):
                count += 1
                if max_rows is not None and count > max_rows:
                    raise _too_many_rows(Path(name).name, max_rows)
    else:
        try:
            workbook = xlsx_open(data)
        except TableReadError as error:
            raise _file_problem(name, TABLE_PROBLEMS[error.code]) from None
        try:
            sheet = workbook.worksheets[0] if workbook.worksheets else None
            if sheet is not None:
                first = next((list(map(cell_text, row)) for row in sheet.iter_rows(max_row=1, values_only=True)), [])
                count = max((sheet.max_row or 1) - 1, 0)
        finally:
            workbook.close()
    if not any(first):
        raise _file_problem(name, gettext("the file is empty (no header row)"))
    return _header(first), count


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
        raise _UnreadableError("not_a_time", value=repr(value))
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
        raise _UnreadableError("several_categories", value=repr(value), paths=paths)
    raise _UnreadableError("not_a_category", value=repr(value))


def _regions_by_code(values: set[str]) -> dict[str, Region]:
    codes = {v for v in values if v.isdigit() and len(v) in (12, 15)}
    return {region.code: region for region in Region.objects.filter(code__in=codes)}


@dataclass(slots=True)
class _Ticket:
    row_number: int
    fields: dict  # ``case_create``'s keyword arguments; ``region`` is the one the file names (or None)
    key: str | None
    region: Region | None = None  # where the case goes: the file's region, or the one its address names …
    fingerprint: str = ""  # ``case_create``'s fingerprint of the request (with ``fields["region"]``)
    exists: bool = False  # imported before (same key, same content): skipped


def _value(row: list[str], mapping: dict[str, int], field: str) -> str:
    index = mapping.get(field)
    return row[index].strip() if index is not None and index < len(row) else ""


LIMITS = {name: Case._meta.get_field(name).max_length for name in ("address", "reporter_name", "reporter_phone")}


def _refusals(**fields) -> dict[str, list[tuple[str, str]]]:
    """What the intake's checks (``_validate``) refuse in a row, per field, each message in English and Chinese (the
    checks run again in each language only for a row they refuse)."""
    try:
        _validate(**fields)
    except ValidationError:
        pass
    else:
        return {}
    said: dict[str, dict[str, list[str]]] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            try:
                _validate(**fields)
            except ValidationError as exc:
                said[language] = exc.message_dict
    english, chinese = said.get("en", {}), said.get("zh-hans", {})
    return {
        field: list(zip(messages, chinese.get(field, messages), strict=False)) for field, messages in english.items()
    }


def _check_rows(
    rows: Sequence[Sequence[str]], mapping: dict[str, int], *, actor=None
) -> tuple[list[_Ticket], list[RowError]]:
    """Every row's fields, then (for the rows without errors) their region in the importer's scope and their
    ticket number against those imported before; the errors sorted by row."""
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

        def fail(field: str, code: str, number=number, row_errors=row_errors, **values: object):
            row_errors.append(_problem(number, field, code, **values))

        get = lambda field, row=row: _value(row, mapping, field)  # noqa: E731
        # as ``case_create`` does: characters no XML or workbook can carry are dropped from what was typed
        fields: dict = {
            "text": without_control_characters(get("text")),
            "title": without_control_characters(get("title")),
            "address": without_control_characters(get("address")),
            "reporter_name": without_control_characters(get("reporter_name")),
            "reporter_phone": get("reporter_phone"),
            "region": None,
            "category": None,
            "request_type": RequestType.HELP,
            "urgency": Urgency.NORMAL,
            "received_at": None,
        }
        for name, limit in LIMITS.items():
            if len(fields[name]) > limit:
                fail(name, "too_long", limit=limit)
        phone = fields["reporter_phone"]
        if phone and len(phone) <= LIMITS["reporter_phone"] and not PHONE_RE.match(phone):
            fail("reporter_phone", "not_a_phone", value=repr(phone))
        if code := get("region_code"):
            if not (code.isdigit() and len(code) in (12, 15)):
                fail("region_code", "not_a_region_code", value=repr(code))
            elif code not in regions:
                fail("region_code", "no_region", value=code)
            else:
                fields["region"] = regions[code]
        if value := get("category"):
            try:
                fields["category"] = _category(value, by_path, by_name)
            except _UnreadableError as exc:
                fail("category", exc.code, **exc.values)
        if value := get("request_type"):
            if value.lower() in REQUEST_TYPES or value in REQUEST_TYPES:
                fields["request_type"] = REQUEST_TYPES.get(value.lower(), REQUEST_TYPES.get(value))
            else:
                fail("request_type", "not_a_request_type", value=repr(value))
        if value := get("urgency"):
            if value.lower() in URGENCIES or value in URGENCIES:
                fields["urgency"] = URGENCIES.get(value.lower(), URGENCIES.get(value))
            else:
                fail("urgency", "not_an_urgency", value=repr(value))
        if value := get("received_at"):
            try:
                received = parse_received_at(value)
            except _UnreadableError as exc:
                fail("received_at", exc.code, **exc.values)
            else:
                if received > now + timedelta(minutes=5):
                    fail("received_at", "in_future", value=value)
                else:
                    fields["received_at"] = received
        key = None
        if external_id := get("external_id"):
            if len(external_id) > MAX_EXTERNAL_ID:
                fail("external_id", "too_long", limit=MAX_EXTERNAL_ID)
            elif external_id in seen_ids:
                fail("external_id", "ticket_twice", value=external_id, row=seen_ids[external_id])
            else:
                seen_ids[external_id] = number
                key = KEY_PREFIX + external_id
        refused = _refusals(
            text=fields["text"],
            address=fields["address"],
            latitude=None,
            longitude=None,
            region=fields["region"],
            channel=Channel.IMPORT,
            request_type=fields["request_type"],
            urgency=fields["urgency"],
        )
        for field, messages in refused.items():
            target = "address" if field == "where" else field
            if target == "address" and "region_code" in mapping:
                fail(target, "address_or_region")
                continue
            row_errors.extend(_said(number, target, en, zh) for en, zh in messages)
        errors.extend(row_errors)
        if not row_errors:
            tickets.append(_Ticket(number, fields, key))
    tickets = _place_in_scope(tickets, errors, actor=actor, has_region_column="region_code" in mapping)
    tickets = _mark_imported_before(tickets, errors)
    errors.sort(key=lambda error: error.row)
    return tickets, errors


def _place_in_scope(tickets: list[_Ticket], errors: list[RowError], *, actor, has_region_column: bool) -> list[_Ticket]:
    """Each ticket's region as ``case_create`` would resolve it (the file's, else the one its address names, else
    the importer's home region, else the district 兜底); a region outside the importer's scope is refused (no
    actor: the command line's operator, who may import anywhere)."""
    scope = scope_for(actor) if actor is not None else None
    home: list[Region | None] = []
    fallback: list[Region] = []

    def resolved(ticket: _Ticket) -> Region:
        region = ticket.fields["region"] or region_from_address(ticket.fields["address"])
        if region is not None:
            return region
        if not home:
            ids = scope.home_region_ids if scope is not None else ()
            home.append(Region.objects.filter(pk=ids[0]).first() if ids else None)
        if home[0] is not None:
            return home[0]
        if not fallback:
            fallback.append(fallback_region())  # ValidationError on "region" when there is no district at all
        return fallback[0]

    kept = []
    for ticket in tickets:
        field = "region_code" if ticket.fields["region"] is not None or has_region_column else "address"
        try:
            ticket.region = resolved(ticket)
        except ValidationError as exc:
            errors.extend(_said(ticket.row_number, field, message, message) for message in exc.messages)
            continue
        if scope is not None and not scope.covers_case_region(ticket.region.pk):
            errors.append(
                _problem(ticket.row_number, field, "outside_scope", region=ticket.region.name, code=ticket.region.code)
            )
            continue
        kept.append(ticket)
    return kept


def _request_fingerprint(ticket: _Ticket) -> str:
    """``case_create``'s fingerprint of this ticket's request, so re-imports compare alike with either path."""
    fields = ticket.fields
    return _fingerprint(
        {
            "channel": Channel.IMPORT,
            "text": fields["text"].strip(),
            "title": fields["title"].strip(),
            "address": fields["address"].strip(),
            "latitude": None,
            "longitude": None,
            "region": fields["region"].pk if fields["region"] else None,
            "category": fields["category"].pk if fields["category"] else None,
            "request_type": fields["request_type"],
            "urgency": fields["urgency"],
            "reporter_phone": fields["reporter_phone"].strip(),
        }
    )


def _mark_imported_before(tickets: list[_Ticket], errors: list[RowError]) -> list[_Ticket]:
    """Tickets whose number was imported before: the same content is skipped, other content is an error."""
    keyed = {}
    for ticket in tickets:
        if ticket.key:
            ticket.fingerprint = _request_fingerprint(ticket)
            keyed[ticket.key] = ticket
    keys = list(keyed)
    conflicting = set()
    for start in range(0, len(keys), 500):
        found = Case.objects.filter(idempotency_key__in=keys[start : start + 500])
        for key, fingerprint in found.values_list("idempotency_key", "request_fingerprint"):
            ticket = keyed[key]
            if fingerprint == ticket.fingerprint:
                ticket.exists = True
            else:
                conflicting.add(key)
                errors.append(_problem(ticket.row_number, "external_id", "imported_before"))
    return [ticket for ticket in tickets if ticket.key not in conflicting] if conflicting else tickets


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
    batch_size: int = BATCH_SIZE,
    skip_batches: int = 0,
    on_batch: Callable[[BatchDone], None] | None = None,
    pause: float = 0.0,
) -> ImportResult:
    """Validate every row (raising ``TicketImportError`` with every problem, before anything is written), then
    write the tickets in batches of ``batch_size``, each batch all or nothing in its own short transaction.

    ``mapping`` is ``{field: column header}``; ``None`` uses ``guess_mapping(header)``. Tickets whose
    ``import:<external_id>`` key already exists with the same content are counted as ``skipped_existing``.
    ``skip_batches``: the first batches committed by an earlier run of the same file and mapping (a resumed job).
    ``on_batch`` runs inside each batch's transaction (a job records its progress there, or raises to undo the
    batch); ``progress(rows)`` after each commit; ``pause`` seconds of rest after each commit. ``dry_run`` checks
    and counts and writes nothing.
    """
    columns = resolve_mapping(header, guess_mapping(header) if mapping is None else mapping)
    tickets, errors = _check_rows(rows, columns, actor=actor)
    if errors:
        raise TicketImportError(errors)
    if dry_run:
        skipped = sum(ticket.exists for ticket in tickets)
        return ImportResult(created=len(tickets) - skipped, skipped_existing=skipped, total=len(tickets))
    batch_size = max(1, batch_size)
    count = -(-len(tickets) // batch_size)
    created = skipped = written = 0
    for index in range(skip_batches, count):
        batch = tickets[index * batch_size : (index + 1) * batch_size]
        done = _batch_write(batch, actor=actor, number=index + 1, batches=count, source=source, on_batch=on_batch)
        created, skipped, written = created + done.created, skipped + done.skipped_existing, written + 1
        if progress is not None:
            progress(done.rows)
        if pause:
            clock.sleep(pause)
    return ImportResult(created=created, skipped_existing=skipped, total=len(tickets), batches=written)


@dataclass(slots=True)
class _Rows:
    """A new case's rows, built before the batch's transaction."""

    case: Case
    case_row: Prepared
    event_row: Prepared
    audit: PendingAuditEvent


def _rows(ticket: _Ticket, *, reporter, now: datetime) -> _Rows:
    """The rows ``case_create`` writes for this ticket (checked already), built outside any transaction."""
    fields = ticket.fields
    text = fields["text"].strip()
    case = Case(
        tracking_code=_tracking_code(),
        access_token_hash=hash_token(secrets.token_urlsafe(16)),  # no resident holds a link to an imported case
        channel=Channel.IMPORT,
        request_type=fields["request_type"],
        title=(fields["title"].strip() or text[:40])[:120],
        text=text,
        category=fields["category"],
        urgency=fields["urgency"],
        address=fields["address"].strip(),
        region=ticket.region,
        reporter_name=fields["reporter_name"].strip(),
        reporter_phone=fields["reporter_phone"].strip(),
        created_at=fields["received_at"] or now,
        created_by=reporter,
        idempotency_key=ticket.key,
        request_fingerprint=ticket.fingerprint,
    )
    category = fields["category"]
    event = CaseEvent(
        case=case,
        at=case.created_at,
        actor=reporter,
        action="receive",
        to_state=case.state,
        data={"channel": Channel.IMPORT.value},
    )
    audit = audit_prepare(
        actor=reporter,
        action="case.receive",
        target=ObjectRef(Case._meta.label_lower, ""),
        summary={
            "after": {
                "channel": Channel.IMPORT.value,
                "region": case.region.code,
                "category": category.pk if category else None,
            }
        },
    )
    return _Rows(case, prepare(case), prepare(event), audit)


def _batch_write(batch: list[_Ticket], *, actor, number: int, batches: int, source: str, on_batch) -> BatchDone:
    """One batch in one transaction: its new cases, their events and audit rows, the batch's audit event and
    ``on_batch``; the rows are built first, so the write lock is held only for the statements."""
    reporter = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    new = [_rows(ticket, reporter=reporter, now=now) for ticket in batch if not ticket.exists]
    done = BatchDone(number, batches, len(batch), len(new), len(batch) - len(new))
    summary = audit_prepare(
        actor=reporter,
        action="case.tickets_imported",
        target=ObjectRef("cases.case", "*"),
        summary={
            "batch": number,
            "batches": batches,
            "created": done.created,
            "skipped_existing": done.skipped_existing,
            "source": source[:200],
        },
    )
    alias = router.db_for_write(Case)
    try:
        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            for rows in new:
                rows.case_row.execute(cursor)
                rows.event_row.set("case_id", rows.case.pk)
                rows.event_row.execute(cursor)
                index_for_search(rows.case)
                audit_append(rows.audit, cursor, object_id=rows.case.pk)
                publish_on_commit(CaseReceived(rows.case.pk), using=alias)
            if new:
                audit_append(summary, cursor)
            if on_batch is not None:
                on_batch(done)
    except IntegrityError:
        keys = [ticket.key for ticket in batch if ticket.key and not ticket.exists]
        taken = set(Case.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
        if not taken:
            raise
        raise TicketImportError(
            [_problem(ticket.row_number, "external_id", "being_imported") for ticket in batch if ticket.key in taken]
        ) from None
    return done
