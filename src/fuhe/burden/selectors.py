"""Reads of the burden registry, scoped through ``scope_for``: the tasks a user sends, receives or oversees,
the policy in force for a place, the units a task reaches, and the admission counts published to senders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fuhe.accounts.models import STAFF_ROLES, Role
from fuhe.accounts.scope import scope_for
from fuhe.burden.catalogue import prefill_for
from fuhe.burden.models import (
    BurdenPolicy,
    DataItem,
    DataSource,
    DataValue,
    EmergencyBypass,
    FormField,
    TargetLevel,
    Task,
    TaskStatus,
    TaskTarget,
)
from fuhe.org.core.divisions import LEVEL_ORDER, Level, ancestor_key
from fuhe.org.models import COMMITTEE_KINDS, STREET_KINDS, Region, Unit, UnitKind
from fuhe.org.selectors import region_get

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
    return [ancestor_key(region_id, level) for level in (Level.DISTRICT, Level.CITY, Level.PROVINCE)]


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


def sent_task_list(*, user) -> QuerySet[Task]:
    """Tasks sent by the units the user acts for, newest first."""
    return task_list(user=user).filter(sender_id__in=sorted(scope_for(user).unit_ids))


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


def inbox(*, user, waiting_first: bool = False) -> QuerySet[TaskTarget]:
    """What reached the user's own units: admitted tasks and those acted on in an emergency. By deadline; with
    ``waiting_first``, what still waits (a form not yet submitted) first, then the latest deadlines."""
    units = sorted(scope_for(user).unit_ids)
    targets = (
        TaskTarget.objects.filter(unit_id__in=units)
        .filter(
            Q(task__status__in=[TaskStatus.ADMITTED, TaskStatus.ADMITTED_ASSISTING, TaskStatus.APPROVED])
            | Q(bypassed=True)
        )
        .select_related("task", "task__sender", "unit")
    )
    if waiting_first:
        return targets.order_by(F("submitted_at").desc(nulls_first=True), "-task__due_at", "pk")
    return targets.order_by("task__due_at", "pk")


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


def bypass_get(*, user, bypass_id) -> EmergencyBypass:
    """An emergency bypass of a target the user may see; the same 404 whether it is missing or out of scope."""
    try:
        return EmergencyBypass.objects.select_related("target").get(pk=int(bypass_id), target__in=target_queryset(user))
    except (EmergencyBypass.DoesNotExist, TypeError, ValueError):
        raise Http404("No such bypass") from None


def bypass_list(*, user, open_only: bool = True) -> QuerySet[EmergencyBypass]:
    bypasses = EmergencyBypass.objects.filter(target__in=target_queryset(user)).select_related(
        "target", "target__task", "target__unit"
    )
    if open_only:
        bypasses = bypasses.filter(filed_at__isnull=True)
    return bypasses.order_by("filing_due")


def _published_tasks(user) -> QuerySet[Task] | None:
    """The tasks whose admission counts a staff member sees: sent to their regions or by their units."""
    scope = scope_for(user)
    if not (scope.is_global or scope.has_role(*STAFF_ROLES)):
        return None
    tasks = Task.objects.all()
    if not scope.is_global:
        tasks = tasks.filter(scope.region_q("target_region_id") | Q(sender_id__in=sorted(scope.unit_ids)))
    return tasks


def late_filing_list(*, user, limit: int = 100) -> list[EmergencyBypass]:
    """Emergency actions whose after-the-fact filing came after its deadline, newest first (published with the
    admission counts)."""
    tasks = _published_tasks(user)
    if tasks is None:
        return []
    return list(
        EmergencyBypass.objects.filter(filed_late=True, target__task__in=tasks)
        .select_related("target__task__sender", "target__unit")
        .order_by("-filed_at")[:limit]
    )


def earliest_admissible_start(*, region_id: int | None, now: datetime | None = None) -> date:
    """The first start date that gives the approving body the notice its policy asks for (N working days)."""
    from fuhe.cases.services.clocks import work_calendar

    now = now or timezone.now()
    policy = policy_for_region(region_id)
    return timezone.localtime(work_calendar().add_working_days(now, policy.application_period_days)).date()


def admission_counts(*, user) -> list[dict]:
    """Per sender: tasks admitted, approved, refused and pending, published to every sender (staff only)."""
    tasks = _published_tasks(user)
    if tasks is None:
        return []
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


def _region_choice_queryset(user, deepest: Level) -> QuerySet[Region]:
    scope = scope_for(user)
    levels = LEVEL_ORDER[LEVEL_ORDER.index(Level.DISTRICT) : LEVEL_ORDER.index(deepest) + 1]
    regions = Region.objects.filter(level__in=levels)
    if not scope.is_global:
        regions = regions.filter(scope.region_q("id"))
    return regions


def region_choices(user, *, deepest: Level = Level.STREET, limit: int = 400) -> list[Region]:
    """Regions a user may address or report on, from the district down to ``deepest``."""
    return list(_region_choice_queryset(user, deepest).order_by("id")[:limit])


def target_region_get(*, user, region_id) -> Region:
    """A region the user may send a task to (one of ``region_choices``); the same 404 whether it is missing, out
    of scope or at a level tasks are not sent to."""
    try:
        return _region_choice_queryset(user, Level.STREET).get(pk=int(region_id))
    except (Region.DoesNotExist, TypeError, ValueError):
        raise Http404("No such region") from None


def report_region_get(*, user, region_id=None) -> tuple[Region, list[Region]]:
    """The region a load or audit report is about, and the regions offered instead: ``region_id`` when the user
    may see it (the same 404 for missing and out of scope), else the first region the user may address, else
    their own home region (a grid worker's grid)."""
    choices = region_choices(user)
    if region_id:
        return region_get(scope=scope_for(user), region_id=region_id), choices
    if choices:
        return choices[0], choices
    home = Region.objects.filter(pk__in=scope_for(user).home_region_ids).order_by("id").first()
    if home is None:
        raise Http404("No region in scope")
    return home, [home]


def duty_item_choices(*, user) -> list:
    """The items of the duty list in force for the first region the user may address (the task form's list)."""
    from fuhe.duties.selectors import duty_items_search, duty_list_in_force

    for region in region_choices(user)[:1]:
        duty_list = duty_list_in_force(region_id=region.pk)
        if duty_list is not None:
            return list(duty_items_search(duty_list=duty_list).order_by("code"))
    return []


# --- a received form, as the unit sees it -----------------------------------------------------------------


def form_field_list(*, task: Task) -> list[FormField]:
    return list(task.fields.select_related("item"))


def _source_label(source: str) -> str:
    try:
        return str(DataSource(source).label)
    except ValueError:
        return source


def _entered(target: TaskTarget, fields: list[FormField]) -> dict[int, str]:
    """Per field, what the unit submitted: its answers, and the values it gave for catalogue items."""
    entered: dict[int, str] = dict(target.answers.values_list("field_id", "value"))
    by_item = dict(DataValue.objects.filter(target=target).values_list("item_id", "value"))
    entered.update({f.pk: by_item[f.item_id] for f in fields if f.item_id in by_item})
    return entered


def target_form_rows(*, target: TaskTarget, fields: list[FormField], posted: dict[int, str]) -> list[dict]:
    """Each field with what the platform knows, what the unit entered and its state: ``prefilled`` / ``asked``
    before the unit answers; ``entered`` / ``confirmed`` (a prefilled value left as it was) afterwards.
    ``posted``: the values of a submission that was refused, shown again."""
    items = [f.item for f in fields if f.item]
    known = (
        dict(
            zip(
                [i.code for i in items],
                prefill_for([target.unit], items, timezone.now()).get(target.unit.pk, []),
                strict=True,
            )
        )
        if items
        else {}
    )
    entered = _entered(target, fields) if target.submitted_at else {}
    rows = []
    for form_field in fields:
        prefill = known.get(form_field.item.code) if form_field.item else None
        is_prefilled = prefill is not None and prefill.is_prefilled
        value = prefill.known.value if is_prefilled else ""
        if target.submitted_at:
            state = "entered" if form_field.pk in entered else ("confirmed" if is_prefilled else "asked")
            value = entered.get(form_field.pk, value)
        else:
            state = "prefilled" if is_prefilled else "asked"
            value = posted.get(form_field.pk) or value
        rows.append(
            {
                "field": form_field,
                "known": prefill.known if is_prefilled else None,
                "value": value,
                "state": state,
                "source": _source_label(prefill.known.source) if is_prefilled else "",
            }
        )
    return rows


@dataclass(frozen=True)
class TargetForm:
    rows: list[dict]
    prefilled: int  # fields the platform filled in: as counted at submission, else as the rows stand
    bypass: EmergencyBypass | None


def target_form_get(*, target: TaskTarget, fields: list[FormField], posted: dict[int, str]) -> TargetForm:
    """What the page of a received task shows: the form's rows, how many were prefilled, the emergency bypass."""
    rows = target_form_rows(target=target, fields=fields, posted=posted)
    prefilled = target.fields_prefilled if target.submitted_at else sum(r["state"] == "prefilled" for r in rows)
    return TargetForm(rows, prefilled, EmergencyBypass.objects.filter(target=target).first())


# --- the page of a task ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskPage:
    task: Task
    flags: list
    decisions: QuerySet
    fields: list[FormField]
    targets: list[TaskTarget]  # the first ``limit`` receiving units
    openable: set[int]  # those whose page the user may open (its own staff, the sender, those overseeing it)
    target_count: int
    versions: list[Task]  # the request's versions, first to last (a refused request edited and sent again)
    may_resend: bool  # a refused request not yet sent again, and the user sends for its unit


def task_versions(*, user, task: Task) -> list[Task]:
    """Every version of a request the user may see, the first one first (edited after a refusal, sent again)."""
    visible = task_queryset(user)
    chain = [task]
    earlier = task
    while earlier.previous_id is not None:
        earlier = visible.filter(pk=earlier.previous_id).first()
        if earlier is None:
            break
        chain.insert(0, earlier)
    later = task
    while True:
        later = visible.filter(previous_id=later.pk).first()
        if later is None:
            break
        chain.append(later)
    return chain if len(chain) > 1 else []


def resend_source_get(*, user, task_id) -> Task:
    """A refused request the user may edit and send again (the same 404 as ``task_get`` otherwise)."""
    task = task_get(user=user, task_id=task_id)
    if (
        task.status != TaskStatus.REFUSED
        or task.resends.exists()
        or not sender_units(user).filter(pk=task.sender_id).exists()
    ):
        raise Http404("No such refused request")
    return task


def task_page_get(*, user, task_id, limit: int = 100) -> TaskPage:
    """A task the user may see (the same 404 as ``task_get``) with what its page shows."""
    task = task_get(user=user, task_id=task_id)
    targets = task.targets.select_related("unit").order_by("unit__region_id", "pk")
    shown = list(targets[:limit])
    openable = set(target_queryset(user).filter(pk__in=[t.pk for t in shown]).values_list("pk", flat=True))
    return TaskPage(
        task=task,
        flags=list(task.flags.all()),
        decisions=task.decisions.select_related("decided_by"),
        fields=form_field_list(task=task),
        targets=shown,
        openable=openable,
        target_count=targets.count(),
        versions=task_versions(user=user, task=task),
        may_resend=task.status == TaskStatus.REFUSED
        and not task.resends.exists()
        and sender_units(user).filter(pk=task.sender_id).exists(),
    )
