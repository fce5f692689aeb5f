"""fuhe import_tickets: load hotline tickets (12345 工单) from a .xlsx or .csv file: every row checked, then
written in short batches (a run stopped half way leaves whole batches; running it again skips them)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from fuhe.cases.services.ticket_import import (
    BATCH_SIZE,
    FIELDS,
    TicketImportError,
    guess_mapping,
    read_table,
    row_error_text,
    tickets_import,
)

MAX_LISTED_ERRORS = 20


def _messages(exc: ValidationError) -> str:
    return _("; ").join(exc.messages)


class Command(BaseCommand):
    help = (
        "Import hotline tickets from a .xlsx or .csv file as cases (channel 'import'). Columns are recognised "
        "by their Chinese headers (工单编号, 诉求内容, 诉求地址, 区划代码, 分类, 紧急程度, 来电人, 联系电话, "
        "受理时间 …); --map field=Column overrides. Every row is checked first: one bad row imports nothing. "
        "Then the tickets are written in batches, each in its own short transaction, so residents' reports get "
        "in meanwhile. Tickets already imported (same 工单编号) are skipped: a run stopped half way is resumed "
        "by running it again (rows without a ticket number would be imported again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=".xlsx or .csv file (UTF-8 or GB18030)")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=f"map a field to a column header (fields: {', '.join(FIELDS)}); repeatable; "
            "an empty COLUMN unmaps the field",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help=f"tickets per transaction (default {BATCH_SIZE})"
        )
        parser.add_argument(
            "--max-rows",
            type=int,
            default=None,
            help="refuse a file with more rows (default: the setting FUHE_IMPORT_MAX_ROWS)",
        )
        parser.add_argument("--user", default="", help="username recorded as the importer (default: system)")
        parser.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("--user: no user %(name)s") % {"name": options["user"]})
        try:
            max_rows = options["max_rows"] or settings.FUHE_IMPORT_MAX_ROWS
            header, rows = read_table(path, path.name, max_rows=max_rows)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        mapping = guess_mapping(header)
        for item in options["map"]:
            field, sep, column = item.partition("=")
            field = field.strip()
            if not sep or field not in FIELDS:
                raise CommandError(
                    _("--map %(item)s: expected FIELD=COLUMN with FIELD one of %(fields)s")
                    % {"item": item, "fields": ", ".join(FIELDS)}
                )
            if column.strip():
                mapping[field] = column.strip()
            else:
                mapping.pop(field, None)
        if options["verbosity"] > 1:
            self.stdout.write(
                _("Columns: %(mapping)s") % {"mapping": ", ".join(f"{f}={c}" for f, c in mapping.items())}
            )
        total = sum(1 for row in rows if any(cell.strip() for cell in row))
        committed = [0]

        def advance(done: int) -> None:
            committed[0] += done
            bar.update(done)

        try:
            with tqdm(
                total=total,
                unit="ticket",
                desc="import",
                file=self.stderr._out,
                disable=options["no_progress"] or options["verbosity"] == 0,
            ) as bar:
                result = tickets_import(
                    actor=actor,
                    header=header,
                    rows=rows,
                    mapping=mapping,
                    progress=advance,
                    dry_run=options["dry_run"],
                    source=str(path),
                    batch_size=options["batch_size"],
                )
        except ValidationError as exc:
            raise CommandError(f"{path.name}: {_messages(exc)}") from exc
        except TicketImportError as exc:
            listed = "\n".join(f"  {row_error_text(error)}" for error in exc.errors[:MAX_LISTED_ERRORS])
            more = len(exc.errors) - MAX_LISTED_ERRORS
            tail = "\n  " + _("… and %(more)s more") % {"more": more} if more > 0 else ""
            if committed[0]:
                outcome = _("the first %(count)s tickets were imported (run it again to resume after them)") % {
                    "count": committed[0]
                }
            else:
                outcome = _("nothing was imported")
            count = ngettext("%(count)s error", "%(count)s errors", len(exc.errors)) % {"count": len(exc.errors)}
            raise CommandError(f"{path.name}: {count}, {outcome}:\n{listed}{tail}") from exc
        summary = _("%(total)s tickets: %(created)s created, %(skipped)s skipped (already imported)") % {
            "total": result.total,
            "created": result.created,
            "skipped": result.skipped_existing,
        }
        if options["dry_run"]:
            summary = _("Dry run (nothing written): %(summary)s") % {"summary": summary}
        self.stdout.write(self.style.SUCCESS(summary))
