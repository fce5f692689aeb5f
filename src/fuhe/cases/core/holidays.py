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

Also here, without Django: ``parse_schedule`` reads the official schedule typed as a table (one row per day or per
range, checked row by row) and ``schedule_years_missing`` says which years should be loaded by a given day (this
year, and from 1 November the next). docs/calendar.md describes the whole cycle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import chinese_calendar
from lunardate import LunarDate

from fuhe.common.rows import Problem

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


def statutory_days_missing(days_off: Collection[date], year: int) -> tuple[Holiday, ...]:
    """The statutory days of ``year`` that a schedule does not give off (the law gives them off every year, so an
    official schedule that leaves one out was likely typed wrong — or the computed lunar date is off)."""
    if year < FIRST_YEAR:
        return ()
    return tuple(holiday for holiday in statutory_holidays(year) if holiday.day not in days_off)


# --- when to warn ------------------------------------------------------------------------------------------------

#: the State Council publishes next year's arrangement around November; from this day on its absence is warned of
WARN_FROM_MONTH_DAY = (11, 1)


def schedule_years_missing(today: date, is_known: Callable[[int], bool]) -> tuple[int, ...]:
    """The years whose official schedule should be known by ``today`` but is not: this year always, and next year
    from 1 November on. ``is_known(year)``: whether the library or a loaded schedule has the year."""
    years = [today.year]
    if (today.month, today.day) >= WARN_FROM_MONTH_DAY:
        years.append(today.year + 1)
    return tuple(year for year in years if not is_known(year))


# --- the official schedule as a table ------------------------------------------------------------------------------
#
# The notice (国务院办公厅关于 20XX 年部分节假日安排的通知) lists, per holiday, the days off as a range and the
# make-up working days (调休上班). It maps to one row per day or per range:
#
#   日期/date,类型/type,名称/note           2027-01-01,休,元旦
#   开始/start,结束/end,类型/type,名称/note  2027-02-05,2027-02-11,休,春节   and   2027-02-14,2027-02-14,班,春节
#
# The header row is optional: without one, a row of a date, a type and a note is one day and a row of two dates, a
# type and a note is a range. ``parse_schedule`` checks every row and returns the days and every problem found; the
# caller translates the problems (``code`` and ``values``) and writes nothing when there is one.

DAY_OFF_WORDS = frozenset({"休", "假", "休息", "放假", "休假", "节假日", "holiday", "off", "dayoff", "rest"})
WORKDAY_WORDS = frozenset({"班", "上班", "补班", "调班", "调休上班", "工作日", "workday", "workingday", "work"})
#: the headers a column is recognised by (compared in lower case, without spaces; "日期/date" matches either part)
SCHEDULE_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "date", "day"),
    "start": ("开始日期", "开始", "起始日期", "起", "start", "from"),
    "end": ("结束日期", "结束", "截止日期", "止", "end", "to", "until"),
    "type": ("类型", "安排", "性质", "type", "kind"),
    "note": ("名称", "节日", "节日名称", "备注", "说明", "note", "name", "holiday"),
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
#: a range longer than this is a typing error (the longest break, 春节 or 国庆, is 8 or 9 days)
LONGEST_RANGE_DAYS = 31


@dataclass(frozen=True, slots=True)
class ScheduleDay:
    day: date
    is_workday: bool
    note: str
    row: int


#: the schedule's problems are every parser's (``fuhe.common.rows.Problem``)
ScheduleProblem = Problem


@dataclass(frozen=True, slots=True)
class ParsedSchedule:
    days: tuple[ScheduleDay, ...]
    problems: tuple[ScheduleProblem, ...]


def parse_date(text: str) -> date | None:
    text = text.strip().split(" ")[0].split("T")[0]  # a spreadsheet's date cell may carry a time of 00:00
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar day, no time zone)
        except ValueError:
            continue
    return None


