"""Reads that meter burden: load against capacity per unit, person and region, and the penetrating audit
report (穿透式审计) of a period and region. The arithmetic is in ``core.load``; this module gathers the rows.
Callers check that the region is in the user's scope (``load_for`` / ``audit_report_for`` do)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.accounts.models import STAFF_ROLES, RoleAssignment
from fuhe.accounts.scope import scope_for
from fuhe.burden.core import load as arithmetic
from fuhe.burden.core.flags import RULES
from fuhe.burden.models import (
    REACHING_STATUSES,
    RECURRENCE_DAYS,
    EmergencyBypass,
    HiddenAssessmentFlag,
    Task,
    TaskStatus,
    TaskTarget,
)
from fuhe.burden.selectors import GRASSROOTS_KINDS, policy_for_region
from fuhe.org.core.divisions import Level, ancestor_key
from fuhe.org.models import Region, Unit

TZ = ZoneInfo(settings.TIME_ZONE)
RECURRING_LOOKBACK = timedelta(days=366)


def _local(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, time.min, tzinfo=TZ), datetime.combine(last, time.max, tzinfo=TZ))


@dataclass
class UnitLoad:
    unit_id: int
    name: str
    region_id: int
    kind: str
    row: arithmetic.LoadRow

    @property
    def factor(self) -> float | None:
        return self.row.factor


@dataclass
class LoadResult:
    region: Region
    first: date
    last: date
    weeks: int
    units: list[UnitLoad] = field(default_factory=list)
    people: list[tuple[int, str, arithmetic.LoadRow]] = field(default_factory=list)  # the most loaded people
    trend: list[tuple[date, float, float]] = field(default_factory=list)  # week, demanded h, capacity h
    senders: list[tuple[int, str, float]] = field(default_factory=list)  # sender, name, hours a week
    streets: list[tuple[int, str, arithmetic.LoadRow]] = field(default_factory=list)
    case_minutes: float = 90

    @property
    def overloaded(self) -> list[UnitLoad]:
        return [u for u in self.units if u.row.is_overloaded]

    @property
    def total(self) -> arithmetic.LoadRow:
        return arithmetic.LoadRow(
            self.region.pk,
            sum(u.row.demanded_hours for u in self.units),
            sum(u.row.capacity_hours for u in self.units),
            sum(u.row.task_hours for u in self.units),
            sum(u.row.case_hours for u in self.units),
        )


def _memberships(unit_ids: list[int]) -> list[arithmetic.Membership]:
    # a subquery, not a list: a city's 50,000 staff ids as parameters cost more than the join
    people = RoleAssignment.objects.filter(
        unit_id__in=unit_ids, role__in=STAFF_ROLES, user__is_active=True, user__weekly_capacity_hours__isnull=False
    ).values("user_id")
    rows = set(
        RoleAssignment.objects.filter(user_id__in=people, unit__isnull=False, role__in=STAFF_ROLES).values_list(
            "user_id", "unit_id", "user__weekly_capacity_hours"
        )
    )
    return [arithmetic.Membership(person, unit, float(hours)) for person, unit, hours in rows]


def _task_minutes(
    unit_ids: set[int], low: int, high: int, first: date, last: date
) -> tuple[dict[int, dict[date, float]], dict[int, float]]:
    """Minutes per unit and week of the tasks that reach the units, and minutes per sender."""
    start, end = _bounds(first, last)
    # a recurring task's last occurrence may start before the period and still be due inside it: look back
    # one longest occurrence window (RECURRING_LOOKBACK); spreading drops what falls outside the period
    in_period = Task.objects.filter(starts_at__lte=end).filter(
        Q(due_at__gte=start) | Q(recurrence_until__gte=first - RECURRING_LOOKBACK)
    )
    # only tasks reaching the region, selected by subquery rather than by a list of every task's id
    reaching = TaskTarget.objects.filter(region_id__gte=low, region_id__lt=high).values("task_id")
    tasks = {
        row[0]: row
        for row in in_period.filter(pk__in=reaching).values_list(
            "pk", "status", "starts_at", "due_at", "recurrence", "recurrence_until", "sender_id"
        )
    }
    per_unit: dict[int, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    per_sender: dict[int, float] = defaultdict(float)
    targets = (
        TaskTarget.objects.filter(region_id__gte=low, region_id__lt=high, task_id__in=in_period.values("pk"))
        .filter(Q(task__status__in=REACHING_STATUSES) | Q(bypassed=True))
        .values_list("task_id", "unit_id", "estimated_minutes", "actual_minutes")
    )
    spreads: dict[tuple[int, float], dict[date, float]] = {}
    for task_id, unit_id, estimated, actual in targets.iterator(chunk_size=5000):
        if unit_id not in unit_ids:
            continue
        minutes = actual if actual is not None else estimated
        key = (task_id, minutes)
        if key not in spreads:
            _pk, _status, starts, due, recurrence, until, _sender = tasks[task_id]
            demand = arithmetic.Demand(
                unit_id, minutes, _local(starts), _local(due), RECURRENCE_DAYS.get(recurrence), until
            )
            spreads[key] = arithmetic.spread_by_week(demand, first, last)
        for week, value in spreads[key].items():
            per_unit[unit_id][week] += value
            per_sender[tasks[task_id][6]] += value
    return per_unit, per_sender


def _case_minutes(unit_ids: list[int], first: date, last: date, minutes: float) -> dict[int, dict[date, float]]:
    from fuhe.cases.models import Case

    start, end = _bounds(first, last)
    per_unit: dict[int, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    rows = Case.objects.filter(owner_unit_id__in=unit_ids, created_at__gte=start, created_at__lte=end).values_list(
        "owner_unit_id", "created_at"
    )
    for unit_id, created in rows.iterator(chunk_size=5000):
        per_unit[unit_id][arithmetic.week_start(_local(created))] += minutes
    return per_unit


def load_compute(*, region: Region, first: date, last: date, people_limit: int = 20) -> LoadResult:
    """Weekly load of every grassroots unit in ``region`` over ``first``..``last`` (averaged over the weeks)."""
    low, high = region.subtree
    policy = policy_for_region(region.pk)
    units = list(
        Unit.objects.filter(
            region_id__gte=low, region_id__lt=high, kind__in=GRASSROOTS_KINDS, is_active=True
        ).values_list("pk", "name", "region_id", "kind")
    )
    unit_ids = [u[0] for u in units]
    weeks = max(1, ((last - first).days + 1 + 6) // 7)
    memberships = _memberships(unit_ids)
    capacities = arithmetic.unit_capacities(memberships)
    task_weeks, sender_minutes = _task_minutes(set(unit_ids), low, high, first, last)
    case_weeks = _case_minutes(unit_ids, first, last, policy.case_effort_minutes)
    task_hours = {u: sum(w.values()) / 60 / weeks for u, w in task_weeks.items()}
    case_hours = {u: sum(w.values()) / 60 / weeks for u, w in case_weeks.items()}
    own_capacity = {u: capacities.get(u, 0.0) for u in unit_ids}
    rows = {row.key: row for row in arithmetic.unit_loads(task_hours, case_hours, own_capacity)}
    names = {u[0]: u for u in units}
    result = LoadResult(region, first, last, weeks, case_minutes=policy.case_effort_minutes)
    result.units = [
        UnitLoad(key, names[key][1], names[key][2], names[key][3], row) for key, row in rows.items() if key in names
    ]
    result.units.sort(key=lambda u: (u.factor is None, -(u.factor or 0), -u.row.demanded_hours, u.unit_id))
    # trend: each week's demand over the capacity
    total_capacity = sum(own_capacity.values())
    by_week: dict[date, float] = defaultdict(float)
    for source in (task_weeks, case_weeks):
        for weeks_of_unit in source.values():
            for week, minutes in weeks_of_unit.items():
                by_week[week] += minutes / 60
    week = arithmetic.week_start(first)
    while week <= last:
        result.trend.append((week, by_week.get(week, 0.0), total_capacity))
        week += timedelta(days=7)
    sender_names = dict(Unit.objects.filter(pk__in=list(sender_minutes)).values_list("pk", "name"))
    result.senders = sorted(
        ((s, sender_names.get(s, "?"), m / 60 / weeks) for s, m in sender_minutes.items()), key=lambda r: -r[2]
    )
    group_of = {u[0]: ancestor_key(u[2], Level.STREET) for u in units}
    street_names = dict(Region.objects.filter(pk__in=set(group_of.values())).values_list("pk", "name"))
    result.streets = [
        (row.key, street_names.get(row.key, str(row.key)), row) for row in arithmetic.aggregate(rows.values(), group_of)
    ]
    demand = {key: row.demanded_hours for key, row in rows.items()}
    people = [row for row in arithmetic.person_loads(memberships, demand) if row.factor is not None][:people_limit]
    from fuhe.accounts.models import User

    person_names = dict(User.objects.filter(pk__in=[p.key for p in people]).values_list("pk", "display_name"))
    result.people = [(p.key, person_names.get(p.key, ""), p) for p in people]
    return result


def _check_region(user, region: Region) -> None:
    if not scope_for(user).contains_region(region.pk):
        raise PermissionDenied(_("This region is outside your scope."))


def load_for(*, user, region: Region, first: date, last: date) -> LoadResult:
    _check_region(user, region)
    return load_compute(region=region, first=first, last=last)


# --- the penetrating audit report -------------------------------------------------------------------------


@dataclass
class SenderRow:
    sender_id: int
    name: str
    issued: int = 0
    admitted: int = 0
    approved: int = 0
    refused: int = 0
    pending: int = 0
    flags: Counter = field(default_factory=Counter)
    hours_demanded: float = 0.0

    @property
    def flag_cells(self) -> list[tuple[str, int]]:
        return [(rule, self.flags.get(rule, 0)) for rule in RULES]


@dataclass
class AuditReport:
    region: Region
    first: date
    last: date
    totals: dict[str, int]
    senders: list[SenderRow]
    flags_by_rule: Counter
    fields_requested: int
    fields_prefilled: int
    hours_demanded: float  # whole period, tasks + cases
    hours_saved: float  # by prefill
    hours_refused: float  # estimated effort of the refused tasks: what the gate cut
    load: LoadResult
    bypasses: dict[str, int]
    generated_at: datetime

    @property
    def prefill_share(self) -> float:
        return self.fields_prefilled / self.fields_requested if self.fields_requested else 0.0

    @property
    def top_overloaded(self) -> list[UnitLoad]:
        return self.load.overloaded[:15]


def audit_report(*, region: Region, first: date, last: date) -> AuditReport:
    low, high = region.subtree
    start, end = _bounds(first, last)
    in_region = TaskTarget.objects.filter(task=OuterRef("pk"), region_id__gte=low, region_id__lt=high)
    tasks = Task.objects.filter(created_at__gte=start, created_at__lte=end).filter(Exists(in_region))
    rows = list(tasks.values_list("pk", "sender_id", "sender__name", "status"))
    senders: dict[int, SenderRow] = {}
    totals: Counter = Counter()
    for _pk, sender_id, name, status in rows:
        row = senders.setdefault(sender_id, SenderRow(sender_id, name))
        row.issued += 1
        totals["issued"] += 1
        bucket = {
            TaskStatus.ADMITTED: "admitted",
            TaskStatus.ADMITTED_ASSISTING: "admitted",
            TaskStatus.APPROVED: "approved",
            TaskStatus.REFUSED: "refused",
            TaskStatus.PENDING_APPROVAL: "pending",
        }[status]
        setattr(row, bucket, getattr(row, bucket) + 1)
        totals[bucket] += 1
    flags_by_rule: Counter = Counter()
    for sender_id, rule in HiddenAssessmentFlag.objects.filter(task__in=tasks).values_list("sender_id", "rule"):
        flags_by_rule[rule] += 1
        if sender_id in senders:
            senders[sender_id].flags[rule] += 1
    targets = TaskTarget.objects.filter(task__in=tasks, region_id__gte=low, region_id__lt=high)
    fields_requested = fields_prefilled = 0
    saved = refused = 0.0
    for status, total, prefilled, minutes_saved, estimated in targets.values_list(
        "task__status", "fields_total", "fields_prefilled", "minutes_saved", "estimated_minutes"
    ).iterator(chunk_size=5000):
        if status == TaskStatus.REFUSED:
            refused += estimated
            continue
        fields_requested += total
        fields_prefilled += prefilled
        saved += minutes_saved
    load = load_compute(region=region, first=first, last=last)
    for sender_id, _name, hours in load.senders:
        if sender_id in senders:
            senders[sender_id].hours_demanded = hours * load.weeks
    now = timezone.now()
    bypasses = EmergencyBypass.objects.filter(
        target__region_id__gte=low, target__region_id__lt=high, declared_at__gte=start, declared_at__lte=end
    )
    return AuditReport(
        region=region,
        first=first,
        last=last,
        totals=dict(totals),
        senders=sorted(senders.values(), key=lambda r: (-r.issued, r.name)),
        flags_by_rule=flags_by_rule,
        fields_requested=fields_requested,
        fields_prefilled=fields_prefilled,
        hours_demanded=load.total.demanded_hours * load.weeks,
        hours_saved=saved / 60,
        hours_refused=refused / 60,
        load=load,
        generated_at=now,
        bypasses={
            "declared": bypasses.count(),
            "filed": bypasses.filter(filed_at__isnull=False).count(),
            "overdue": bypasses.filter(filed_at__isnull=True, filing_due__lt=now).count(),
            "late": bypasses.filter(filed_late=True).count(),
        },
    )


def audit_report_for(*, user, region: Region, first: date, last: date) -> AuditReport:
    _check_region(user, region)
    return audit_report(region=region, first=first, last=last)
