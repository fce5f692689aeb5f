"""The official schedule typed as a table, the years to warn about, and loaded years on the working calendar."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from fuhe.cases.core.holidays import (
    ScheduleProblem,
    parse_schedule,
    schedule_years_missing,
    statutory_days_missing,
)
from fuhe.cases.core.workcalendar import SHANGHAI, ClockUnit, WorkCalendar


def rows(text: str) -> list[list[str]]:
    return [line.split(",") if line else [] for line in text.strip("\n").split("\n")]


def codes(parsed) -> list[tuple[int, str, str]]:
    return [(p.row, p.field, p.code) for p in parsed.problems]


# --- the table -----------------------------------------------------------------------------------------------------


def test_ranges_without_a_header_become_one_day_each():
    parsed = parse_schedule(
        rows("2027-02-05,2027-02-11,休,春节\n2027-02-14,2027-02-14,班,春节\n2027-01-01,休,元旦"), year=2027
    )
    assert parsed.problems == ()
    assert [d.day.day for d in parsed.days if d.day.month == 2] == [5, 6, 7, 8, 9, 10, 11, 14]
    assert [(d.day, d.is_workday, d.note, d.row) for d in parsed.days][0] == (date(2027, 1, 1), False, "元旦", 3)
    assert next(d for d in parsed.days if d.day == date(2027, 2, 14)).is_workday


@pytest.mark.parametrize(
    "header",
    ["日期,类型,名称", "日期/date,类型 (休/班),名称/note", "date,type,note", "Date , Type , Note"],
)
def test_headers_in_chinese_english_or_both(header):
    parsed = parse_schedule(
        rows(f"{header}\n2027-01-01,休,元旦\n2027/2/14,上班,春节调休\n2027年10月9日,workday,"), year=2027
    )
    assert parsed.problems == ()
    assert [(d.day, d.is_workday) for d in parsed.days] == [
        (date(2027, 1, 1), False),
        (date(2027, 2, 14), True),
        (date(2027, 10, 9), True),
    ]


def test_a_range_header_with_an_empty_end_is_one_day():
    parsed = parse_schedule(
        rows("开始日期,结束日期,类型,名称\n2027-10-01,2027-10-07,休,国庆节\n2027-09-26,,班,"), year=2027
    )
    assert len(parsed.days) == 8 and parsed.problems == ()


def test_every_problem_names_its_row_and_field_and_nothing_is_kept():
    parsed = parse_schedule(
        rows(
            "日期,类型,名称\n"
            "2027-01-01,休,元旦\n"
            "2027-13-01,休,\n"  # 3: not a date
            "2026-12-31,休,\n"  # 4: another year
            "2027-02-05,放风,\n"  # 5: unknown type
            ",休,\n"  # 6: no date
            "2027-01-01,班,\n"  # 7: the same day again
            "2027-03-01,,\n"  # 8: no type
            f"2027-03-02,休,{'长' * 61}"  # 9: note too long
        ),
        year=2027,
    )
    assert parsed.days == ()
    assert codes(parsed) == [
        (3, "date", "not_a_date"),
        (4, "date", "wrong_year"),
        (5, "type", "unknown_type"),
        (6, "date", "required"),
        (7, "date", "day_twice"),
        (8, "type", "required"),
        (9, "note", "too_long"),
    ]
    assert dict(parsed.problems[4].values) == {"day": "2027-01-01", "row": "2"}
    assert dict(parsed.problems[1].values) == {"value": "2026-12-31", "year": "2027"}


def test_range_problems():
    parsed = parse_schedule(
        rows(
            "2027-02-11,2027-02-05,休,春节\n2027-01-01,2027-03-01,休,\n2027-12-30,2028-01-02,休,\n2027-05-01,2027-05-05,休,劳动节,多余"
        ),
        year=2027,
    )
    assert codes(parsed) == [
        (1, "end", "end_before_start"),
        (2, "end", "range_too_long"),
        (3, "end", "wrong_year"),
        (4, "*", "extra_cells"),
    ]


def test_header_problems_stop_before_the_rows():
    assert codes(parse_schedule(rows("日期,类别,名称\n2027-01-01,休,元旦"), year=2027)) == [
        (1, "类别", "unknown_column"),
        (1, "type", "missing_column"),
    ]
    assert codes(parse_schedule(rows("名称,类型\n元旦,休"), year=2027)) == [(1, "date", "missing_column")]


@pytest.mark.parametrize("text", ["", "\n\n", "日期,类型,名称\n\n"])
def test_an_empty_file_is_a_problem(text):
    assert parse_schedule(rows(text) if text else [], year=2027).problems == (ScheduleProblem(1, "*", "empty"),)


def test_blank_rows_keep_the_row_numbers():
    parsed = parse_schedule(rows("日期,类型\n\n2027-01-01,休\n\n2027-99-01,休"), year=2027)
    assert codes(parsed) == [(5, "date", "not_a_date")]


def test_statutory_days_a_schedule_leaves_out():
    assert [h.name for h in statutory_days_missing({date(2027, 1, 1)}, 2027)][:2] == ["春节", "春节"]
    from fuhe.cases.core.holidays import statutory_days_off

    assert statutory_days_missing(statutory_days_off(2027), 2027) == ()
    assert statutory_days_missing(set(), 2024) == ()  # published years are not computed


# --- when to warn --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "missing"),
    [
        (date(2026, 10, 31), ()),
        (date(2026, 11, 1), (2027,)),
        (date(2026, 12, 2), (2027,)),
        (date(2026, 12, 31), (2027,)),
        (date(2027, 1, 1), (2027,)),  # the year began without its schedule: still warned
        (date(2027, 11, 1), (2027, 2028)),
    ],
)
def test_years_missing_from_the_first_of_november(today, missing):
    assert schedule_years_missing(today, is_known=lambda year: year <= 2026) == missing


def test_no_year_missing_once_known():
    assert schedule_years_missing(date(2026, 12, 2), is_known=lambda year: True) == ()


# --- a loaded year on the working calendar --------------------------------------------------------------------------


def at(y, m, d, hour=10):
    return datetime(y, m, d, hour, tzinfo=SHANGHAI)


def close_of(day: date) -> datetime:
    return datetime.combine(day, time(17, 30), tzinfo=SHANGHAI)


def test_new_year_s_day_2027_is_not_a_working_day_and_the_spring_festival_is_computed():
    calendar = WorkCalendar()
    assert not calendar.is_workday(date(2027, 1, 1))  # a Friday
    assert not calendar.is_workday(date(2027, 2, 6))  # 正月初一 2027 (a Saturday anyway) …
    assert not calendar.is_workday(date(2027, 2, 8))  # … and 初三, a Monday
    assert calendar.is_workday(date(2027, 2, 9))
    deadline = calendar.deadline_after(at(2026, 12, 31), 1, ClockUnit.WORKING_DAY)
    assert deadline.at == close_of(date(2027, 1, 4)) and deadline.used_fallback and deadline.unknown_years == (2027,)


def test_a_loaded_year_is_not_provisional_and_its_days_decide():
    # the notice's 2027 arrangement (as an example): 春节 5–11 February off, Sunday 14 February worked
    off = {date(2027, 2, d) for d in range(5, 12)}
    calendar = WorkCalendar(extra_holidays=off, extra_workdays={date(2027, 2, 14)}, official_years={2027})
    deadline = calendar.deadline_after(at(2027, 2, 4), 2, ClockUnit.WORKING_DAY)  # Fri 12, Sun 14 (调休)
    assert deadline.at == close_of(date(2027, 2, 14)) and not deadline.used_fallback
    assert calendar.knows(2027) and not calendar.knows(2028)
    assert calendar.deadline_after(at(2027, 12, 31), 1, ClockUnit.WORKING_DAY).unknown_years == (2028,)
