"""fuhe import_household_register FILE --region CODE --as USERNAME: import a community's or village's household
register (CSV or .xlsx, as exported; all or nothing), recorded as imported by USERNAME, who must manage it."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fuhe.accounts.models import User
from fuhe.deliberation.services import RegisterImportError, household_register_import
from fuhe.org.models import Region


class Command(BaseCommand):
    help = (
        "Import the household register of a community or village (the column of resident ID numbers is found by its "
        "header, other columns are not read): every row is checked first and nothing is written when one is wrong; "
        "the register replaces the one in force."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a .csv (UTF-8 or GB18030) or .xlsx file")
        parser.add_argument("--region", required=True, help="the 12-digit code of the community or village")
        parser.add_argument(
            "--as", dest="username", required=True, help="the staff member recorded as importing it (must manage it)"
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s is not a file") % {"path": path})
        region = Region.objects.filter(code=options["region"].ljust(12, "0")).first()
        if region is None:
            raise CommandError(_("%(code)s is not a region on record") % {"code": options["region"]})
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(_("%(name)s is not an active user") % {"name": options["username"]})
        try:
            with path.open("rb") as handle:
                result = household_register_import(actor=actor, region=region, file=handle, filename=path.name)
        except RegisterImportError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(_("nothing was imported: %(count)s errors") % {"count": len(error.errors)}) from error
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            _("The household register now lists %(people)s people (it listed %(before)s).")
            % {"people": result.people, "before": result.replaced}
        )
