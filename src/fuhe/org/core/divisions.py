"""Statistical division codes (统计用区划代码) as integer keys, and parsing of the official code lists.

No Django here: plain dataclasses in and out, so the arithmetic and the parser are unit-tested alone.

Every region gets a 15-digit integer *key* that is also its primary key. The official 12-digit code is
hierarchical (2 province, 4 city, 6 district/county, 9 street/township, 12 community/village digits);
the key appends three digits for grids, which have no official code. A region's whole subtree is then
one integer range, ``[key, key + span)``, which both SQLite and PostgreSQL answer from the primary-key
index: scoping a query to a region never needs a recursive query or a path ``LIKE``.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from fuhe.common.rows import RowError

KEY_DIGITS = 15


class Level(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


#: how many leading digits of the 15-digit key are significant at each level
SIGNIFICANT_DIGITS: dict[Level, int] = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
}
LEVEL_ORDER = list(SIGNIFICANT_DIGITS)


class Kind(StrEnum):
    URBAN = "urban"
    RURAL = "rural"
    UNKNOWN = "unknown"


def key_from_code(code: str, level: Level) -> int:
    """The 15-digit key of an official code given with at least the level's significant digits."""
    digits = SIGNIFICANT_DIGITS[level]
    if not code.isdigit() or len(code) < digits or len(code) > KEY_DIGITS:
        raise ValueError(f"code {code!r} is not a {digits}-digit {level} code")
    significant = code[:digits]
    if code[digits:].strip("0"):
        raise ValueError(f"code {code!r} has non-zero digits beyond the {digits} of a {level} code")
    return int(significant) * 10 ** (KEY_DIGITS - digits)


def subtree_span(level: Level) -> int:
    return 10 ** (KEY_DIGITS - SIGNIFICANT_DIGITS[level])


def subtree_range(key: int, level: Level) -> tuple[int, int]:
    """Half-open integer range ``[low, high)`` holding the region and all its descendants."""
    return key, key + subtree_span(level)


def level_depth(level: Level | str) -> int:
    """How deep a level lies in the tree: 0 for a province, 1 a city … 5 a grid."""
    return LEVEL_ORDER.index(Level(level))


def ancestor_key(key: int, level: Level) -> int:
    """The key of the region at ``level`` containing ``key``: its significant digits kept, the rest zeroed.
    A key no deeper than ``level`` is its own answer (a city's key at the district level is the city's key)."""
    span = subtree_span(level)
    return key // span * span


def ancestor_keys(key: int, level: Level) -> list[int]:
    """Keys of every coarser level's region containing ``key``, root first (they may not all exist)."""
    return [ancestor_key(key, coarser) for coarser in LEVEL_ORDER[: level_depth(level)]]


def ancestor_range(key: int, level: Level) -> tuple[int, int]:
    """The subtree range of the region at ``level`` containing ``key``: a community's street's span, say."""
    return subtree_range(ancestor_key(key, level), level)


def district_range(key: int, level: Level | str | None = None) -> tuple[int, int]:
    """The range of the district ``key`` lies in: where a case of that place is dispatched, owned, compared.

    With the region's ``level``, a city or province counts as its own district: its whole subtree (a case placed
    in a city, not in one of its districts, is dispatched among all the city's units). Without it, the
    district-sized span holding the key whatever its level (a city's key then keys the span of the city's own
    units and of its placeholder district "00", as in 东莞市, whose streets hang from the city itself)."""
    if level is not None and level_depth(level) < level_depth(Level.DISTRICT):
        return subtree_range(key, Level(level))
    return ancestor_range(key, Level.DISTRICT)


