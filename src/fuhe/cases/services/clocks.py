"""Case clocks: which policy applies and when each deadline falls, on the working calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from fuhe.cases.core.holidays import schedule_years_missing
from fuhe.cases.core.workcalendar import ClockUnit, Deadline, WorkCalendar, library_knows
from fuhe.cases.models import CalendarDay, Case, ClockPolicy, RequestType, Urgency

# Defaults from the practice reference (section 0, a1/a3); every row is editable in the back office.
DEFAULT_POLICIES = [
    # urgency, request type, acceptance (amount, unit), resolution (amount, unit), source
    (
        Urgency.CRITICAL,
        "",
        (Decimal("0.5"), ClockUnit.NATURAL_HOUR),
        (Decimal(2), ClockUnit.NATURAL_HOUR),
        "Beijing draft standard: risk to life or property, feedback within 2 h",
    ),
    (
        Urgency.URGENT,
        "",
        (Decimal(1), ClockUnit.NATURAL_HOUR),
        (Decimal(24), ClockUnit.NATURAL_HOUR),
        "Beijing draft standard: 水电气热 within 24 h",
    ),
    (
        Urgency.NORMAL,
        "",
        (Decimal(2), ClockUnit.WORKING_HOUR),
        (Decimal(5), ClockUnit.WORKING_DAY),
        "Shanghai street rule: 求助/投诉 within 5 working days; intake → accepted ≤ 2 h",
    ),
    (
        Urgency.NORMAL,
        RequestType.CONSULTATION,
        (Decimal(2), ClockUnit.WORKING_HOUR),
        (Decimal(1), ClockUnit.WORKING_DAY),
        "Shanghai street rule: 咨询 within 1 working day",
    ),
    (
        Urgency.NORMAL,
        RequestType.SUGGESTION,
        (Decimal(2), ClockUnit.WORKING_HOUR),
        (Decimal(3), ClockUnit.WORKING_DAY),
        "a3: 建议 within 1–3 working days",
    ),
]


def clock_policies_seed() -> int:
    created = 0
    for urgency, request_type, (acc, acc_unit), (res, res_unit), source in DEFAULT_POLICIES:
        _, was_created = ClockPolicy.objects.get_or_create(
            urgency=urgency,
            request_type=request_type,
            category=None,
            defaults={
                "acceptance_amount": acc,
                "acceptance_unit": acc_unit,
                "resolution_amount": res,
                "resolution_unit": res_unit,
                "source": source,
            },
        )
        created += was_created
    return created


def work_calendar() -> WorkCalendar:
    """The calendar of case clocks: the library, the computed statutory holidays, and the days in the database
    (``CalendarDay``). A year with days in the database counts as loaded: its deadlines are not provisional."""
    days = list(CalendarDay.objects.values_list("day", "is_workday"))
    return WorkCalendar(
        extra_holidays={d for d, work in days if not work},
        extra_workdays={d for d, work in days if work},
        official_years={d.year for d, _work in days},
    )


def calendar_days_of(year: int):
    """The loaded days of ``year`` (an official schedule imported, or days an administrator entered)."""
    return CalendarDay.objects.filter(day__gte=date(year, 1, 1), day__lte=date(year, 12, 31))


def calendar_year_is_known(year: int) -> bool:
    """Whether ``year``'s official schedule is there: published in ``chinese_calendar`` or loaded."""
    return library_knows(year) or calendar_days_of(year).exists()


@dataclass(frozen=True)
class CalendarYear:
    """Where a year's official holiday schedule comes from."""

    year: int
    is_published: bool  # built into chinese_calendar
    loaded_days: int  # days in the database (an imported schedule, or days an administrator entered)

    @property
    def is_known(self) -> bool:
        return self.is_published or self.loaded_days > 0


def calendar_years(today: date | None = None) -> list[CalendarYear]:
    """This year and the next, with the source of their schedules (the import page's table)."""
    today = today or timezone.localdate()
    return [
        CalendarYear(year, library_knows(year), calendar_days_of(year).count()) for year in (today.year, today.year + 1)
    ]


def calendar_years_missing(today: date | None = None) -> tuple[int, ...]:
    """The years whose official schedule is missing by ``today`` (default: today in Beijing): this year, and from
    1 November the next. At most one query, none when the library knows the years."""
    return schedule_years_missing(today or timezone.localdate(), calendar_year_is_known)


def clock_policy_for(case: Case) -> ClockPolicy:
    """The most specific policy: category (or an ancestor) and request type beat the urgency default."""
    candidates = list(ClockPolicy.objects.filter(urgency=case.urgency))
    if not candidates:  # a fresh database: the documented defaults, created once
        clock_policies_seed()
        candidates = list(ClockPolicy.objects.filter(urgency=case.urgency))
    category_chain = []
    category = case.category
    while category is not None:
        category_chain.append(category.pk)
        category = category.parent

    def rank(policy: ClockPolicy) -> tuple[int, int]:
        category_rank = (
            len(category_chain) - category_chain.index(policy.category_id)
            if policy.category_id in category_chain
            else 0
        )
        return category_rank, 1 if policy.request_type == case.request_type else 0

    usable = [
        p
        for p in candidates
        if (p.category_id is None or p.category_id in category_chain) and p.request_type in ("", case.request_type)
    ]
    if not usable:
        raise ClockPolicy.DoesNotExist(f"no clock policy for urgency {case.urgency!r}")
    return max(usable, key=rank)


@dataclass(frozen=True)
class CaseDeadlines:
    acceptance: Deadline
    resolution: Deadline

    @property
    def used_fallback(self) -> bool:
        return self.acceptance.used_fallback or self.resolution.used_fallback


def deadlines_from(
    case: Case, start: datetime, calendar: WorkCalendar | None = None, *, policy: ClockPolicy | None = None
) -> CaseDeadlines:
    """The case's clocks started at ``start``; ``policy``: its clock policy when the caller has it already."""
    policy = policy or clock_policy_for(case)
    calendar = calendar or work_calendar()
    return CaseDeadlines(
        acceptance=calendar.deadline_after(start, float(policy.acceptance_amount), ClockUnit(policy.acceptance_unit)),
        resolution=calendar.deadline_after(start, float(policy.resolution_amount), ClockUnit(policy.resolution_unit)),
    )
