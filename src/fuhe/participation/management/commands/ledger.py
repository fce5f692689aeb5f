"""fuhe ledger verify | checkpoint: check the points ledger's keyed chain, balances and checkpoints; seal the
running balances at the head."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from fuhe.audit.core.keyring import KeyFileError
from fuhe.participation.selectors import ledger_head
from fuhe.participation.services import ledger_checkpoint, ledger_verify

MAX_LISTED = 50


class Command(BaseCommand):
    help = (
        "Points ledger tools. 'verify' checks every entry's keyed hash, the chain's continuity, every transaction's "
        "zero sum and digest and every checkpoint, and exits non-zero on any breach; 'checkpoint' seals the running "
        "balances at the head (balance reads start from the latest checkpoint)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check the whole ledger; print the head, the count and the first broken entry")
        sub.add_parser("checkpoint", help="seal the balances of every account at the head")

    def handle(self, *args, **options):
        try:
            if options["action"] == "checkpoint":
                self._checkpoint()
            else:
                self._verify()
        except KeyFileError as error:
            raise CommandError(str(error)) from error

    def _checkpoint(self) -> None:
        checkpoint = ledger_checkpoint(actor=None)
        if checkpoint is None:
            self.stdout.write("nothing to seal: no entry since the last checkpoint")
            return
        self.stdout.write(self.style.SUCCESS(f"checkpoint sealed after entry {checkpoint.seq}: {checkpoint.hash}"))

    def _verify(self) -> None:
        started = time.perf_counter()
        report = ledger_verify()
        seconds = time.perf_counter() - started
        seq, digest = ledger_head()
        self.stdout.write(f"head: {seq}:{digest}")
        self.stdout.write(
            f"entries: {report.checked}, transactions: {report.transactions}, checkpoints: {report.checkpoints} "
            f"({seconds:.2f} s)"
        )
        if report.breaches:
            for breach in report.breaches[:MAX_LISTED]:
                self.stderr.write(f"  {breach}")
            raise CommandError(
                f"points ledger broken: first broken at {report.breaches[0]}; {len(report.breaches)} breach(es)"
            )
        self.stdout.write(self.style.SUCCESS("ok: the points ledger is intact"))
