"""The reader's-language sentences for ``fuhe.common.tables.TableReadError`` codes, shared by the importers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

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
