"""Case clocks: which policy applies and when each deadline falls, on the working calendar."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.audit.services import audit_record
from fuhe.cases.core.coverage import place_of
from fuhe.cases.core.holidays import schedule_years_missing
from fuhe.cases.core.workcalendar import ClockUnit, Deadline, WorkCalendar, library_knows
from fuhe.cases.models import CalendarDay, Case, CaseEvent, Category, ClockPolicy, Notification, RequestType, Urgency
from fuhe.cases.selectors import INTAKE_STATES, dispatcher_gaps, intake_running_q
from fuhe.cases.services.notify import notify_users
from fuhe.db import insert
from fuhe.org.core.divisions import Level, level_depth, subtree_range

# The intake (dispatch) clock, receipt → dispatch (practice §(0) "web/app intake → accepted ≤ 2 h", a4 "立案+派遣
# ≤ 1 h"): a critical case within 1 natural hour, an urgent one within 2 natural hours (night and holidays
# included: these cannot wait for the morning), a normal one within 1 working day. Same values as migration 0012.
INTAKE_CRITICAL = (Decimal(1), ClockUnit.NATURAL_HOUR)
INTAKE_URGENT = (Decimal(2), ClockUnit.NATURAL_HOUR)
INTAKE_NORMAL = (Decimal(1), ClockUnit.WORKING_DAY)

# Defaults from the practice reference (section 0, a1/a3/a4); every row is editable in the back office.
DEFAULT_POLICIES = [
    # urgency, request type, intake (amount, unit), acceptance (amount, unit), resolution (amount, unit), source
    (
        Urgency.CRITICAL,
        "",
        INTAKE_CRITICAL,
        (Decimal("0.5"), ClockUnit.NATURAL_HOUR),
        (Decimal(2), ClockUnit.NATURAL_HOUR),
        "Beijing draft standard: risk to life or property, feedback within 2 h; 福州: dispatch within 1 h",
    ),
    (
        Urgency.URGENT,
        "",
        INTAKE_URGENT,
        (Decimal(1), ClockUnit.NATURAL_HOUR),
        (Decimal(24), ClockUnit.NATURAL_HOUR),
        "Beijing draft standard: 水电气热 within 24 h; intake → accepted ≤ 2 h",
    ),
    (
        Urgency.NORMAL,
        "",
        INTAKE_NORMAL,
        (Decimal(2), ClockUnit.WORKING_HOUR),
        (Decimal(5), ClockUnit.WORKING_DAY),
        "Shanghai street rule: 求助/投诉 within 5 working days; intake → accepted ≤ 2 h",
    ),
    (
        Urgency.NORMAL,
        RequestType.CONSULTATION,
        INTAKE_NORMAL,
        (Decimal(2), ClockUnit.WORKING_HOUR),
        (Decimal(1), ClockUnit.WORKING_DAY),
        "Shanghai street rule: 咨询 within 1 working day",
    ),
    (
        Urgency.NORMAL,
        RequestType.SUGGESTION,
        INTAKE_NORMAL,
        (Decimal(2), ClockUnit.WORKING_HOUR),
        (Decimal(3), ClockUnit.WORKING_DAY),
        "a3: 建议 within 1–3 working days",
    ),
]


def clock_policies_seed() -> int:
    created = 0
    for urgency, request_type, (intake, intake_unit), (acc, acc_unit), (res, res_unit), source in DEFAULT_POLICIES:
        _policy, was_created = ClockPolicy.objects.get_or_create(
            urgency=urgency,
            request_type=request_type,
            category=None,
            defaults={
                "intake_amount": intake,
                "intake_unit": intake_unit,
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
    return _most_specific(candidates, case, category_chain)


def _most_specific(candidates: list[ClockPolicy], case: Case, category_chain: list[int]) -> ClockPolicy:
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


class ClockPolicies:
    """Every clock policy and the category tree, read once: the policies of many cases without a query each."""

    def __init__(self) -> None:
        policies = list(ClockPolicy.objects.all())
        if not policies:  # a fresh database: the documented defaults, created once
            clock_policies_seed()
            policies = list(ClockPolicy.objects.all())
        self.by_urgency: dict[str, list[ClockPolicy]] = defaultdict(list)
        for policy in policies:
            self.by_urgency[policy.urgency].append(policy)
        self.parents: dict[int, int | None] = dict(Category.objects.values_list("id", "parent_id"))

    def for_case(self, case: Case) -> ClockPolicy:
        chain: list[int] = []
        category_id = case.category_id
        while category_id is not None and category_id not in chain:
            chain.append(category_id)
            category_id = self.parents.get(category_id)
        return _most_specific(self.by_urgency.get(case.urgency, []), case, chain)


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


# --- the intake (dispatch) clock ---------------------------------------------------------------------------------


def intake_deadline(case: Case, calendar: WorkCalendar | None = None, *, policy: ClockPolicy | None = None) -> Deadline:
    """When the case must have left the dispatcher's desk: its policy's dispatch limit after its receipt."""
    policy = policy or clock_policy_for(case)
    calendar = calendar or work_calendar()
    return calendar.deadline_after(case.created_at, float(policy.intake_amount), ClockUnit(policy.intake_unit))


@dataclass(frozen=True)
class IntakeClock:
    """The dispatch limit of a case waiting on the dispatcher's desk."""

    due: datetime
    is_overdue: bool
    is_stamped: bool  # written by the sweep (else computed just now from the receipt, the same way)


