"""The household register's sheet (户籍名册): the ID column found, every row checked, no Django.

A community or village proves who lives there from its household register, as the police station or the village's
own roll exports it: one row per person, any number of columns. Only the resident ID number is read (its header
is one of ``ID_HEADERS``); every other column — name, household number, relation to the head, address — is left
unread, so the file can be uploaded as it comes and nothing more than needed is kept. ``parse_register`` checks
every row and reports each problem with its row (the spreadsheet's number, the header is row 1); the service keeps
only a keyed digest of each number (``id_digest``) and writes all or nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import date

from fuhe.common.rows import Problem

#: headers that name the resident ID column (compared without spaces, case-insensitive)
ID_HEADERS = ("身份证号", "身份证号码", "公民身份号码", "身份号码", "证件号码", "idnumber", "id_number")
MAX_ROWS = 50_000
#: how many rows the sheet's header may sit below its title lines (an exported roll often starts with one)
HEADER_SEARCH_ROWS = 5
_SHAPE = re.compile(r"^\d{17}[\dX]$")
_SPACES = re.compile(r"[\s\u3000-]+")


@dataclass
class ParsedRegister:
    numbers: list[str] = field(default_factory=list)  # normalised, in the file's order, each once
    problems: list[Problem] = field(default_factory=list)


def normalise(value: str) -> str:
    """The number as stored everywhere: spaces, full-width spaces and hyphens dropped, a final x upper-cased."""
    return _SPACES.sub("", str(value or "")).upper()


def birth_date(number: str) -> date | None:
    """The birth date written in an 18-character number (its characters 7–14), or None if it is no date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_problem(number: str, today: date) -> str:
    """The problem code of a normalised number ("" when it has the form of a resident ID number): 18 characters,
    17 digits and a digit or X, a birth date that exists and is not in the future."""
    if not _SHAPE.match(number):
        return "not_an_id"
    born = birth_date(number)
    if born is None or born > today or born.year < 1880:
        return "bad_birth_date"
    return ""


def id_digest(number: str, key: bytes) -> str:
    """HMAC-SHA256 of the normalised number under ``key``: what the register keeps of it. A resident ID number has
    too little entropy for a plain hash, which anyone could reverse by trying every birth date and sequence."""
    return hmac.new(key, normalise(number).encode("ascii", "ignore"), hashlib.sha256).hexdigest()


def _id_column(table: list[list[str]]) -> tuple[int, int] | None:
    """(header row index, column index) of the ID column among the first rows, or None."""
    for row_index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        for column, cell in enumerate(cells):
            if _SPACES.sub("", str(cell)).lower() in ID_HEADERS:
                return row_index, column
    return None


def parse_register(table: list[list[str]], *, today: date) -> ParsedRegister:
    """Check every row below the header: an ID number of the right form on each, no number twice."""
    parsed = ParsedRegister()
    found = _id_column(table)
    if found is None:
        parsed.problems.append(Problem(1, "id_number", "missing_column"))
        return parsed
    header, column = found
    body = [
        (number, cells)
        for number, cells in enumerate(table[header + 1 :], start=header + 2)
        if any(str(cell).strip() for cell in cells)
    ]
    if not body:
        parsed.problems.append(Problem(header + 1, "*", "empty"))
        return parsed
    if len(body) > MAX_ROWS:
        parsed.problems.append(Problem(header + 1, "*", "too_many_rows", (("limit", str(MAX_ROWS)),)))
        return parsed
    seen: dict[str, int] = {}
    for row, cells in body:
        number = normalise(cells[column]) if column < len(cells) else ""
        if not number:
            parsed.problems.append(Problem(row, "id_number", "required"))
            continue
        problem = id_problem(number, today)
        if problem:
            parsed.problems.append(Problem(row, "id_number", problem))
        elif number in seen:
            parsed.problems.append(Problem(row, "id_number", "row_twice", (("row", str(seen[number])),)))
        else:
            seen[number] = row
            parsed.numbers.append(number)
    return parsed
