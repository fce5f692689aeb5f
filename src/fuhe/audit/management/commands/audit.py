"""fuhe audit verify: walk the hash chain and report any event edited or deleted behind the platform's back."""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError

from fuhe.audit.services import audit_head, audit_verify

HEAD_RE = re.compile(r"^(?P<seq>[0-9]+):(?P<hash>[0-9a-f]{64})$")


def _head(value: str) -> tuple[int, str]:
    found = HEAD_RE.match(value.strip())
    if found is None:
        raise CommandError(f"--expect-head: {value!r} is not SEQ:HASH as 'audit verify' prints it (64 hex digits)")
    return int(found["seq"]), found["hash"]


class Command(BaseCommand):
    help = "Audit log tools. 'verify' checks the whole hash chain and exits non-zero on any breach."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check every event's hash and the chain's continuity")
        verify.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="a head printed by an earlier run and kept outside the database: it must still be in the chain",
        )

    def handle(self, *args, **options):
        expected = _head(options["expect_head"]) if options.get("expect_head") else None
        checked, breaches = audit_verify(expect_head=expected)
        if breaches:
            for breach in breaches[:50]:
                self.stderr.write(f"  {breach}")
            raise CommandError(f"audit chain broken: {len(breaches)} breach(es) in {checked} events")
        seq, digest = audit_head()
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {checked} events verified"))
        self.stdout.write(f"head: {seq}:{digest}  (keep it elsewhere; check later with --expect-head {seq}:{digest})")
