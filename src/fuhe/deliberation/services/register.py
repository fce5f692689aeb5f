"""The household register (户籍名册) of a community or village: imported as it comes, all or nothing, kept only as
keyed digests of the resident ID numbers, so eligibility to vote follows the register where there is one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhe.audit.services import audit_record
from fuhe.common.rows import RowError
from fuhe.common.table_messages import TABLE_PROBLEMS
from fuhe.common.tables import TableReadError, table_rows
from fuhe.deliberation.core.register import Problem, parse_register
from fuhe.deliberation.models import HouseholdRegister, HouseholdRegisterEntry
from fuhe.deliberation.rules import register_digest
from fuhe.deliberation.services.common import _community, _raise, _require_manager
from fuhe.org.models import Region

REGISTER_MAX_BYTES = 20 * 1024 * 1024
#: rows written per INSERT, so a large register never holds the database for long
BATCH = 2000

REGISTER_PROBLEMS = {
    "missing_column": gettext_lazy(
        "no column of resident ID numbers (a header such as 身份证号, 公民身份号码 or 证件号码 in the first rows)"
    ),
    "empty": gettext_lazy("the register lists nobody"),
    "too_many_rows": gettext_lazy("more than %(limit)s rows"),
    "required": gettext_lazy("the ID number is missing"),
    "not_an_id": gettext_lazy("not a resident ID number (18 characters: 17 digits, then a digit or X)"),
    "bad_birth_date": gettext_lazy("the birth date in this ID number does not exist or lies in the future"),
    "row_twice": gettext_lazy("the same ID number is also on row %(row)s"),
}
COLUMN_LABELS = {"id_number": gettext_lazy("ID number")}


class RegisterImportError(Exception):
    """Some rows of the register are wrong; nothing was written. ``errors`` lists every one."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} error(s): " + "; ".join(str(e) for e in self.errors[:5]))

    @property
    def messages(self) -> list[str]:
        return [register_error_text(error) for error in self.errors]


def register_error_text(error: RowError) -> str:
    """One row's problem in the reader's language: "Row 3, column “ID number”: …"."""
    reason = error.reason_in(REGISTER_PROBLEMS)
    if error.field == "*":
        return _("Row %(row)s: %(reason)s") % {"row": error.row, "reason": reason}
    column = COLUMN_LABELS.get(error.field, error.field)
    return _("Row %(row)s, column “%(column)s”: %(reason)s") % {"row": error.row, "column": column, "reason": reason}


def _row_error(problem: Problem) -> RowError:
    """The problem as every importer reports it: the reason in English (logs), its code for the reader's language."""
    with translation.override("en"):
        reason = str(REGISTER_PROBLEMS[problem.code]) % dict(problem.values)
    return RowError(problem.row, problem.field, reason, code=problem.code, values=problem.values)


@dataclass(frozen=True)
class RegisterImportResult:
    register: HouseholdRegister
    people: int
    replaced: int  # people of the register in force before


def household_register_import(*, actor, region: Region | None, file, filename: str) -> RegisterImportResult:
    """Import the community's or village's household register (CSV or .xlsx): every row checked first, all or
    nothing; the new register replaces the one in force. Only digests of the ID numbers are written, in batches,
    with one audit event."""
    region = _community(region)
    _require_manager(actor, region)
    data = file.read(REGISTER_MAX_BYTES + 1) if hasattr(file, "read") else bytes(file)
    if len(data) > REGISTER_MAX_BYTES:
        _raise("file", _("The file is larger than %(limit)s MB.") % {"limit": REGISTER_MAX_BYTES // 2**20})
    try:
        table = list(table_rows(data, filename))
    except TableReadError as error:
        _raise("file", str(TABLE_PROBLEMS[error.code]))
    parsed = parse_register(table, today=timezone.localdate())
    if parsed.problems:
        raise RegisterImportError([_row_error(problem) for problem in parsed.problems])
    digests = [register_digest(number) for number in parsed.numbers]
    with transaction.atomic():
        replaced, _counts = HouseholdRegisterEntry.objects.filter(region=region).delete()
        register = HouseholdRegister.objects.create(
            region=region,
            imported_by=actor,
            imported_at=timezone.now(),
            file_name=(filename or "")[-120:],
            people=len(digests),
        )
        HouseholdRegisterEntry.objects.bulk_create(
            [HouseholdRegisterEntry(register=register, region=region, digest=digest) for digest in digests],
            batch_size=BATCH,
        )
        audit_record(
            actor=actor,
            action="deliberation.household_register_import",
            target=register,
            summary={"file": register.file_name, "people": len(digests), "replaced": replaced},
        )
    return RegisterImportResult(register=register, people=len(digests), replaced=replaced)
