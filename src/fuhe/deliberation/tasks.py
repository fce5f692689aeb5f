"""Background timers of deliberation, run by the huey consumer (`fuhe serve` starts one)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fuhe.deliberation.services import resolution_items_sweep


@db_periodic_task(crontab(minute="*"))
def sweep_resolution_items() -> dict[str, int]:
    """Every minute: warn owners before an unfinished resolution item's deadline and escalate it after, as the
    cases' deadline sweep does."""
    return resolution_items_sweep()
