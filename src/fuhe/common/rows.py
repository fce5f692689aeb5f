"""The row error of every importer (hotline tickets, division codes, duty sheets): one shape, one sentence.

No Django here, so the parsers in ``core/`` packages use it too."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one row of an imported file.

    ``row`` is the number the user's own program shows: the spreadsheet row (the header is row 1) or, for a text
    file named by ``file``, its line. ``field`` is the column or field at fault ("*" for the whole row)."""

    row: int
    field: str
    reason: str
    file: str = ""

    def __str__(self) -> str:
        where = f"{self.file}, line {self.row}" if self.file else f"row {self.row}"
        return f"{where}, field {self.field!r}: {self.reason}"
