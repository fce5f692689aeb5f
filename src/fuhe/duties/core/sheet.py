"""Duty-list spreadsheet rows: header mapping and validation (no Django, no openpyxl).

The importer is all-or-nothing: every row is checked first and every problem is reported with its sheet row
(1-based, the header is row 1) and field; nothing is written unless there is none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from fuhe.common.rows import RowError

# key → the header shown on export (English key, Chinese name); headers are matched on either
COLUMNS: dict[str, str] = {
    "code": "编码",
    "matter": "事项",
    "category": "类别",
    "owner_level": "承担层级",
    "lead_unit_kind": "牵头单位类型",
    "lead_department_type": "牵头部门",
    "assisting_department_types": "协助部门",
    "basis": "依据",
    "keywords": "关键词",
    "examples": "典型案例",
    "admission": "社区准入",
    "note": "备注",
}
REQUIRED = ("code", "matter")
LEVEL_ALIASES = {
    "区级部门": "district",
    "区级": "district",
    "区": "district",
    "街道": "street",
    "乡镇": "street",
    "街乡": "street",
    "社区": "community",
    "村": "community",
    "村社区": "community",
}
ADMISSION_ALIASES = {"依法履职": "owned", "协助": "assists", "协助政府": "assists", "禁入": "excluded", "": "none"}
LIST_SPLIT = re.compile(r"[,，、;；\s]+")
#: a typical case in a cell: one per line, "title｜text" (or only the text)
EXAMPLE_SEPARATOR = re.compile(r"\s*[｜|]\s*")
MAX_EXAMPLES = 50
MAX_EXAMPLE_LENGTH = 500


#: every problem a sheet can have: its code → the English reason (``RowError.reason``); the values named in the
#: message fill it. The Django layer (``duties.sheets.row_error_text``) says the same in the reader's language.
PROBLEMS: dict[str, str] = {
    "unknown_column": "unknown column",
    "column_twice": "column given twice",
    "missing_column": "missing required column",
    "required": "required",
    "code_twice": "%(value)s is also on row %(row)s",
    "not_a_choice": "%(value)s is not one of %(choices)s",
    "not_a_department": "%(value)s is not a department",
    "unknown_category": "%(value)s is not a known category path",
    "district_lead": "a district-level lead is a department (give lead_department_type) or the district government",
    "too_long": "at most %(limit)s characters",
    "example_too_long": "typical case %(number)s is longer than %(limit)s characters",
    "too_many_examples": "at most %(limit)s typical cases",
    "no_items": "the sheet has no duty items",
}


def problem(row: int, field: str, code: str, /, **values: object) -> RowError:
    """The row error of problem ``code`` (a key of ``PROBLEMS``), with its English reason and its values."""
    texts = tuple((name, str(value)) for name, value in values.items())
    return RowError(row, field, PROBLEMS[code] % dict(texts), code=code, values=texts)


def header_label(key: str) -> str:
    return f"{key} ({COLUMNS[key]})"


@dataclass
class ItemRow:
    row: int
    code: str
    matter: str
    category: str = ""
    owner_level: str = ""
    lead_unit_kind: str = ""
    lead_department_type: str = ""
    assisting_department_types: list[str] = field(default_factory=list)
    basis: str = ""
    keywords: list[str] = field(default_factory=list)
    admission: str = "none"
    note: str = ""
    examples: list[dict[str, str]] = field(default_factory=list)  # typical cases: {"title", "text"} each


def map_header(cells: Sequence[object]) -> tuple[dict[str, int], list[RowError]]:
    """Column positions by key; a header cell may be ``key``, the Chinese name, or ``key (中文)``."""
    by_name = {key: key for key in COLUMNS} | {zh: key for key, zh in COLUMNS.items()}
    positions: dict[str, int] = {}
    errors = []
    for index, cell in enumerate(cells):
        text = str(cell or "").strip()
        if not text:
            continue
        key = by_name.get(text.split(" (")[0].strip()) or by_name.get(text)
        if key is None:
            errors.append(problem(1, text, "unknown_column"))
        elif key in positions:
            errors.append(problem(1, text, "column_twice"))
        else:
            positions[key] = index
    errors += [problem(1, key, "missing_column") for key in REQUIRED if key not in positions]
    return positions, errors


def split_list(value: object) -> list[str]:
    return [part for part in LIST_SPLIT.split(str(value or "").strip()) if part]


def split_examples(value: object) -> list[dict[str, str]]:
    """The typical cases of a cell: one per line, "title｜text"; a line without a separator is the text alone."""
    examples = []
    for line in str(value or "").splitlines():
        line = line.strip()
        if not line:
            continue
        parts = EXAMPLE_SEPARATOR.split(line, maxsplit=1)
        title, text = (parts[0], parts[1]) if len(parts) == 2 else ("", line)
        examples.append({"title": title, "text": text})
    return examples


def examples_text(examples: Sequence[Mapping[str, str]]) -> str:
    """The cell of ``split_examples``: one typical case per line."""
    return "\n".join(f"{e['title']}｜{e['text']}" if e.get("title") else e["text"] for e in examples)


def example_problems(number: int, examples: Sequence[Mapping[str, str]]) -> list[RowError]:
    if len(examples) > MAX_EXAMPLES:
        return [problem(number, "examples", "too_many_examples", limit=MAX_EXAMPLES)]
    return [
        problem(number, "examples", "example_too_long", number=position, limit=MAX_EXAMPLE_LENGTH)
        for position, example in enumerate(examples, start=1)
        if len(example["title"]) + len(example["text"]) > MAX_EXAMPLE_LENGTH
    ]


def _choice(given: str, aliases: Mapping[str, str]) -> str:
    """The code a cell names: the code itself, or one of its names (compared without case and spaces)."""
    return aliases.get(given) or aliases.get(re.sub(r"\s+", "", given).casefold()) or given


def parse_rows(
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    *,
    categories: set[str],
    choices: Mapping[str, set[str]],
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[list[ItemRow], list[RowError]]:
    """Validate every row. ``choices`` holds the allowed values of owner_level, lead_unit_kind,
    lead_department_type and admission; ``aliases`` the names a cell may give instead of a code, by column (name →
    code; the names as the reader reads them, e.g. "街道/乡镇"); ``categories`` the known category paths."""
    names: dict[str, dict[str, str]] = {
        key: {re.sub(r"\s+", "", name).casefold(): code for name, code in (aliases or {}).get(key, {}).items()}
        for key in choices
    }
    names["owner_level"] = LEVEL_ALIASES | names.get("owner_level", {})
    names["admission"] = {k: v for k, v in ADMISSION_ALIASES.items() if k} | names.get("admission", {})
    positions, errors = map_header(header)
    if errors:
        return [], errors
    items: list[ItemRow] = []
    seen: dict[str, int] = {}
    for offset, cells in enumerate(rows):
        number = offset + 2
        raw = {key: (cells[pos] if pos < len(cells) else None) for key, pos in positions.items()}
        if all(value in (None, "") for value in raw.values()):
            continue
        value = {key: str(v).strip() if v is not None else "" for key, v in raw.items()}
        row_errors = []
        for key in REQUIRED:
            if not value.get(key):
                row_errors.append(problem(number, key, "required"))
        code = value.get("code", "")
        if code and code in seen:
            row_errors.append(problem(number, "code", "code_twice", value=repr(code), row=seen[code]))
        level = _choice(value.get("owner_level", ""), names["owner_level"])
        admission = _choice(value.get("admission", ""), names["admission"])
        checks = {
            "owner_level": level,
            "lead_unit_kind": _choice(value.get("lead_unit_kind", ""), names["lead_unit_kind"]),
            "lead_department_type": _choice(value.get("lead_department_type", ""), names["lead_department_type"]),
            "admission": admission,
        }
        for key, given in checks.items():
            if given and given not in choices[key]:
                row_errors.append(
                    problem(number, key, "not_a_choice", value=repr(given), choices=", ".join(sorted(choices[key])))
                )
        assisting = [
            _choice(given, names["lead_department_type"])
            for given in split_list(value.get("assisting_department_types", ""))
        ]
        for given in assisting:
            if given not in choices["lead_department_type"]:
                row_errors.append(problem(number, "assisting_department_types", "not_a_department", value=repr(given)))
        category = value.get("category", "").replace(" › ", "/")
        if category and category not in categories:
            row_errors.append(problem(number, "category", "unknown_category", value=repr(category)))
        if (
            level == "district"
            and not checks["lead_department_type"]
            and checks["lead_unit_kind"] not in ("", "district_government")
        ):
            row_errors.append(problem(number, "lead_unit_kind", "district_lead"))
        if len(value.get("matter", "")) > 200:
            row_errors.append(problem(number, "matter", "too_long", limit=200))
        if len(code) > 20:
            row_errors.append(problem(number, "code", "too_long", limit=20))
        examples = split_examples(raw.get("examples"))
        row_errors += example_problems(number, examples)
        errors += row_errors
        if code:
            seen.setdefault(code, number)
        if not row_errors:
            items.append(
                ItemRow(
                    row=number,
                    code=code,
                    matter=value["matter"],
                    category=category,
                    owner_level=level,
                    lead_unit_kind=checks["lead_unit_kind"],
                    lead_department_type=checks["lead_department_type"],
                    assisting_department_types=assisting,
                    basis=value.get("basis", ""),
                    keywords=split_list(value.get("keywords", "")),
                    examples=examples,
                    admission=admission or "none",
                    note=value.get("note", "")[:200],
                )
            )
    if not items and not errors:
        errors.append(problem(2, "code", "no_items"))
    return items, errors
