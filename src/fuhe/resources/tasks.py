"""Background timers of resource dispatch, run by the huey consumer."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fuhe.resources.services import matches_expire


@db_periodic_task(crontab(minute="*/5"))
def offers_expire() -> int:
    """Every five minutes: release offers whose owner did not answer in time, so resources do not sit claimed."""
    return matches_expire()
