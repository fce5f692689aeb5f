from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuhe.cases.core.workcalendar import (
    SHANGHAI,
    ClockUnit,
    Deadline,
    WorkCalendar,
    WorkingPeriod,
    library_knows,
)

CAL = WorkCalendar()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def close_of(day: date) -> datetime:
    return datetime.combine(day, time(17, 30), tzinfo=SHANGHAI)


def february_2026() -> list[date]:
    return [date(2026, 2, 1) + timedelta(days=i) for i in range(28)]


# --- the real 2026 Spring Festival arrangement, as the library has it -------------------------------------------


def test_library_knows_2026_spring_festival_and_its_make_up_saturdays():
    days_off_on_weekdays = [d for d in february_2026() if d.weekday() < 5 and not CAL.is_workday(d)]
    make_up_weekend_days = [d for d in february_2026() if d.weekday() >= 5 and CAL.is_workday(d)]
    assert days_off_on_weekdays == [date(2026, 2, day) for day in (16, 17, 18, 19, 20, 23)]
    assert make_up_weekend_days == [date(2026, 2, 14), date(2026, 2, 28)]
    assert [d for d in february_2026() if date(2026, 2, 14) <= d <= date(2026, 2, 28) and not CAL.is_workday(d)] == [
        date(2026, 2, 15) + timedelta(days=i) for i in range(9)
    ]  # Sun 15 – Mon 23 off, 9 days
    assert library_knows(2026) and not library_knows(2031)


def test_three_working_days_from_the_last_workday_before_the_festival():
    deadline = CAL.deadline_after(at(2026, 2, 14, 10), 3, ClockUnit.WORKING_DAY)  # Sat 14 Feb: make-up workday
    assert deadline == Deadline(at=close_of(date(2026, 2, 26)), used_fallback=False, unknown_years=())


def test_the_make_up_saturday_counts_as_a_working_day():
    assert CAL.add_working_days(at(2026, 2, 13, 16), 1) == close_of(date(2026, 2, 14))
    assert CAL.add_working_days(at(2026, 2, 13, 16), 3) == close_of(date(2026, 2, 25))
    assert CAL.add_working_days(at(2026, 2, 27, 9), 1) == close_of(date(2026, 2, 28))
    assert CAL.add_working_days(at(2026, 2, 27, 9), 2) == close_of(date(2026, 3, 2))


def test_working_hours_skip_the_festival():
    assert CAL.add_working_hours(at(2026, 2, 14, 16), 4) == at(2026, 2, 24, 11, 30)  # 1.5 h + 2.5 h
    assert CAL.working_hours_between(at(2026, 2, 13, 9), at(2026, 2, 24, 12)) == 7 + 7 + 3
    assert CAL.working_hours_between(at(2026, 2, 14, 18), at(2026, 2, 24, 8)) == 0
    assert CAL.working_hours_between(at(2026, 2, 24, 12), at(2026, 2, 13, 9)) == -17


def test_hours_inside_a_day_skip_the_lunch_break():
    assert CAL.add_working_hours(at(2026, 3, 2, 11), 1) == at(2026, 3, 2, 12)
    assert CAL.add_working_hours(at(2026, 3, 2, 11), 1.5) == at(2026, 3, 2, 14)
    assert CAL.add_working_hours(at(2026, 3, 2, 12, 45), 2) == at(2026, 3, 2, 15, 30)
    assert CAL.add_working_hours(at(2026, 3, 2, 7), 0.25) == at(2026, 3, 2, 9, 15)


# --- years the library does not know ---------------------------------------------------------------------------


def test_unknown_year_falls_back_to_weekends_and_statutory_holidays_and_reports_it():
    deadline = CAL.deadline_after(at(2031, 9, 24, 10), 3, ClockUnit.WORKING_DAY)  # Thu 25, Fri 26, Mon 29
    assert deadline == Deadline(at=close_of(date(2031, 9, 29)), used_fallback=True, unknown_years=(2031,))
    # Tue 30, then 国庆 1-3 October (computed): Mon 6 October
    assert CAL.deadline_after(at(2031, 9, 26, 10), 3, ClockUnit.WORKING_DAY).at == close_of(date(2031, 10, 6))


