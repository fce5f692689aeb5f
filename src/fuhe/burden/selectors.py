"""Reads of the burden registry, scoped through ``scope_for``: the tasks a user sends, receives or oversees,
the policy in force for a place, the units a task reaches, and the admission counts published to senders."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from fuhe.accounts.models import STAFF_ROLES, Role
from fuhe.accounts.scope import scope_for
from fuhe.burden.models import (
    BurdenPolicy,
    DataItem,
    EmergencyBypass,
    TargetLevel,
    Task,
    TaskStatus,
    TaskTarget,
)
from fuhe.org.core.divisions import LEVEL_ORDER, Level, subtree_span
from fuhe.org.models import COMMITTEE_KINDS, STREET_KINDS, Region, Unit, UnitKind

GRASSROOTS_KINDS = COMMITTEE_KINDS + STREET_KINDS
SENDER_KINDS = (
    UnitKind.DEPARTMENT,
    UnitKind.DISTRICT_GOVERNMENT,
    UnitKind.STREET_OFFICE,
    UnitKind.TOWNSHIP_GOVERNMENT,
    UnitKind.PARTY_ORG,
)
OVERSIGHT_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR, Role.STREET_DISPATCHER)


def _policy_keys(region_id: int) -> list[int]:
    """Keys of the regions whose policy may apply, nearest first: district, city, province."""
    return [
        region_id // subtree_span(level) * subtree_span(level) for level in (Level.DISTRICT, Level.CITY, Level.PROVINCE)
    ]


def policy_for_region(region_id: int | None) -> BurdenPolicy:
    """The policy of the nearest region above (district first, then city, province); defaults otherwise."""
    if region_id is not None:
        keys = _policy_keys(region_id)
        found = {
            p.region_id: p for p in BurdenPolicy.objects.filter(region_id__in=keys).select_related("approval_unit")
        }
        for key in keys:
            if key in found:
                return found[key]
    return BurdenPolicy()


def target_units(*, region: Region, level: str) -> QuerySet[Unit]:
    """The grassroots units a task to ``region`` at ``level`` reaches: committees or street offices within it."""
    low, high = region.subtree
    kinds = COMMITTEE_KINDS if level == TargetLevel.COMMUNITY else STREET_KINDS
    return (
        Unit.objects.filter(region_id__gte=low, region_id__lt=high, kind__in=kinds, is_active=True)
        .select_related("region")
        .order_by("region_id", "pk")
    )


def sender_units(user) -> QuerySet[Unit]:
    """Units the user may send tasks for: the sending units they act for (any in scope for administrators)."""
    scope = scope_for(user)
    units = Unit.objects.filter(kind__in=SENDER_KINDS, is_active=True)
    if scope.is_global or scope.has_role(Role.ADMINISTRATOR):
        return units.filter(scope.unit_q()).order_by("region_id", "name")
    return units.filter(pk__in=sorted(scope.unit_ids)).order_by("region_id", "name")


def task_queryset(user) -> QuerySet[Task]:
    """Tasks the user sent (their units), received (their units are targets) or oversees (regions in scope)."""
    scope = scope_for(user)
    if scope.is_global:
        return Task.objects.all()
    if scope.user_id is None:
        return Task.objects.none()
    units = sorted(scope.unit_ids)
    # each way in is its own indexed query, joined by UNION inside ``id IN (…)`` (as ``case_queryset`` does):
    # one OR with correlated EXISTS made SQLite scan every task
    branches = [
        Task.objects.filter(sender_id__in=units).values("id").order_by(),
        TaskTarget.objects.filter(unit_id__in=units).values("task_id").order_by(),
    ]
    if scope.has_role(*OVERSIGHT_ROLES):
        # addressed to a region in scope, or reaching units in scope (a district-wide task seen from a street)
        branches += [
            Task.objects.filter(scope.region_q("target_region_id")).values("id").order_by(),
            TaskTarget.objects.filter(scope.region_q("region_id")).values("task_id").order_by(),
        ]
    return Task.objects.filter(pk__in=branches[0].union(*branches[1:]))


def task_list(*, user, status: str = "", sender_id: int | None = None) -> QuerySet[Task]:
    tasks = (
        task_queryset(user)
        .select_related("sender", "target_region")
        .annotate(target_count=Count("targets", distinct=True), flag_count=Count("flags", distinct=True))
    )
    if status:
        tasks = tasks.filter(status=status)
    if sender_id:
        tasks = tasks.filter(sender_id=sender_id)
    return tasks.order_by("-created_at", "-pk")


def task_get(*, user, task_id) -> Task:
    try:
        return task_queryset(user).select_related("sender", "target_region", "created_by").get(pk=int(task_id))
    except (Task.DoesNotExist, TypeError, ValueError):
        raise Http404("No such task") from None


def target_queryset(user) -> QuerySet[TaskTarget]:
    """Targets of the user's own units, of the tasks their units sent, or in regions the user oversees."""
    scope = scope_for(user)
    if scope.is_global:
        return TaskTarget.objects.all()
    units = sorted(scope.unit_ids)
    condition = Q(unit_id__in=units) | Q(task__sender_id__in=units)
    if scope.has_role(*OVERSIGHT_ROLES):
        condition |= scope.region_q("region_id")
    return TaskTarget.objects.filter(condition)


