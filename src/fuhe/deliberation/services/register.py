"""The household register (户籍名册) of a community or village: imported as it comes, all or nothing, kept only as
keyed digests of the resident ID numbers, so eligibility to vote follows the register where there is one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhe.audit.services import audit_record
from fuhe.common.rows import RowError
from fuhe.common.table_messages import TABLE_PROBLEMS, problem_row_error
from fuhe.common.tables import TableReadError, table_rows
from fuhe.deliberation.core.register import parse_register
from fuhe.deliberation.models import HouseholdRegister, HouseholdRegisterEntry
from fuhe.deliberation.rules import register_digest, register_key
from fuhe.deliberation.services.common import _community, _raise, _require_manager
from fuhe.org.models import Region

REGISTER_MAX_BYTES = 20 * 1024 * 1024
#: rows written or removed per transaction, so a large register never holds the database for long
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


@dataclass(frozen=True)
class RegisterImportResult:
    register: HouseholdRegister
    people: int
    replaced: int  # people of the register in force before


def household_register_import(*, actor, region: Region | None, file, filename: str) -> RegisterImportResult:
    """Import the community's or village's household register (CSV or .xlsx): every row checked first, all or
    nothing; the new register replaces the one in force. Only digests of the ID numbers are written.

    The database is never held for long: the entries are written in short transactions of ``BATCH`` rows while the
    new register is not yet in force, then one short transaction puts it in force (and records the audit event),
    and the replaced register's entries are removed in short transactions. Until that switch the register in force
    is the previous one, whole; a run cut off before it leaves the previous one in force, and the next import
    removes what it wrote."""
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
        raise RegisterImportError([problem_row_error(problem, REGISTER_PROBLEMS) for problem in parsed.problems])
    key = register_key()
    digests = [register_digest(number, key) for number in parsed.numbers]
    register = HouseholdRegister.objects.create(
        region=region,
        imported_by=actor,
        imported_at=timezone.now(),
        file_name=(filename or "")[-120:],
        people=len(digests),
    )
    for start in range(0, len(digests), BATCH):
        with transaction.atomic():
            HouseholdRegisterEntry.objects.bulk_create(
                [
                    HouseholdRegisterEntry(register=register, region=region, digest=digest)
                    for digest in digests[start : start + BATCH]
                ]
            )
    replaced = _put_in_force(actor, register)
    _remove_superseded(region, register)
    return RegisterImportResult(register=register, people=len(digests), replaced=replaced)


@transaction.atomic
def _put_in_force(actor, register: HouseholdRegister) -> int:
    """One short transaction: the register replaces the one in force (whose count it returns), with its audit event.
    Refused if its entries are not all there (a concurrent import removed them) or a newer import is in force."""
    previous = HouseholdRegister.objects.select_for_update().filter(region=register.region, in_force=True).first()
    written = HouseholdRegisterEntry.objects.filter(register=register).count()
    if written != register.people or (previous is not None and previous.pk > register.pk):
        _raise("file", _("Another import of this register ran at the same time; import the file again."))
    replaced = 0
    if previous is not None:
        replaced = previous.people
        previous.in_force = False
        previous.save(update_fields=["in_force"])
    register.in_force = True
    register.save(update_fields=["in_force"])
    audit_record(
        actor=actor,
        action="deliberation.household_register_import",
        target=register,
        summary={"file": register.file_name, "people": register.people, "replaced": replaced},
    )
    return replaced


def _remove_superseded(region: Region, register: HouseholdRegister) -> None:
    """Remove, in short transactions, the entries of the region's earlier registers (the replaced one, and any left
    by a run cut off before its switch); the registers' rows stay as history."""
    stale = HouseholdRegisterEntry.objects.filter(region=region, register__lt=register.pk, register__in_force=False)
    while True:
        with transaction.atomic():
            ids = list(stale.values_list("pk", flat=True)[:BATCH])
            if not ids:
                return
            HouseholdRegisterEntry.objects.filter(pk__in=ids).delete()
