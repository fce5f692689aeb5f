"""The place gazetteer's sheet (地名库): columns, row checks, no Django.

A district imports its named places — housing estates, schools, markets, bus stops — from CSV or Excel: one row per
place with its name, the region holding it (a division code or a region name), an optional point (latitude and
longitude, WGS-84) and aliases. ``parse_places`` checks every row and reports each problem with its row (the
spreadsheet's number, the header is row 1) and column; the service resolves the regions and writes all or nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from fuhe.common.rows import Problem, RowError
from fuhe.common.tables import table_rows

#: the columns, with the headers accepted for each (English and Chinese)
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "名称", "地名"),
    "region": ("region", "region code", "区域", "所属区域", "区划代码", "社区"),
    "lat": ("lat", "latitude", "纬度"),
    "lon": ("lon", "long", "lng", "longitude", "经度"),
    "aliases": ("aliases", "alias", "别名"),
}
ALIAS_SEPARATORS = re.compile(r"[、,，;；|/]")
NAME_LENGTH = 100
MAX_ROWS = 50_000


@dataclass(frozen=True)
class PlaceRow:
    row: int
    name: str
    region: str  # a division code or a region name, as typed ("" when the point decides)
    latitude: Decimal | None
    longitude: Decimal | None
    aliases: tuple[str, ...]


@dataclass
class ParsedPlaces:
    rows: list[PlaceRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _header(cells: list[str]) -> tuple[dict[str, int], list[Problem]]:
    columns: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(cells):
        title = cell.strip().lower()
        if not title:
            continue
        column = next((name for name, titles in COLUMNS.items() if title in titles), None)
        if column is None:
            problems.append(Problem(1, cell.strip(), "unknown_column"))
        elif column in columns:
            problems.append(Problem(1, cell.strip(), "column_twice"))
        else:
            columns[column] = index
    for required in ("name",):
        if required not in columns:
            problems.append(Problem(1, required, "missing_column"))
    if "region" not in columns and not {"lat", "lon"} <= set(columns):
        problems.append(Problem(1, "region", "missing_column"))
    return columns, problems


def _coordinate(text: str, row: int, name: str, bound: int, problems: list[Problem]) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        problems.append(Problem(row, name, "not_a_number", (("value", text[:40]),)))
        return None
    if not value.is_finite() or not -bound <= value <= bound:
        problems.append(Problem(row, name, "out_of_range", (("bound", str(bound)),)))
        return None
    return value.quantize(Decimal("0.000001"))


def parse_places(table: list[list[str]]) -> ParsedPlaces:
    """Check every row of the sheet (a header row, then one row per place)."""
    parsed = ParsedPlaces()
    table = [row for row in table if any(str(cell).strip() for cell in row)]
    if len(table) < 2:
        parsed.problems.append(Problem(1, "*", "empty"))
        return parsed
    if len(table) - 1 > MAX_ROWS:
        parsed.problems.append(Problem(1, "*", "too_many_rows", (("limit", str(MAX_ROWS)),)))
        return parsed
    columns, parsed.problems = _header([str(cell) for cell in table[0]])
    if parsed.problems:
        return parsed
    seen: dict[tuple[str, str], int] = {}
    for number, cells in enumerate(table[1:], start=2):

        def cell(column: str, cells=cells) -> str:
            index = columns.get(column)
            return str(cells[index]).strip() if index is not None and index < len(cells) else ""

        problems: list[Problem] = []
        name, region = cell("name"), cell("region")
        if not name:
            problems.append(Problem(number, "name", "required"))
        elif len(name) > NAME_LENGTH:
            problems.append(Problem(number, "name", "too_long", (("limit", str(NAME_LENGTH)),)))
        latitude = _coordinate(cell("lat"), number, "lat", 90, problems)
        longitude = _coordinate(cell("lon"), number, "lon", 180, problems)
        if bool(cell("lat")) != bool(cell("lon")):
            problems.append(Problem(number, "lat" if not cell("lat") else "lon", "both_or_neither"))
        if not region and not (cell("lat") and cell("lon")):
            problems.append(Problem(number, "region", "region_or_point"))
        aliases = tuple(dict.fromkeys(a.strip() for a in ALIAS_SEPARATORS.split(cell("aliases")) if a.strip()))
        for alias in aliases:
            if len(alias) > NAME_LENGTH:
                problems.append(Problem(number, "aliases", "too_long", (("limit", str(NAME_LENGTH)),)))
                break
        key = (name, region)
        if name and key in seen:
            problems.append(Problem(number, "name", "row_twice", (("row", str(seen[key])),)))
        seen.setdefault(key, number)
        if problems:
            parsed.problems.extend(problems)
            continue
        parsed.rows.append(PlaceRow(number, name, region, latitude, longitude, aliases))
    return parsed


def row_error(problem: Problem, message: str) -> RowError:
    return RowError(problem.row, problem.field, message % dict(problem.values) if problem.values else message)


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """The cells of a CSV (UTF-8 or GB18030) or of an .xlsx workbook's first sheet, as text
    (``fuhe.common.tables``; ``TableReadError`` names what is wrong with the file)."""
    return list(table_rows(data, filename, delimiters=",\t;"))
