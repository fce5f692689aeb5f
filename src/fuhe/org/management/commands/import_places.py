"""fuhe import_places --district CODE FILE: import a district's place gazetteer (CSV or .xlsx; all or nothing)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fuhe.org.core.divisions import Level
from fuhe.org.models import Region
from fuhe.org.services import PlacesImportError, places_import


class Command(BaseCommand):
    help = (
        "Import the named places of a district (columns name/名称, region/区域 as division code or name, lat/纬度, "
        "lon/经度, aliases/别名): every row is checked first and nothing is written when one is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a .csv (UTF-8 or GB18030) or .xlsx file")
        parser.add_argument("--district", required=True, help="the 6-digit code of the district the places lie in")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s is not a file") % {"path": path})
        district = Region.objects.filter(code=options["district"].ljust(12, "0"), level=Level.DISTRICT).first()
        if district is None:
            raise CommandError(_("%(code)s is not a district on record") % {"code": options["district"]})
        try:
            with path.open("rb") as handle:
                result = places_import(actor=None, district=district, file=handle, filename=path.name)
        except PlacesImportError as error:
            for row_error in error.errors:
                self.stderr.write(
                    _("Row %(row)s, column “%(column)s”: %(reason)s")
                    % {"row": row_error.row, "column": row_error.field, "reason": row_error.reason}
                )
            raise CommandError(_("nothing was imported: %(count)s errors") % {"count": len(error.errors)}) from error
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            _("%(created)s places added, %(updated)s updated") % {"created": result.created, "updated": result.updated}
        )