def target_get(*, user, target_id) -> TaskTarget:
    try:
        return (
            target_queryset(user).select_related("task", "task__sender", "unit", "unit__region").get(pk=int(target_id))
        )
    except (TaskTarget.DoesNotExist, TypeError, ValueError):
        raise Http404("No such task") from None


def inbox(*, user) -> QuerySet[TaskTarget]:
    """What reached the user's own units: admitted tasks and those acted on in an emergency."""
    units = sorted(scope_for(user).unit_ids)
    return (
        TaskTarget.objects.filter(unit_id__in=units)
        .filter(
            Q(task__status__in=[TaskStatus.ADMITTED, TaskStatus.ADMITTED_ASSISTING, TaskStatus.APPROVED])
            | Q(bypassed=True)
        )
        .select_related("task", "task__sender", "unit")
        .order_by("task__due_at", "pk")
    )


def refused_for_units(*, user) -> QuerySet[TaskTarget]:
    """Refused or pending tasks addressed to the user's units (they may act on one in an emergency)."""
    units = sorted(scope_for(user).unit_ids)
    return (
        TaskTarget.objects.filter(unit_id__in=units, bypassed=False)
        .filter(task__status__in=[TaskStatus.REFUSED, TaskStatus.PENDING_APPROVAL])
        .select_related("task", "task__sender", "unit")
        .order_by("-task__created_at")[:50]
    )


def pending_approvals(*, user) -> QuerySet[Task]:
    """Tasks waiting for a decision the user may take (they act for the approving body, or administer)."""
    scope = scope_for(user)
    tasks = task_queryset(user).filter(status=TaskStatus.PENDING_APPROVAL).select_related("sender", "target_region")
    if scope.is_global or scope.has_role(Role.ADMINISTRATOR):
        return tasks.order_by("decision_due")
    approvers = dict(BurdenPolicy.objects.values_list("region_id", "approval_unit_id"))  # one row per district/city

    def approver(region_id: int) -> int | None:
        return next((approvers[key] for key in _policy_keys(region_id) if key in approvers), None)

    ids = [pk for pk, region_id in tasks.values_list("pk", "target_region_id") if approver(region_id) in scope.unit_ids]
    return tasks.filter(pk__in=ids).order_by("decision_due")


def bypass_list(*, user, open_only: bool = True) -> QuerySet[EmergencyBypass]:
    bypasses = EmergencyBypass.objects.filter(target__in=target_queryset(user)).select_related(
        "target", "target__task", "target__unit"
    )
    if open_only:
        bypasses = bypasses.filter(filed_at__isnull=True)
    return bypasses.order_by("filing_due")


def admission_counts(*, user) -> list[dict]:
    """Per sender: tasks admitted, approved, refused and pending, published to every sender (staff only)."""
    scope = scope_for(user)
    if not (scope.is_global or scope.has_role(*STAFF_ROLES)):
        return []
    tasks = Task.objects.all()
    if not scope.is_global:
        tasks = tasks.filter(scope.region_q("target_region_id") | Q(sender_id__in=sorted(scope.unit_ids)))
    rows = (
        tasks.values("sender_id", "sender__name")
        .annotate(
            issued=Count("pk"),
            admitted=Count("pk", filter=Q(status__in=[TaskStatus.ADMITTED, TaskStatus.ADMITTED_ASSISTING])),
            approved=Count("pk", filter=Q(status=TaskStatus.APPROVED)),
            refused=Count("pk", filter=Q(status=TaskStatus.REFUSED)),
            pending=Count("pk", filter=Q(status=TaskStatus.PENDING_APPROVAL)),
        )
        .order_by("-issued", "sender__name")
    )
    return [dict(row, refused_share=(row["refused"] / row["issued"]) if row["issued"] else 0) for row in rows]


def catalogue_list() -> QuerySet[DataItem]:
    return DataItem.objects.order_by("code")


def region_choices(user, *, deepest: Level = Level.STREET, limit: int = 400) -> list[Region]:
    """Regions a user may address or report on, from the district down to ``deepest``."""
    scope = scope_for(user)
    levels = LEVEL_ORDER[LEVEL_ORDER.index(Level.DISTRICT) : LEVEL_ORDER.index(deepest) + 1]
    regions = Region.objects.filter(level__in=levels)
    if not scope.is_global:
        regions = regions.filter(scope.region_q("id"))
    return list(regions.order_by("id")[:limit])
