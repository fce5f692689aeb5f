"""The statutory holidays computed for years without a published schedule (2027 on, today)."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from fuhe.cases.core.holidays import statutory_days_off, statutory_holidays


def test_2027_has_the_thirteen_statutory_days():
    named = {(holiday.day, holiday.name) for holiday in statutory_holidays(2027)}
    assert named == {
        (date(2027, 1, 1), "元旦"),
        (date(2027, 2, 5), "春节"),  # 除夕
        (date(2027, 2, 6), "春节"),  # 正月初一
        (date(2027, 2, 7), "春节"),
        (date(2027, 2, 8), "春节"),
        (date(2027, 4, 5), "清明节"),
        (date(2027, 5, 1), "劳动节"),
        (date(2027, 5, 2), "劳动节"),
        (date(2027, 6, 9), "端午节"),
        (date(2027, 9, 15), "中秋节"),
        (date(2027, 10, 1), "国庆节"),
        (date(2027, 10, 2), "国庆节"),
        (date(2027, 10, 3), "国庆节"),
    }


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_computed_day_is_a_holiday_in_the_published_schedule(year):
    """The official schedules of the years the rule already applies to are the oracle."""
    assert all(chinese_calendar.is_holiday(day) for day in statutory_days_off(year))
    assert len(statutory_days_off(year)) == 13


@pytest.mark.parametrize("year", range(2027, 2100, 7))
def test_later_years_have_thirteen_days_in_order(year):
    days = [holiday.day for holiday in statutory_holidays(year)]
    assert len(set(days)) == 13 and days == sorted(days) and {d.year for d in days} == {year}


def test_published_years_are_not_computed():
    with pytest.raises(ValueError, match="published"):
        statutory_holidays(2024)