def _word(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _column(header: str) -> str | None:
    text = re.sub(r"[（(][^)）]*[)）]", "", header)  # "类型 (休/班)" → "类型"
    for part in re.split(r"[/|｜、]", text):
        for key, aliases in SCHEDULE_COLUMNS.items():
            if _word(part) in aliases:
                return key
    return None


def _layout(rows: Sequence[Sequence[str]]) -> tuple[dict[str, int] | None, list[ScheduleProblem]]:
    """The columns named by the first row, or ``None`` when there is no header (the first cell is a date)."""
    first = [cell.strip() for cell in rows[0]]
    if first and parse_date(first[0]) is not None:
        return None, []
    positions: dict[str, int] = {}
    problems = []
    for index, header in enumerate(first):
        if not header:
            continue
        key = _column(header)
        if key is None:
            problems.append(ScheduleProblem(1, header, "unknown_column"))
        elif key in positions:
            problems.append(ScheduleProblem(1, header, "column_twice"))
        else:
            positions[key] = index
    if "type" not in positions:
        problems.append(ScheduleProblem(1, "type", "missing_column"))
    if "date" not in positions and "start" not in positions:
        problems.append(ScheduleProblem(1, "date", "missing_column"))
    if "date" in positions and ("start" in positions or "end" in positions):
        problems.append(ScheduleProblem(1, "date", "date_and_range"))
    return positions, problems


def _fields(cells: Sequence[str], positions: dict[str, int] | None) -> tuple[dict[str, str], int]:
    """The row's values by field, and how many non-empty cells no field takes."""
    if positions is None:  # date, type, note — or start, end, type, note
        names = (
            ("start", "end", "type", "note") if len(cells) > 1 and parse_date(cells[1]) else ("date", "type", "note")
        )
        values = dict(zip(names, cells, strict=False))
        return values, sum(1 for cell in cells[len(names) :] if cell)
    taken = set(positions.values())
    extra = sum(1 for index, cell in enumerate(cells) if cell and index not in taken)
    return {key: cells[index] if index < len(cells) else "" for key, index in positions.items()}, extra


def _row_days(
    number: int, values: dict[str, str], year: int, note_limit: int
) -> tuple[list[date], bool, str, list[ScheduleProblem]]:
    problems = []
    first_field = "date" if "date" in values else "start"
    first_text = values.get(first_field, "")
    first = parse_date(first_text) if first_text else None
    if not first_text:
        problems.append(ScheduleProblem(number, first_field, "required"))
    elif first is None:
        problems.append(ScheduleProblem(number, first_field, "not_a_date", (("value", first_text),)))
    last = first
    end_text = values.get("end", "") if first_field == "start" else ""
    if end_text:
        last = parse_date(end_text)
        if last is None:
            problems.append(ScheduleProblem(number, "end", "not_a_date", (("value", end_text),)))
    for field, day in ((first_field, first), ("end", last if end_text else None)):
        if day is not None and day.year != year:
            problems.append(ScheduleProblem(number, field, "wrong_year", (("value", str(day)), ("year", str(year)))))
    if first is not None and last is not None and last < first:
        problems.append(ScheduleProblem(number, "end", "end_before_start"))
    elif first is not None and last is not None and (last - first).days >= LONGEST_RANGE_DAYS:
        problems.append(ScheduleProblem(number, "end", "range_too_long", (("limit", str(LONGEST_RANGE_DAYS)),)))
    kind = _word(values.get("type", ""))
    is_workday = kind in WORKDAY_WORDS
    if not kind:
        problems.append(ScheduleProblem(number, "type", "required"))
    elif not is_workday and kind not in DAY_OFF_WORDS:
        problems.append(ScheduleProblem(number, "type", "unknown_type", (("value", values["type"].strip()),)))
    note = values.get("note", "").strip()
    if len(note) > note_limit:
        problems.append(ScheduleProblem(number, "note", "too_long", (("limit", str(note_limit)),)))
    if problems or first is None or last is None:
        return [], is_workday, note, problems
    return [first + timedelta(days=n) for n in range((last - first).days + 1)], is_workday, note, []


def parse_schedule(rows: Sequence[Sequence[str]], *, year: int, note_limit: int = 60) -> ParsedSchedule:
    """The days of a schedule table (cells as text; a blank row is skipped but keeps its number)."""
    rows = [[cell.strip() for cell in row] for row in rows]
    if not any(any(row) for row in rows):
        return ParsedSchedule((), (ScheduleProblem(1, "*", "empty"),))
    positions, problems = _layout(rows)
    if problems:
        return ParsedSchedule((), tuple(problems))
    days: list[ScheduleDay] = []
    seen: dict[date, int] = {}
    for number, cells in enumerate(rows, start=1):
        if (number == 1 and positions is not None) or not any(cells):
            continue
        values, extra = _fields(cells, positions)
        if extra:
            problems.append(ScheduleProblem(number, "*", "extra_cells"))
            continue
        row_days, is_workday, note, row_problems = _row_days(number, values, year, note_limit)
        problems += row_problems
        field = "date" if "date" in values else "start"
        for day in row_days:
            if day in seen:
                problems.append(
                    ScheduleProblem(number, field, "day_twice", (("day", str(day)), ("row", str(seen[day]))))
                )
                break
            seen[day] = number
            days.append(ScheduleDay(day, is_workday, note, number))
    if not problems and not days:
        problems.append(ScheduleProblem(1, "*", "empty"))
    if problems:
        return ParsedSchedule((), tuple(problems))
    return ParsedSchedule(tuple(sorted(days, key=lambda d: d.day)), ())
