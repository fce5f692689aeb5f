"""Working-time deadlines on China's official calendar: statutory holidays and make-up working days (调休).

No Django here: plain values in and out. Day clocks follow 《民法典》 arts. 201 and 203: the start day does not
count, and the period ends at 24:00 of its last day (natural days) or at close of business (working days).
``chinese_calendar`` knows only announced years; for any other year the calendar falls back to weekends, the
statutory holidays computed for that year (``holidays.py``: 元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆) and the days an
administrator entered, never fails, and ``Deadline`` reports the fallback so the UI can warn that it is provisional.
A year whose official schedule was loaded (``official_years``: its days are among the entered ones) is known, not
provisional: the loaded days decide, the computed holidays only fill days the schedule does not list.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import chinese_calendar

from fuhe.cases.core.holidays import FIRST_YEAR, statutory_days_off

SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_DAY = timedelta(days=1)
ONE_HOUR = timedelta(hours=1)


class ClockUnit(StrEnum):
    WORKING_DAY = "working_day"
    WORKING_HOUR = "working_hour"
    NATURAL_DAY = "natural_day"
    NATURAL_HOUR = "natural_hour"


WORKING_UNITS = frozenset({ClockUnit.WORKING_DAY, ClockUnit.WORKING_HOUR})


@dataclass(frozen=True, slots=True)
class WorkingPeriod:
    """One stretch of office hours within a working day, e.g. 09:00–12:00."""

    start: time
    end: time


DEFAULT_HOURS = (WorkingPeriod(time(9), time(12)), WorkingPeriod(time(13, 30), time(17, 30)))


@dataclass(frozen=True, slots=True)
class Deadline:
    """When a clock expires; ``used_fallback`` is set when a year the library does not know was involved."""

    at: datetime
    used_fallback: bool
    unknown_years: tuple[int, ...]


@cache
def library_knows(year: int) -> bool:
    """Whether ``chinese_calendar`` has the announced holiday arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _checked_hours(hours: Sequence[WorkingPeriod]) -> tuple[WorkingPeriod, ...]:
    periods = tuple(hours)
    if not periods:
        raise ValueError("working hours need at least one period")
    for period in periods:
        if period.start >= period.end:
            raise ValueError(f"working period {period.start}–{period.end} ends before it starts")
    for earlier, later in pairwise(periods):
        if earlier.end > later.start:
            raise ValueError(f"working periods must be in order and not overlap ({earlier.end} > {later.start})")
    return periods


def _duration(hours: float) -> timedelta:
    if hours < 0:
        raise ValueError(f"a clock cannot run backwards ({hours} hours)")
    return timedelta(hours=hours)


def _whole_days(amount: float) -> int:
    if amount < 0 or amount != int(amount):
        raise ValueError(f"day clocks take a whole, non-negative number of days, not {amount}")
    return int(amount)


class WorkCalendar:
    """Working days and hours in one time zone; administrator-entered days override the library."""

    def __init__(
        self,
        *,
        hours: Sequence[WorkingPeriod] = DEFAULT_HOURS,
        tz: ZoneInfo = SHANGHAI,
        extra_holidays: Collection[date] = frozenset(),
        extra_workdays: Collection[date] = frozenset(),
        official_years: Collection[int] = frozenset(),
    ):
        clash = sorted(set(extra_holidays) & set(extra_workdays))
        if clash:
            raise ValueError(f"days entered both as holiday and as working day: {', '.join(map(str, clash))}")
        self.hours = _checked_hours(hours)
        self.tz = tz
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self.official_years = frozenset(official_years)

    def knows(self, year: int) -> bool:
        """Whether ``year``'s official schedule is known: published in the library or loaded by an administrator."""
        return library_knows(year) or year in self.official_years

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if library_knows(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5 and (day.year < FIRST_YEAR or day not in statutory_days_off(day.year))

    def working_days_between(self, first: date, last: date) -> int:
        """Working days after ``first`` up to and including ``last`` (0 when ``last`` is not after ``first``)."""
        return sum(self.is_workday(first + timedelta(days=n)) for n in range(1, (last - first).days + 1))

    def unknown_years(self, first: date, last: date) -> tuple[int, ...]:
        """Years from ``first`` to ``last`` (inclusive) answered by the provisional fallback."""
        return tuple(year for year in range(first.year, last.year + 1) if not self.knows(year))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Close of business on the ``days``-th working day after the start's date; ``start`` itself for 0."""
        count, local = _whole_days(days), self._local(start)
        if not count:
            return local
        day = local.date()
        for _ in range(count):
            day = self._next_workday(day)
        return self._at(day, self.hours[-1].end)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The instant when ``hours`` of working time have passed since ``start``."""
        local, remaining = self._local(start), _duration(hours)
        if not remaining:
            return local
        intervals = self._working_intervals(local)
        while True:
            opening, closing = next(intervals)
            if remaining <= closing - opening:
                return opening + remaining
            remaining -= closing - opening

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Working hours from ``a`` to ``b``; negative when ``b`` is earlier."""
        a, b = self._local(a), self._local(b)
        if b < a:
            return -self.working_hours_between(b, a)
        total = timedelta()
        for opening, closing in self._working_intervals(a):
            if opening >= b:
                break
            total += min(closing, b) - opening
        return total / ONE_HOUR

    def deadline_after(self, start: datetime, amount: float, unit: ClockUnit) -> Deadline:
        """The one entry point for case clocks: ``amount`` of ``unit`` after ``start``."""
        local = self._local(start)
        at = self._add(local, amount, unit)
        unknown = self.unknown_years(local.date(), at.date()) if unit in WORKING_UNITS and at != local else ()
        return Deadline(at=at, used_fallback=bool(unknown), unknown_years=unknown)

    def _add(self, start: datetime, amount: float, unit: ClockUnit) -> datetime:
        match unit:
            case ClockUnit.WORKING_DAY:
                return self.add_working_days(start, _whole_days(amount))
            case ClockUnit.WORKING_HOUR:
                return self.add_working_hours(start, amount)
            case ClockUnit.NATURAL_DAY:
                days = _whole_days(amount)
                return self._at(start.date() + timedelta(days=days + 1), time()) if days else start
            case ClockUnit.NATURAL_HOUR:
                return start + _duration(amount)

    def _next_workday(self, day: date) -> date:
        day += ONE_DAY
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def _working_intervals(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods from ``since`` on, endlessly; the first one is clipped to begin at ``since``."""
        day = since.date()
        while True:
            if self.is_workday(day):
                for period in self.hours:
                    opening, closing = self._at(day, period.start), self._at(day, period.end)
                    if closing > since:
                        yield max(opening, since), closing
            day += ONE_DAY

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz)

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{moment} has no time zone; case clocks need timezone-aware datetimes")
        return moment.astimezone(self.tz)