def case_intake_clock(case: Case, *, now: datetime | None = None) -> IntakeClock | None:
    """The dispatch (intake) deadline of a case while it waits to be dispatched: the one the minute sweep wrote,
    else the same deadline computed now from its receipt (a case received a moment ago has none yet). ``None``
    once the case has left the desk (dispatched, answered directly, dismissed or merged)."""
    if case.state not in INTAKE_STATES or case.dispatched_at is not None:
        return None
    due = case.intake_due or intake_deadline(case).at
    return IntakeClock(due=due, is_overdue=due <= (now or timezone.now()), is_stamped=case.intake_due is not None)


def intake_clocks_start(*, limit: int = 2000) -> int:
    """Set the intake deadline (from receipt) of every waiting case that has none yet: new reports, imported
    tickets, cases from before the clock existed. Run by the deadline sweep; ``limit`` cases a run (the oldest
    first), so a large import is stamped over a few minutes without a long write."""
    cases = list(
        Case.objects.filter(intake_running_q(), intake_due__isnull=True)
        .only("pk", "created_at", "urgency", "request_type", "category_id")
        .order_by("pk")[:limit]
    )
    if not cases:
        return 0
    calendar, policies = work_calendar(), ClockPolicies()
    for case in cases:
        case.intake_due = intake_deadline(case, calendar, policy=policies.for_case(case)).at
    Case.objects.bulk_update(cases, ["intake_due"], batch_size=500)
    return len(cases)


def _district_watchers() -> list[tuple[int, int, int, int]]:
    """(user id, low, high, depth) of the active dispatchers and administrators of a district or a wider region:
    who hears of a case that waited past its dispatch limit."""
    rows = RoleAssignment.objects.filter(
        role__in=(Role.STREET_DISPATCHER, Role.ADMINISTRATOR),
        user__is_active=True,
        region__level__in=(Level.PROVINCE, Level.CITY, Level.DISTRICT),
    ).values_list("user_id", "region_id", "region__level")
    return [
        (user_id, *subtree_range(region_id, Level(level)), level_depth(level)) for user_id, region_id, level in rows
    ]


def _recipients(region_id: int | None, watchers: list[tuple[int, int, int, int]], superusers: list[int]) -> set[int]:
    """The watchers of the nearest level above the case (its district's before its city's); superusers when none."""
    holding = [(depth, user_id) for user_id, low, high, depth in watchers if region_id and low <= region_id < high]
    if not holding:
        return set(superusers)
    deepest = max(depth for depth, _user in holding)
    return {user_id for depth, user_id in holding if depth == deepest}


def _overdue_text(case: Case, place: str) -> str:
    due = timezone.localtime(case.intake_due).strftime("%m-%d %H:%M")
    if place:
        return _("Case %(code)s has waited past its dispatch limit (%(due)s): no dispatcher for %(place)s.") % {
            "code": case.tracking_code,
            "due": due,
            "place": place,
        }
    return _("Case %(code)s has waited past its dispatch limit (%(due)s) without being dispatched.") % {
        "code": case.tracking_code,
        "due": due,
    }


def intake_overdue_escalate(*, now: datetime, limit: int = 2000) -> int:
    """Escalate every waiting case past its dispatch limit, once: a timeline event (staff only) and an audit row,
    and a notification to the district (its dispatchers and administrators; one notification per person and run
    when several cases passed together). Returns how many cases were escalated."""
    overdue = list(
        Case.objects.filter(intake_running_q(), intake_due__lte=now, intake_escalated_at__isnull=True)
        .select_related("region")
        .order_by("intake_due", "pk")[:limit]
    )
    if not overdue:
        return 0
    gaps = dispatcher_gaps(region_ids={case.region_id for case in overdue if case.region_id})
    watchers = _district_watchers()
    superusers = list(User.objects.filter(is_superuser=True, is_active=True).values_list("pk", flat=True))
    by_recipient: dict[int, list[tuple[Case, str]]] = defaultdict(list)
    escalated = 0
    with translation.override(settings.LANGUAGE_CODE):
        for case in overdue:
            place = place_of(case.region_id, gaps)
            with transaction.atomic():
                # the guard makes a second sweep running at the same time skip the case
                if not Case.objects.filter(pk=case.pk, intake_escalated_at__isnull=True).update(
                    intake_escalated_at=now
                ):
                    continue
                insert(
                    CaseEvent(
                        case=case,
                        at=now,
                        action="intake_overdue",
                        is_public=False,
                        reason=_overdue_text(case, place),
                        data={"intake_due": case.intake_due.isoformat(), "no_dispatcher_for": place},
                    )
                )
                audit_record(
                    actor=None,
                    action="case.intake_overdue",
                    target=case,
                    summary={"intake_due": case.intake_due.isoformat(), "no_dispatcher_for": place},
                )
            escalated += 1
            for user_id in _recipients(case.region_id, watchers, superusers):
                by_recipient[user_id].append((case, place))
        for user_id, items in by_recipient.items():
            if len(items) == 1:
                case, place = items[0]
                notify_users([user_id], case=case, text=_overdue_text(case, place))
                continue
            codes = "、".join(case.tracking_code for case, _place in items[:10]) + ("…" if len(items) > 10 else "")
            text = _("%(count)d cases have waited past their dispatch limit: %(codes)s.") % {
                "count": len(items),
                "codes": codes,
            }
            Notification.objects.create(recipient_id=user_id, case=None, text=text[:300], created_at=now)
    return escalated
