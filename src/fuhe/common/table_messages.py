"""The reader's-language sentences for ``fuhe.common.tables.TableReadError`` codes, shared by the importers."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy

from fuhe.common.rows import Problem, RowError
from fuhe.common.tables import TableReadError

TABLE_PROBLEMS = {
    "bad_suffix": gettext_lazy("only .csv, .txt and .xlsx files can be imported"),
    "bad_encoding": gettext_lazy("the file is neither UTF-8 nor GB18030 (GBK) text"),
    "bad_workbook": gettext_lazy("not a readable .xlsx workbook"),
    "empty": gettext_lazy("the file is empty"),
}


def table_error(error: TableReadError, *, field: str = "file") -> ValidationError:
    """``error`` as a ``ValidationError`` on ``field``, in the active language."""
    return ValidationError({field: str(TABLE_PROBLEMS[error.code])})


def problem_row_error(problem: Problem, messages: Mapping[str, object]) -> RowError:
    """``problem`` as a row error: its reason in English (logs), its code and values to say it later in the reader's
    language (``RowError.reason_in(messages)``). ``messages``: code → a lazily translated message."""
    with translation.override("en"):
        reason = str(messages[problem.code]) % dict(problem.values)
    return RowError(problem.row, problem.field, reason, code=problem.code, values=tuple(problem.values))
