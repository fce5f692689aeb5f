"""fuhe audit verify: walk the hash chain and report any event edited or deleted behind the platform's back."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fuhe.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. 'verify' checks the whole hash chain and exits non-zero on any breach."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every event's hash and the chain's continuity")

    def handle(self, *args, **options):
        checked, breaches = audit_verify()
        if breaches:
            for breach in breaches[:50]:
                self.stderr.write(f"  {breach}")
            raise CommandError(f"audit chain broken: {len(breaches)} breach(es) in {checked} events")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {checked} events verified"))
