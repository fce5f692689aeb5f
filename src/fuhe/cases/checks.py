"""System checks of the cases context (``fuhe check``, and every management command that runs checks)."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError
from django.utils.translation import gettext as _

SCHEDULE_MISSING = "fuhe.W001"


def calendar_schedule_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """fuhe.W001: the official holiday schedule of this year — or from 1 November of the next — is not there, so
    the deadlines falling in it are provisional (computed statutory holidays, no make-up working days)."""
    from fuhe.cases.services.clocks import calendar_years_missing

    try:
        missing = calendar_years_missing()
    except DatabaseError:  # not migrated yet (a fresh database): nothing to say about its calendar
        return []
    return [
        checks.Warning(
            _(
                "The official holiday schedule of %(year)s is not loaded: deadlines falling in %(year)s are "
                "provisional (statutory holidays computed, make-up working days unknown)."
            )
            % {"year": year},
            hint=_(
                "When the State Council publishes it, load it with “fuhe import_calendar FILE --year %(year)s” or on "
                "the page “Holiday schedule” (docs/calendar.md)."
            )
            % {"year": year},
            id=SCHEDULE_MISSING,
        )
        for year in missing
    ]