def test_new_year_s_day_and_the_spring_festival_2027_are_days_off_before_the_schedule_is_published():
    assert not CAL.is_workday(date(2027, 1, 1))  # a Friday: 元旦 (it counted as a working day before)
    assert [CAL.is_workday(date(2027, 2, d)) for d in range(4, 10)] == [True, False, False, False, False, True]
    deadline = CAL.deadline_after(at(2027, 2, 4, 10), 1, ClockUnit.WORKING_DAY)
    assert deadline == Deadline(at=close_of(date(2027, 2, 9)), used_fallback=True, unknown_years=(2027,))


def test_unknown_year_uses_the_days_an_administrator_entered():
    national_day = {date(2031, 10, 1) + timedelta(days=i) for i in range(7)}
    cal = WorkCalendar(extra_holidays=national_day, extra_workdays={date(2031, 9, 27)})
    deadline = cal.deadline_after(at(2031, 9, 26, 10), 5, ClockUnit.WORKING_DAY)  # Sat 27, 29, 30, Oct 8, 9
    assert deadline == Deadline(at=close_of(date(2031, 10, 9)), used_fallback=True, unknown_years=(2031,))
    assert cal.is_workday(date(2031, 9, 27)) and not cal.is_workday(date(2031, 10, 6))


def test_deadline_reaching_from_a_known_into_an_unknown_year():
    cal = WorkCalendar(extra_holidays={date(2027, 1, 1)})
    deadline = cal.deadline_after(at(2026, 12, 31, 10), 2, ClockUnit.WORKING_DAY)
    assert deadline == Deadline(at=close_of(date(2027, 1, 5)), used_fallback=True, unknown_years=(2027,))
    assert CAL.deadline_after(at(2026, 12, 31, 10), 1, ClockUnit.WORKING_DAY).at == close_of(date(2027, 1, 4))
    assert not cal.deadline_after(at(2026, 12, 30, 10), 1, ClockUnit.WORKING_DAY).used_fallback


def test_administrator_days_override_the_library_in_known_years():
    cal = WorkCalendar(extra_holidays={date(2026, 2, 24)}, extra_workdays={date(2026, 2, 21)})
    assert cal.is_workday(date(2026, 2, 21)) and not cal.is_workday(date(2026, 2, 24))
    assert cal.add_working_days(at(2026, 2, 14, 10), 2) == close_of(date(2026, 2, 25))


def test_natural_clocks_ignore_holidays_and_never_need_the_fallback():
    start = at(2026, 2, 13, 10)
    assert CAL.deadline_after(start, 7, ClockUnit.NATURAL_DAY).at == at(2026, 2, 21)  # 24:00 on Fri 20 Feb
    assert CAL.deadline_after(start, 2, ClockUnit.NATURAL_HOUR).at == at(2026, 2, 13, 12)
    assert CAL.deadline_after(at(2031, 1, 1, 10), 15, ClockUnit.NATURAL_DAY) == Deadline(
        at=at(2031, 1, 17), used_fallback=False, unknown_years=()
    )


@pytest.mark.parametrize("unit", list(ClockUnit))
def test_zero_amount_is_the_start_itself(unit):
    assert CAL.deadline_after(at(2031, 2, 1, 3), 0, unit) == Deadline(at(2031, 2, 1, 3), False, ())


def test_results_are_in_the_calendar_time_zone():
    deadline = CAL.deadline_after(datetime(2026, 3, 2, 1, tzinfo=UTC), 1, ClockUnit.WORKING_HOUR)  # 09:00 local
    assert deadline.at == at(2026, 3, 2, 10) and deadline.at.tzinfo is SHANGHAI


