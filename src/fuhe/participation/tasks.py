"""Background timers of the points ledger, run by the huey consumer."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fuhe.participation.services import ledger_checkpoint


@db_periodic_task(crontab(minute="17", hour="3"))
def checkpoint_nightly() -> int | None:
    """Every night: seal the balances at the head, so a balance read sums at most a day of entries."""
    checkpoint = ledger_checkpoint(actor=None)
    return checkpoint.seq if checkpoint else None
