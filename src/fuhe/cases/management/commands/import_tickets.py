"""fuhe import_tickets: load hotline tickets (12345 工单) from a .xlsx or .csv file, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from fuhe.cases.services.ticket_import import (
    FIELDS,
    TicketImportError,
    guess_mapping,
    read_table,
    tickets_import,
)

MAX_LISTED_ERRORS = 20


def _messages(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


class Command(BaseCommand):
    help = (
        "Import hotline tickets from a .xlsx or .csv file as cases (channel 'import'). Columns are recognised "
        "by their Chinese headers (工单编号, 诉求内容, 诉求地址, 区划代码, 分类, 紧急程度, 来电人, 联系电话, "
        "受理时间 …); --map field=Column overrides. Every row is checked first: one bad row imports nothing. "
        "Tickets already imported (same 工单编号) are skipped."
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
        parser.add_argument("--dry-run", action="store_true", help="check and count, then roll everything back")
        parser.add_argument("--user", default="", help="username recorded as the importer (default: system)")
        parser.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"--user: no user {options['user']!r}")
        try:
            header, rows = read_table(path, path.name)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        mapping = guess_mapping(header)
        for item in options["map"]:
            field, sep, column = item.partition("=")
            field = field.strip()
            if not sep or field not in FIELDS:
                raise CommandError(f"--map {item!r}: expected FIELD=COLUMN with FIELD one of {', '.join(FIELDS)}")
            if column.strip():
                mapping[field] = column.strip()
            else:
                mapping.pop(field, None)
        if options["verbosity"] > 1:
            self.stdout.write("mapping: " + ", ".join(f"{f}={c}" for f, c in mapping.items()))
        total = sum(1 for row in rows if any(cell.strip() for cell in row))
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
                    progress=bar.update,
                    dry_run=options["dry_run"],
                    source=str(path),
                )
        except ValidationError as exc:
            raise CommandError(f"{path.name}: {_messages(exc)}") from exc
        except TicketImportError as exc:
            listed = "\n".join(f"  {error}" for error in exc.errors[:MAX_LISTED_ERRORS])
            more = len(exc.errors) - MAX_LISTED_ERRORS
            tail = f"\n  … and {more} more" if more > 0 else ""
            raise CommandError(
                f"{path.name}: {len(exc.errors)} error(s), nothing was imported:\n{listed}{tail}"
            ) from exc
        prefix = "dry run (rolled back): " if options["dry_run"] else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{result.total} tickets: {result.created} created, {result.skipped_existing} skipped "
                f"(already imported)"
            )
        )
