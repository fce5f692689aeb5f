"""China's statutory public holidays (法定节假日) of a year, computed — for the years whose official arrangement the
State Council has not published yet (``chinese_calendar`` knows only published years).

No Django here. The days follow 《全国年节及纪念日放假办法》 as amended in 2024 (in force from 2025):

======== ======================================= ====
holiday  days                                    days
======== ======================================= ====
元旦     1 January                                1
春节     除夕 and 正月初一 to 初三 (lunar)         4
清明节   the day of the 清明 solar term           1
劳动节   1 and 2 May                              2
端午节   五月初五 (lunar)                          1
中秋节   八月十五 (lunar)                          1
国庆节   1 to 3 October                           3
======== ======================================= ====

The yearly notice also moves weekends to make longer breaks (调休) in ways no rule predicts, so a calendar built on
these days is *provisional*: deadlines computed with it say so, and the official schedule replaces it once loaded.
The lunar dates come from ``lunardate``; the solar term from ``chinese_calendar``'s table of solar terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar
from lunardate import LunarDate

#: the first year the 2024 amendment's days apply to; earlier years are published (the library knows them)
FIRST_YEAR = 2025


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    name: str


def _lunar(year: int, month: int, day: int) -> date:
    return LunarDate(year, month, day).to_solar_date()


def _qingming(year: int) -> date:
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
    return next(day for day, name in terms if name == "清明")


@cache
def statutory_holidays(year: int) -> tuple[Holiday, ...]:
    """The statutory days off of ``year`` (13 from 2025 on), in date order."""
    if year < FIRST_YEAR:
        raise ValueError(f"the statutory days of {year} are published; this rule applies from {FIRST_YEAR}")
    spring = _lunar(year, 1, 1)
    days = [
        Holiday(date(year, 1, 1), "元旦"),
        *(Holiday(spring + timedelta(days=offset), "春节") for offset in (-1, 0, 1, 2)),
        Holiday(_qingming(year), "清明节"),
        Holiday(date(year, 5, 1), "劳动节"),
        Holiday(date(year, 5, 2), "劳动节"),
        Holiday(_lunar(year, 5, 5), "端午节"),
        Holiday(_lunar(year, 8, 15), "中秋节"),
        *(Holiday(date(year, 10, day), "国庆节") for day in (1, 2, 3)),
    ]
    return tuple(sorted(days, key=lambda holiday: holiday.day))


@cache
def statutory_days_off(year: int) -> frozenset[date]:
    return frozenset(holiday.day for holiday in statutory_holidays(year))
