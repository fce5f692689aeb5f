"""fuhe audit verify | rotate-key: check the keyed hash chain for events edited, deleted or re-chained behind the
platform's back; hand the chain to a new key."""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError

from fuhe.audit.core.keyring import KeyFileError
from fuhe.audit.services import AuditKeyError, audit_chain_report, audit_head, audit_key_rotate

HEAD_RE = re.compile(r"^(?P<seq>[0-9]+):(?P<hash>[0-9a-f]{64})$")
MAX_LISTED = 50


def _head(value: str) -> tuple[int, str]:
    found = HEAD_RE.match(value.strip())
    if found is None:
        raise CommandError(f"--expect-head: {value!r} is not SEQ:HASH as 'audit verify' prints it (64 hex digits)")
    return int(found["seq"]), found["hash"]


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' checks every event's keyed hash and the chain's continuity and exits non-zero on "
        "any breach; 'rotate-key' signs the chain with a new key from now on (the old one stays in the keyring)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check every event's hash, its key and the chain's continuity")
        verify.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="a head printed by an earlier run and kept outside the database: it must still be in the chain",
        )
        sub.add_parser("rotate-key", help="write a new key, keep the old one in the keyring, record the hand-over")

    def handle(self, *args, **options):
        try:
            if options["action"] == "rotate-key":
                self._rotate()
            else:
                self._verify(_head(options["expect_head"]) if options.get("expect_head") else None)
        except (KeyFileError, AuditKeyError) as error:
            raise CommandError(str(error)) from error

    def _rotate(self) -> None:
        old, new = audit_key_rotate(actor=None)
        self.stdout.write(self.style.SUCCESS(f"audit key rotated: {old or '(none)'} → {new}"))
        self.stdout.write("back up the new key file; keep every audit.key.<id> beside it to verify older events")

    def _verify(self, expected: tuple[int, str] | None) -> None:
        report = audit_chain_report(expect_head=expected)
        for span in report.spans:
            self.stdout.write(f"key {span}")
        if report.breaches:
            for breach in report.breaches[:MAX_LISTED]:
                self.stderr.write(f"  {breach}")
            raise CommandError(f"audit chain broken: {len(report.breaches)} breach(es) in {report.checked} events")
        seq, digest = audit_head()
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.checked} events verified"))
        self.stdout.write(f"keys used: {', '.join(report.key_ids) or '(none: every event is from before the key)'}")
        self.stdout.write(f"head: {seq}:{digest}  (keep it elsewhere; check later with --expect-head {seq}:{digest})")
