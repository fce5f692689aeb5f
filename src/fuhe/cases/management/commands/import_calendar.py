"""fuhe import_calendar FILE --year 2027: load a year's official holiday schedule (国务院办公厅节假日安排通知), all
or nothing; the running deadlines that reach into the year are recomputed (docs/calendar.md)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fuhe.cases.services.calendar_import import CalendarImportError, calendar_schedule_import, row_error_text
from fuhe.cases.services.clocks import calendar_years_missing
from fuhe.ui.errors import error_text


class Command(BaseCommand):
    help = (
        "Load a year's official holiday schedule from a .csv, .txt or .xlsx file: one row per day "
        "(日期,类型,名称 — 2027-01-01,休,元旦) or per range (开始,结束,类型,名称 — 2027-02-05,2027-02-11,休,春节), "
        "类型 休 (day off) or 班 (make-up working day); the header row is optional. Every row is checked first: one "
        "bad row loads nothing. The open cases' deadlines in the year are recomputed and the change is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=".csv, .txt (UTF-8 or GB18030) or .xlsx file")
        parser.add_argument("--year", type=int, required=True, help="the year of the schedule, e.g. 2027")
        parser.add_argument("--replace", action="store_true", help="replace the year's days if already loaded")
        parser.add_argument("--user", default="", help="username recorded as the importer (default: system)")

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
            result = calendar_schedule_import(actor=actor, year=options["year"], file=path, replace=options["replace"])
        except CalendarImportError as exc:
            listed = [row_error_text(error) for error in exc.errors]
            raise CommandError("\n".join([_("Nothing was loaded:"), *listed])) from exc
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(error_text(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("%(year)s: %(off)s days off and %(work)s make-up working days loaded.")
                % {"year": result.year, "off": result.days_off, "work": result.workdays}
            )
        )
        self.stdout.write(
            _("Deadlines recomputed: %(changed)s cases; provisional deadlines confirmed: %(confirmed)s.")
            % {"changed": len(result.changes), "confirmed": result.confirmed}
        )
        for change in result.changes:
            self.stdout.write(f"  {change.tracking_code}")
        if result.unexplained:
            self.stdout.write(
                self.style.WARNING(
                    _("Left as they were (their deadline does not follow from their timeline): %(codes)s")
                    % {"codes": ", ".join(result.unexplained)}
                )
            )
        for holiday in result.statutory_missing:
            self.stdout.write(
                self.style.WARNING(
                    _("The schedule does not give %(day)s (%(name)s) off, a statutory holiday: check the file.")
                    % {"day": holiday.day, "name": holiday.name}
                )
            )
        still_missing = [year for year in calendar_years_missing() if year != result.year]
        if still_missing:
            self.stdout.write(
                self.style.WARNING(_("Still missing: %(years)s") % {"years": ", ".join(map(str, still_missing))})
            )
