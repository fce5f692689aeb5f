"""fuhe import-divisions: load the official statistical division codes (idempotent, all or nothing)."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from fuhe.org.core.divisions import DivisionImportError, Selection, parse_directory
from fuhe.org.models import RegionLevel
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
            raise CommandError(_("--dir: %(path)s is not a folder") % {"path": directory})
        prefixes = tuple(p.strip() for p in options["only"].split(",") if p.strip())
        bad = [p for p in prefixes if not p.isdigit()]
        if bad:
            raise CommandError(_("--only: %(prefix)s is not a code prefix (digits only)") % {"prefix": repr(bad[0])})
        started = time.perf_counter()
        try:
            parsed = parse_directory(directory, Selection(prefixes))
        except DivisionImportError as exc:
            raise CommandError(str(exc)) from exc
        rows = parsed.rows
        if not rows:
            raise CommandError(_("--only: no region matches %(prefixes)s") % {"prefixes": ", ".join(prefixes)})
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
                ngettext(
                    "%(count)s placeholder row stands for its parent and was folded into it: %(rows)s",
                    "%(count)s placeholder rows stand for their parent and were folded into it: %(rows)s",
                    len(parsed.placeholders),
                )
                % {"count": len(parsed.placeholders), "rows": "; ".join(parsed.placeholders[:5])}
            )
        levels = ", ".join(f"{RegionLevel(level).label} {count}" for level, count in result.by_level.items())
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(total)s regions (%(levels)s): %(created)s created, %(updated)s updated in %(seconds).1f s "
                    "(parse %(parse).1f s, write %(write).1f s)"
                )
                % {
                    "total": result.total,
                    "levels": levels,
                    "created": result.created,
                    "updated": result.updated,
                    "seconds": finished - started,
                    "parse": parse_done - started,
                    "write": finished - parse_done,
                }
            )
        )
