"""fuhe demo: load the realistic demo (天津市和平区 and 蓟州区) and print the logins."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext

from fuhe.demo.cases import demo_cases_build
from fuhe.demo.services import demo_build, demo_exists
from fuhe.org.core.divisions import DivisionImportError
from fuhe.routing.demo import demo_duty_list_seed, demo_routing_seed


class Command(BaseCommand):
    help = "Load the demo data set (migrating first) and print one login per role. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="division code folder (default: shared data)")
        parser.add_argument("--cases", type=int, default=400, help="demo cases to walk through the loop (0: none)")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        password = settings.FUHE_DEMO_PASSWORD
        if demo_exists():
            self.stdout.write(gettext("The demo is already loaded."))
        else:
            directory = options["dir"] or settings.FUHE_SHARED_DATA / "divisions"
            if not directory.is_dir():
                raise CommandError(
                    gettext("--dir: %(dir)s is not a folder (the shared data set is needed for the demo)")
                    % {"dir": directory}
                )
            try:
                result = demo_build(
                    divisions_dir=directory,
                    password=password,
                    progress=lambda message: self.stdout.write(f"  {message}"),
                )
            except DivisionImportError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                self.style.SUCCESS(
                    gettext("Demo loaded: %(regions)s regions, %(grids)s grids, %(units)s units, %(people)s people.")
                    % {"regions": result.regions, "grids": result.grids, "units": result.units, "people": result.people}
                )
            )
            messages_dir = settings.FUHE_SHARED_DATA / "messages"
            demo_duty_list_seed()  # first: the demo's dispatchers follow the duty list
            if messages_dir.is_dir() and options["cases"]:
                with transaction.atomic():
                    made = demo_cases_build(
                        messages_dir=messages_dir,
                        count=options["cases"],
                        progress=lambda message: self.stdout.write(f"  {message}"),
                    )
                self.stdout.write(
                    self.style.SUCCESS(
                        gettext("Demo cases: %(count)s real citizen messages through the loop.") % {"count": made}
                    )
                )
        demo_routing_seed(progress=lambda message: self.stdout.write(f"  {message}"))
        from fuhe.burden.demo import burden_demo_build

        burden_demo_build(progress=lambda message: self.stdout.write(f"  {message}"))
        from fuhe.deliberation.demo import demo_deliberation_build
        from fuhe.funding.demo import demo_funding_build
        from fuhe.participation.demo import demo_participation_build
        from fuhe.resources.demo import demo_resources_build

        for build in (demo_resources_build, demo_funding_build, demo_participation_build, demo_deliberation_build):
            build(progress=lambda message: self.stdout.write(f"  {message}"))
        self.print_logins(password)

    def print_logins(self, password: str) -> None:
        from fuhe.accounts.models import RoleAssignment

        logins = (
            RoleAssignment.objects.filter(user__username__regex=r"^(hp|jz|demo)-")
            .select_related("user", "unit", "region")
            .order_by("user__username")
        )
        self.stdout.write("\n" + gettext("Demo logins (password for all: %(password)s):") % {"password": password})
        for assignment in logins:
            where = assignment.unit.name if assignment.unit else assignment.region.name
            self.stdout.write(f"  {assignment.user.username:<24} {assignment.get_role_display():<20} {where}")
