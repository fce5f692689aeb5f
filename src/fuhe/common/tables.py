"""Reading an uploaded table (CSV or an .xlsx workbook's first sheet) as rows of text, for every importer.

No Django here, so ``core/`` parsers use it too. A file that cannot be read raises ``TableReadError`` whose
``code`` names the problem; the importer says it in the reader's language (``TABLE_PROBLEMS`` in
``fuhe.common.table_messages`` holds the translatable sentences):

- ``bad_suffix``: not .csv, .txt or .xlsx;
- ``bad_encoding``: a text file neither UTF-8 nor GB18030 (GBK, what Excel on a Chinese Windows writes);
- ``bad_workbook``: an .xlsx that openpyxl cannot open;
- ``empty``: nothing but blanks.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from pathlib import PurePath

TEXT_SUFFIXES = (".csv", ".txt")
SUFFIXES = (*TEXT_SUFFIXES, ".xlsx")
#: delimiters a CSV may use; "，" is the full-width comma some hand-made files have
DELIMITERS = ",\t;，"


class TableReadError(ValueError):
    """The file cannot be read as a table: ``code`` names the problem (see the module's docstring)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def cell_text(value: object) -> str:
    """A cell as the text a user typed: blank for empty, a date without a midnight time, a whole number without
    ".0" (phone numbers and codes typed into numeric cells), surrounding spaces dropped."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if value.time() == time(0) else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def table_suffix(filename: str) -> str:
    """The file's suffix in lower case; ``TableReadError("bad_suffix")`` unless it is one we read."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise TableReadError("bad_suffix")
    return suffix


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableReadError("bad_encoding")


def csv_rows(data: bytes, *, delimiters: str = DELIMITERS) -> Iterator[list[str]]:
    """The rows of a CSV file (delimiter sniffed from its start), each cell stripped."""
    text = decode_text(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=delimiters)
    except csv.Error:
        dialect = csv.excel
    for row in csv.reader(io.StringIO(text, newline=""), dialect):
        yield [cell.strip() for cell in row]


def xlsx_open(data: bytes):
    """The workbook (read-only, values not formulas); the caller closes it."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise TableReadError("bad_workbook") from None


def xlsx_rows(data: bytes, *, cell: Callable[[object], str] = cell_text) -> Iterator[list[str]]:
    """The rows of the workbook's first sheet, each cell as ``cell`` writes it."""
    workbook = xlsx_open(data)
    try:
        if workbook.worksheets:
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                yield [cell(value) for value in row]
    finally:
        workbook.close()


def table_rows(data: bytes, filename: str, *, delimiters: str = DELIMITERS) -> Iterator[list[str]]:
    """The rows of a .csv/.txt or .xlsx file by its name's suffix; ``TableReadError`` if it cannot be read.

    The suffix and emptiness are checked at once; the encoding or the workbook when the rows are first asked for."""
    suffix = table_suffix(filename)
    if not data.strip():
        raise TableReadError("empty")
    return xlsx_rows(data) if suffix == ".xlsx" else csv_rows(data, delimiters=delimiters)
