"""Background timers of resource dispatch, run by the huey consumer."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fuhe.resources.services import matches_expire
from fuhe.resources.services.pairing import pairings_expire


@db_periodic_task(crontab(minute="*/5"))
def offers_expire() -> int:
    """Every five minutes: release offers whose owner did not answer in time, so resources do not sit claimed."""
    return matches_expire()


@db_periodic_task(crontab(minute="10", hour="0"))
def pairings_end() -> int:
    """Ten past midnight (Beijing time): end the pairings whose end date has passed, withdrawing the offers not yet
    accepted across them."""
    return pairings_expire()