def test_working_hours_are_configurable():
    cal = WorkCalendar(hours=[WorkingPeriod(time(8), time(20))])
    assert cal.add_working_hours(at(2026, 3, 2, 19), 2) == at(2026, 3, 3, 9)
    assert cal.add_working_days(at(2026, 3, 2, 19), 1) == at(2026, 3, 3, 20)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.add_working_days(datetime(2026, 3, 2, 9), 1),
        lambda: CAL.add_working_days(at(2026, 3, 2, 9), -1),
        lambda: CAL.add_working_hours(at(2026, 3, 2, 9), -0.5),
        lambda: CAL.deadline_after(at(2026, 3, 2, 9), 1.5, ClockUnit.WORKING_DAY),
        lambda: CAL.deadline_after(at(2026, 3, 2, 9), 0.5, ClockUnit.NATURAL_DAY),
        lambda: WorkCalendar(hours=[]),
        lambda: WorkCalendar(hours=[WorkingPeriod(time(12), time(9))]),
        lambda: WorkCalendar(hours=[WorkingPeriod(time(9), time(12)), WorkingPeriod(time(11), time(17))]),
        lambda: WorkCalendar(extra_holidays={date(2031, 1, 2)}, extra_workdays={date(2031, 1, 2)}),
    ],
    ids=[
        "naive",
        "negative-days",
        "negative-hours",
        "fractional-working-days",
        "fractional-natural-days",
        "no-hours",
        "reversed-period",
        "overlapping-periods",
        "day-both-ways",
    ],
)
def test_bad_input_is_refused(call):
    with pytest.raises(ValueError):
        call()


# --- properties ------------------------------------------------------------------------------------------------

starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(SHANGHAI))
admin_days = st.sets(st.dates(min_value=date(2026, 12, 1), max_value=date(2027, 12, 31)), max_size=15)
calendars = st.tuples(admin_days, admin_days).map(
    lambda days: WorkCalendar(extra_holidays=days[0] - days[1], extra_workdays=days[1])
)
hours = st.integers(min_value=0, max_value=300 * 60).map(lambda minutes: minutes / 60)
amounts = {
    ClockUnit.WORKING_DAY: st.integers(0, 40),
    ClockUnit.NATURAL_DAY: st.integers(0, 40),
    ClockUnit.WORKING_HOUR: hours,
    ClockUnit.NATURAL_HOUR: hours,
}
deadline_requests = st.sampled_from(list(ClockUnit)).flatmap(lambda unit: st.tuples(st.just(unit), amounts[unit]))


@pytest.mark.slow
@settings(max_examples=150)
@given(calendars, starts, deadline_requests)
def test_deadline_is_never_before_start_and_reports_unknown_years(cal, start, request):
    unit, amount = request
    deadline = cal.deadline_after(start, amount, unit)
    assert deadline.at >= start
    reaches_2027 = deadline.at.astimezone(SHANGHAI).year >= 2027 and deadline.at != start
    assert deadline.used_fallback == (unit in {ClockUnit.WORKING_DAY, ClockUnit.WORKING_HOUR} and reaches_2027)


@settings(max_examples=150)
@given(calendars, starts, st.integers(0, 30), st.integers(0, 30))
def test_working_days_add_up(cal, start, n, m):
    assert cal.add_working_days(cal.add_working_days(start, n), m) == cal.add_working_days(start, n + m)


@settings(max_examples=150)
@given(calendars, starts, hours)
def test_working_hours_round_trip(cal, start, h):
    assert cal.working_hours_between(start, cal.add_working_hours(start, h)) == pytest.approx(h, abs=1e-6)


@settings(max_examples=100)
@given(
    calendars,
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    st.sampled_from([0, 1]),
    st.floats(0, 1, exclude_max=True),
    hours,
)
def test_working_hours_round_trip_from_inside_working_time(cal, day, period_index, fraction, h):
    period = cal.hours[period_index]
    opening = datetime.combine(day, period.start, tzinfo=SHANGHAI)
    start = opening + (datetime.combine(day, period.end, tzinfo=SHANGHAI) - opening) * fraction
    assert cal.working_hours_between(start, cal.add_working_hours(start, h)) == pytest.approx(h, abs=1e-6)


@settings(max_examples=150)
@given(calendars, starts, st.integers(1, 40), hours.filter(bool))
def test_working_clocks_end_on_working_time(cal, start, days, h):
    by_days = cal.add_working_days(start, days)
    assert cal.is_workday(by_days.date()) and by_days.time() == cal.hours[-1].end
    by_hours = cal.add_working_hours(start, h)
    assert cal.is_workday(by_hours.date())
    assert any(p.start < by_hours.time() <= p.end for p in cal.hours)


def test_working_days_between_counts_after_the_first_day_up_to_the_last():
    calendar = WorkCalendar()
    assert calendar.working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5  # Mon → next Mon
    assert calendar.working_days_between(date(2026, 3, 6), date(2026, 3, 8)) == 0  # Fri → Sun
    assert calendar.working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0  # backwards
    # the National Day week of 2026 (Oct 1–7 off) counts nothing
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
