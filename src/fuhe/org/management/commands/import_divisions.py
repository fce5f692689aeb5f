"""fuhe import-divisions: load the official statistical division codes (idempotent, all or nothing)."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from fuhe.org.core.divisions import DivisionImportError, Selection, parse_directory
from fuhe.org.services import regions_import


class Command(BaseCommand):
    help = (
        "Import statistical division codes (provinces, cities, areas, streets, villages) from a folder of "
        "CSV files; --only 12 or --only 120101,120119 limits the import to those regions and their ancestors."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="folder holding provinces.csv … villages.csv(.gz); default: shared data",
        )
        parser.add_argument(
            "--only", default="", help="comma-separated code prefixes (province 12, district 120101 …); default: all"
        )
        parser.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")

    def handle(self, *args, **options):
        directory: Path = options["dir"] or settings.FUHE_SHARED_DATA / "divisions"
        if not directory.is_dir():
            raise CommandError(f"--dir: {directory} is not a folder")
        prefixes = tuple(p.strip() for p in options["only"].split(",") if p.strip())
        bad = [p for p in prefixes if not p.isdigit()]
        if bad:
            raise CommandError(f"--only: {bad[0]!r} is not a code prefix (digits only)")
        started = time.perf_counter()
        try:
            parsed = parse_directory(directory, Selection(prefixes))
        except DivisionImportError as exc:
            raise CommandError(str(exc)) from exc
        rows = parsed.rows
        if not rows:
            raise CommandError(f"--only: no region matches {', '.join(prefixes)}")
        parse_done = time.perf_counter()
        with tqdm(
            total=len(rows),
            unit="region",
            disable=options["no_progress"] or options["verbosity"] == 0,
            desc="import",
            file=self.stderr._out,
        ) as bar:
            result = regions_import(
                actor=None, rows=rows, source=f"{directory} {','.join(prefixes) or 'all'}", progress=bar.update
            )
        finished = time.perf_counter()
        if parsed.placeholders and options["verbosity"] > 0:
            self.stdout.write(
                f"{len(parsed.placeholders)} placeholder row(s) stand for their parent and were "
                f"folded into it: {'; '.join(parsed.placeholders[:5])}"
            )
        levels = ", ".join(f"{level} {count}" for level, count in result.by_level.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.total} regions ({levels}): {result.created} created, {result.updated} updated "
                f"in {finished - started:.1f} s "
                f"(parse {parse_done - started:.1f} s, write {finished - parse_done:.1f} s)"
            )
        )
