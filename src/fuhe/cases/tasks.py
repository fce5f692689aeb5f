"""Background timers of the closed loop, run by the huey consumer (`fuhe serve` starts one)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fuhe.cases.services.lifecycle import cases_overdue_sweep


@db_periodic_task(crontab(minute="*"))
def sweep_deadlines() -> dict[str, int]:
    """Every minute: warn owners before the resolution deadline, escalate cases past it."""
    return cases_overdue_sweep()
