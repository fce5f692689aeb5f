"""fuhe verify_cases: every case's state and rating must be what its own timeline says (edits behind the back)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fuhe.cases.selectors import case_history_mismatches

MAX_LISTED = 50


class Command(BaseCommand):
    help = (
        "Check that every case's state and rating equal the replay of its events (a row edited in the database "
        "directly does not); non-zero exit on any difference. Pair it with 'fuhe audit verify'."
    )

    def handle(self, *args, **options):
        found = 0
        for mismatch in case_history_mismatches():
            found += 1
            if found <= MAX_LISTED:
                self.stderr.write(f"  {mismatch}")
        if found:
            raise CommandError(f"{found} field(s) of cases differ from their events")
        self.stdout.write(self.style.SUCCESS("every case matches its events"))
