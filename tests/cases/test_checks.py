"""fuhe.W001: `fuhe check` warns from 1 November that next year's official holiday schedule is missing."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.core import checks
from django.core.management import call_command
from django.utils import translation

from fuhe.cases.checks import SCHEDULE_MISSING, calendar_schedule_check
from fuhe.cases.core.workcalendar import SHANGHAI
from fuhe.cases.models import CalendarDay

pytestmark = pytest.mark.django_db


def warnings_on(*moment) -> list[checks.CheckMessage]:
    with time_machine.travel(datetime(*moment, tzinfo=SHANGHAI), tick=False):
        return [message for message in checks.run_checks() if message.id == SCHEDULE_MISSING]


@pytest.mark.parametrize("moment", [(2026, 11, 1, 0, 5), (2026, 12, 2, 9), (2026, 12, 31, 23, 55)])
def test_warns_from_the_first_of_november_when_next_year_is_missing(moment):
    with translation.override("en"):
        found = warnings_on(*moment)
    assert len(found) == 1 and found[0].level == checks.WARNING
    assert "2027 is not loaded" in found[0].msg and "import_calendar" in found[0].hint


def test_silent_in_october():
    assert warnings_on(2026, 10, 31, 23, 55) == []


def test_silent_once_the_year_is_loaded():
    CalendarDay.objects.create(day=date(2027, 1, 1), is_workday=False, note="元旦")
    assert warnings_on(2026, 12, 2, 9) == []


def test_a_year_that_began_without_its_schedule_is_warned_of_all_year():
    assert len(warnings_on(2027, 3, 1, 9)) == 1


def test_fuhe_check_prints_the_warning(capsys):
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=SHANGHAI), tick=False):
        call_command("check")
    assert SCHEDULE_MISSING in capsys.readouterr().err


def test_a_database_without_tables_is_not_an_error(monkeypatch):
    from django.db import OperationalError

    from fuhe.cases.services import clocks

    def broken(*args, **kwargs):
        raise OperationalError("no such table: cases_calendarday")

    monkeypatch.setattr(clocks, "calendar_years_missing", broken)
    assert calendar_schedule_check() == []