def official_code(key: int, level: Level) -> str:
    """The 12-digit statistical code of a key (grids: the 15-digit key itself)."""
    if level is Level.GRID:
        return str(key).zfill(KEY_DIGITS)
    return str(key // 1000).zfill(12)


def grid_key(community_key: int, number: int) -> int:
    if not 1 <= number <= 999:
        raise ValueError("a community holds grids numbered 1 to 999")
    return community_key + number


def kind_from_urban_rural_code(code: int | None, name: str) -> Kind:
    """城乡分类代码 1xx is urban and 2xx rural; without it, 居委会 is urban and 村委会 rural."""
    if code is not None:
        return Kind.URBAN if 100 <= code < 200 else Kind.RURAL if 200 <= code < 300 else Kind.UNKNOWN
    if name.endswith("居委会") or name.endswith("社区"):
        return Kind.URBAN
    if name.endswith("村委会") or name.endswith("村"):
        return Kind.RURAL
    return Kind.UNKNOWN


@dataclass(frozen=True, slots=True)
class DivisionRow:
    key: int
    code: str
    name: str
    level: Level
    parent_key: int | None
    kind: Kind
    urban_rural_code: int | None = None
    population: int | None = None
    file: str = ""
    line: int = 0


class DivisionImportError(Exception):
    """Raised with every problem found in the files; nothing is written when it is raised."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:20])
        more = f"\n  … and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} error(s) in the division files:\n{shown}{more}")


@dataclass(frozen=True, slots=True)
class FileSpec:
    level: Level
    stem: str
    parent_column: str | None
    parent_level: Level | None


FILES: tuple[FileSpec, ...] = (
    FileSpec(Level.PROVINCE, "provinces", None, None),
    FileSpec(Level.CITY, "cities", "provinceCode", Level.PROVINCE),
    FileSpec(Level.DISTRICT, "areas", "cityCode", Level.CITY),
    FileSpec(Level.STREET, "streets", "areaCode", Level.DISTRICT),
    FileSpec(Level.COMMUNITY, "villages", "streetCode", Level.STREET),
)
URBAN_RURAL_COLUMNS = ("urbanRuralCode", "urban_rural_code", "城乡分类代码")
POPULATION_COLUMNS = ("population", "人口")


@dataclass(frozen=True, slots=True)
class Selection:
    """Which part of the country to import: every code list is filtered by code prefix."""

    prefixes: tuple[str, ...] = ()

    def admits(self, code: str) -> bool:
        if not self.prefixes:
            return True
        # a code is admitted when it lies inside a selected region or is one of its ancestors
        return any(code.startswith(p) or p.startswith(code) for p in self.prefixes)


def open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by the caller


def find_file(directory: Path, stem: str) -> Path | None:
    for candidate in (directory / f"{stem}.csv", directory / f"{stem}.csv.gz"):
        if candidate.exists():
            return candidate
    return None


def _optional_int(
    row: dict[str, str], columns: Iterable[str], file: str, line: int, errors: list[RowError]
) -> int | None:
    for column in columns:
        raw = (row.get(column) or "").strip()
        if raw:
            if raw.isdigit():
                return int(raw)
            errors.append(RowError(line, column, f"{raw!r} is not a whole number", file=file))
            return None
    return None


def parse_file(
    path: Path, spec: FileSpec, selection: Selection, errors: list[RowError], placeholders: list[str] | None = None
) -> Iterator[DivisionRow]:
    """Rows of one code list. A placeholder row whose own digits are all zero (东莞市's "district" 441900,
    金门县's "street" 350527000) stands for its parent: it is skipped and its children attach to the parent."""
    name = path.name
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        required = ["code", "name"] + ([spec.parent_column] if spec.parent_column else [])
        missing = [c for c in required if c not in header]
        if missing:
            errors.append(RowError(1, missing[0], f"missing column (header has {', '.join(header)})", file=name))
            return
        for line, row in enumerate(reader, start=2):
            code = (row.get("code") or "").strip()
            if not selection.admits(code):
                continue
            region_name = (row.get("name") or "").strip()
            try:
                key = key_from_code(code, spec.level)
            except ValueError as exc:
                errors.append(RowError(line, "code", str(exc), file=name))
                continue
            if not region_name:
                errors.append(RowError(line, "name", "is empty", file=name))
                continue
            parent_key = None
            if spec.parent_column and spec.parent_level:
                parent_code = (row.get(spec.parent_column) or "").strip()
                try:
                    parent_key = key_from_code(parent_code, spec.parent_level)
                except ValueError as exc:
                    errors.append(RowError(line, spec.parent_column, str(exc), file=name))
                    continue
                low, high = subtree_range(parent_key, spec.parent_level)
                if not low <= key < high:
                    errors.append(
                        RowError(line, spec.parent_column, f"{parent_code} is not a prefix of code {code}", file=name)
                    )
                    continue
                if key == parent_key:
                    if placeholders is not None:
                        placeholders.append(f"{name}:{line} {code} {region_name}")
                    continue
            urban_rural = _optional_int(row, URBAN_RURAL_COLUMNS, name, line, errors)
            if urban_rural is not None and not 100 <= urban_rural < 300:
                errors.append(RowError(line, "urbanRuralCode", f"{urban_rural} is not a 1xx/2xx class code", file=name))
                continue
            population = _optional_int(row, POPULATION_COLUMNS, name, line, errors)
            kind = (
                kind_from_urban_rural_code(urban_rural, region_name) if spec.level is Level.COMMUNITY else Kind.UNKNOWN
            )
            yield DivisionRow(
                key,
                official_code(key, spec.level),
                region_name,
                spec.level,
                parent_key,
                kind,
                urban_rural,
                population,
                name,
                line,
            )


@dataclass(frozen=True)
class ParsedDivisions:
    rows: list[DivisionRow]
    placeholders: list[str]


def parse_directory(directory: Path, selection: Selection = Selection()) -> ParsedDivisions:
    """Parse every code list in ``directory``; raise DivisionImportError listing all problems."""
    errors: list[RowError] = []
    rows: list[DivisionRow] = []
    placeholders: list[str] = []
    for spec in FILES:
        path = find_file(directory, spec.stem)
        if path is None:
            errors.append(RowError(0, "-", f"file not found in {directory}", file=f"{spec.stem}.csv"))
            continue
        rows.extend(parse_file(path, spec, selection, errors, placeholders))
    seen: dict[int, DivisionRow] = {}
    for row in rows:
        if row.key in seen:
            errors.append(RowError(row.line, "code", f"duplicate code {row.code}", file=row.file))
        seen[row.key] = row
    for row in rows:
        if row.parent_key is not None and row.parent_key not in seen:  # placeholders share their parent's key
            parent_code = official_code(row.parent_key, _parent_level(row.level))
            errors.append(
                RowError(
                    row.line,
                    FILES[LEVEL_ORDER.index(row.level)].parent_column or "-",
                    f"parent {parent_code} of {row.code} {row.name} is not in the files",
                    file=row.file,
                )
            )
    if errors:
        raise DivisionImportError(errors)
    return ParsedDivisions(rows, placeholders)


def _parent_level(level: Level) -> Level:
    return LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]
