"""The row error of every importer (hotline tickets, division codes, duty sheets): one shape, one sentence; and the
problem a ``core/`` parser reports before the Django layer words it (``Problem``).

No Django here, so the parsers in ``core/`` packages use it too."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one row of an imported file.

    ``row`` is the number the user's own program shows: the spreadsheet row (the header is row 1) or, for a text
    file named by ``file``, its line. ``field`` is the column or field at fault ("*" for the whole row).

    ``reason`` is the problem in English (logs, the API). A parser that cannot translate (a ``core/`` package) also
    names the problem by ``code`` with the ``values`` that fill its message, so the Django layer can say it in the
    reader's language (``reason_in``)."""

    row: int
    field: str
    reason: str
    file: str = ""
    code: str = ""
    values: tuple[tuple[str, str], ...] = ()

    def reason_in(self, reasons: Mapping[str, object]) -> str:
        """The reason in the words of ``reasons`` (problem code → a message with ``%(name)s`` placeholders, already
        in the reader's language); the English ``reason`` when the problem has no code or ``reasons`` lacks it."""
        message = reasons.get(self.code) if self.code else None
        return str(message) % dict(self.values) if message is not None else self.reason

    def text_in(
        self, reasons: Mapping[str, object], column: Callable[[str], str], *, in_row: str, in_whole_row: str = ""
    ) -> str:
        """The whole error in the reader's language: ``in_row`` (already translated, with ``%(row)s``,
        ``%(column)s`` and ``%(reason)s``) filled with the row, the column as ``column`` names it and ``reason_in``;
        ``in_whole_row`` (``%(row)s``, ``%(reason)s``) when the field is "*" (the whole row)."""
        reason = self.reason_in(reasons)
        if self.field == "*" and in_whole_row:
            return in_whole_row % {"row": self.row, "reason": reason}
        return in_row % {"row": self.row, "column": column(self.field), "reason": reason}

    def as_dict(self) -> dict[str, object]:
        """The error as JSON can store it (``from_dict`` reads it back), to be said in a reader's language later."""
        return {
            "row": self.row,
            "field": self.field,
            "reason": self.reason,
            "file": self.file,
            "code": self.code,
            "values": [list(pair) for pair in self.values],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> RowError:
        values = data.get("values") or []
        return cls(
            row=int(str(data.get("row", 0))),
            field=str(data.get("field", "")),
            reason=str(data.get("reason", "")),
            file=str(data.get("file", "")),
            code=str(data.get("code", "")),
            values=tuple((str(name), str(value)) for name, value in values),  # type: ignore[attr-defined]
        )

    def __str__(self) -> str:
        where = f"{self.file}, line {self.row}" if self.file else f"row {self.row}"
        return f"{where}, field {self.field!r}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem of one row found by a parser that cannot translate (a ``core/`` package): ``row`` as the user's
    program numbers it (the header is 1), ``field`` the column ("*": the whole row), ``code`` names the message and
    ``values`` fill it. ``fuhe.common.table_messages.problem_row_error`` makes it a ``RowError``."""

    row: int
    field: str
    code: str
    values: tuple[tuple[str, str], ...] = ()
