"""Writes of the burden registry. Each is one atomic action with the acting user as keyword argument and its
audit event in the same transaction.

* ``task_issue`` registers a task, runs the admission gate, raises the flags and creates its targets;
* ``task_decide`` is the approving body's decision on a task outside the lists;
* ``form_submit`` records a unit's answers (they update the catalogue for the next request);
* ``effort_record`` is the optional one-tap record of how long a task took;
* ``bypass_declare`` / ``bypass_file`` are the emergency bypass and its after-the-fact filing (事后备案).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fuhe.audit.services import audit_record
from fuhe.burden.catalogue import catalogue_names, prefill_for
from fuhe.burden.core import admission, flags
from fuhe.burden.core.load import effort_estimate
from fuhe.burden.core.prefill import Known, keep_fresher
from fuhe.burden.models import (
    DEFAULT_EFFORT_BASIS,
    DEFAULT_EFFORT_MINUTES,
    RECURRENCE_DAYS,
    AdmissionDecision,
    DataItem,
    DataSource,
    DataValue,
    EffortBasis,
    EffortRecord,
    EmergencyBypass,
    FormAnswer,
    FormField,
    HiddenAssessmentFlag,
    Recurrence,
    TargetLevel,
    Task,
    TaskKind,
    TaskStatus,
    TaskTarget,
)
from fuhe.burden.rules import can_decide
from fuhe.burden.selectors import policy_for_region, sender_units, target_units
from fuhe.cases.services.clocks import work_calendar
from fuhe.cases.services.notify import notify_users
from fuhe.org.models import Region, Unit

MAX_RECORDED_MINUTES = 60 * 24


class BurdenError(ValidationError):
    """A request the registry refuses to carry out (turned into a 400 / form error at the edge)."""


@dataclass(frozen=True)
class FieldSpec:
    label: str
    item_code: str | None = None
    minutes: float | None = None


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


# --- the gate ------------------------------------------------------------------------------------------


def _duty_item(region: Region, code: str, at: datetime):
    """The duty list in force for the region and the item with ``code`` in it (read-only use of duties)."""
    from fuhe.duties.selectors import duty_list_in_force

    duty_list = duty_list_in_force(region_id=region.pk, at=at)
    if duty_list is None or not code:
        return duty_list, None
    return duty_list, duty_list.items.filter(code=code).first()


def kind_effort(kind: str, policy) -> float:
    """The prior for a task kind (the policy may override it), refined by recorded efforts of that kind.

    A record is a unit's whole effort, which may count the base effort per staff member or grid and include the
    form's fields; it refines the base in proportion: ``recorded × base / estimated``."""
    prior = float((policy.effort_minutes or {}).get(kind, DEFAULT_EFFORT_MINUTES.get(kind, 60)))
    rows = (
        EffortRecord.objects.filter(kind=kind)
        .order_by("-recorded_at")
        .values_list("minutes", "target__task__effort_minutes", "target__estimated_minutes")[:200]
    )
    recorded = [
        minutes * base / estimated if base and estimated and estimated > 0 else minutes
        for minutes, base, estimated in rows
    ]
    return effort_estimate(prior, recorded)


def _thresholds(policy) -> flags.Thresholds:
    return flags.Thresholds(
        min_working_days=policy.min_working_days,
        min_interval_days=policy.min_interval_days,
        similarity=policy.similarity,
        same_content_window_days=policy.same_content_window_days,
    )


def task_facts(
    task: Task, fields: Sequence[FieldSpec] = (), target_ids: frozenset[int] = frozenset()
) -> flags.TaskFacts:
    return flags.TaskFacts(
        task_id=task.pk or 0,
        sender_id=task.sender_id,
        kind=task.kind,
        title=task.title,
        content=task.content,
        issued=_local_date(task.starts_at),
        due=_local_date(task.due_at),
        evidence=frozenset(task.evidence),
        interval_days=RECURRENCE_DAYS.get(task.recurrence),
        target_ids=target_ids,
        fields=tuple((f.label, f.item_code) for f in fields),
    )


def _recent_facts(task: Task, window_days: int) -> list[flags.TaskFacts]:
    since = task.starts_at - timedelta(days=window_days)
    until = task.starts_at + timedelta(days=window_days)
    recent = (
        Task.objects.filter(starts_at__gte=since, starts_at__lte=until)
        .exclude(sender_id=task.sender_id)
        .exclude(pk=task.pk)
        .only("pk", "sender_id", "kind", "title", "content", "starts_at", "due_at", "evidence", "recurrence")[:500]
    )
    recent = list(recent)
    targets: dict[int, set[int]] = {}
    for task_id, unit_id in TaskTarget.objects.filter(task_id__in=[o.pk for o in recent]).values_list(
        "task_id", "unit_id"
    ):
        targets.setdefault(task_id, set()).add(unit_id)
    return [task_facts(other, target_ids=frozenset(targets.get(other.pk, ()))) for other in recent]


def flags_raise(
    task: Task, fields: Sequence[FieldSpec], target_ids: frozenset[int], policy, calendar=None
) -> list[flags.Flag]:
    calendar = calendar or work_calendar()
    raised = flags.evaluate(
        task_facts(task, fields, target_ids),
        thresholds=_thresholds(policy),
        is_workday=calendar.is_workday,
        working_days_between=calendar.working_days_between,
        catalogue_names=catalogue_names(),
        recent=_recent_facts(task, policy.same_content_window_days),
    )
    HiddenAssessmentFlag.objects.bulk_create(
        [
            HiddenAssessmentFlag(
                task=task,
                sender_id=task.sender_id,
                rule=flag.rule,
                explanation=flag.explanation,
                detail=dict(flag.detail),
                created_at=task.created_at,
            )
            for flag in raised
        ]
    )
    return raised


def _check_sender(actor, sender: Unit) -> None:
    if actor is not None and not sender_units(actor).filter(pk=sender.pk).exists():
        raise PermissionDenied(_("You may not send tasks for this unit."))


def _validate_dates(starts_at: datetime, due_at: datetime, recurrence: str, recurrence_until: date | None) -> None:
    if due_at < starts_at:
        raise BurdenError({"due_at": [_("The deadline comes before the start.")]})
    if recurrence not in Recurrence.values:
        raise BurdenError({"recurrence": [_("Unknown recurrence.")]})
    if recurrence != Recurrence.ONCE and recurrence_until is None:
        raise BurdenError({"recurrence_until": [_("A recurring task needs a last day.")]})
    if recurrence != Recurrence.ONCE and recurrence_until < _local_date(starts_at):
        raise BurdenError({"recurrence_until": [_("The last day comes before the start.")]})


@dataclass(frozen=True)
class GateCheck:
    """What the gate answers for a request, before or as it is sent."""

    decision: admission.Decision
    category: admission.ListCategory
    working_days_ahead: int
    application_period_days: int
    earliest_start: date  # the first start date that gives the approving body the notice it needs

    @property
    def is_too_late(self) -> bool:
        return self.working_days_ahead < self.application_period_days


def _gate(task: Task, item, policy, now: datetime, calendar) -> GateCheck:
    category = admission.category_for_level(
        target_level=task.target_level,
        admission=item.admission if item else None,
        owner_level=item.owner_level if item else None,
    )
    working_days_ahead = calendar.working_days_between(_local_date(now), _local_date(task.starts_at))
    decision = admission.decide(
        admission.GateInput(
            category=category,
            forbidden_demands=flags.forbidden_demands(task_facts(task)),
            lead_unit_named=bool(task.lead_unit_name),
            resources_declared=bool(task.resources),
            approval_reason=task.approval_reason,
            working_days_before_start=working_days_ahead,
            application_period_days=policy.application_period_days,
        )
    )
    earliest = _local_date(calendar.add_working_days(now, policy.application_period_days))
    return GateCheck(decision, category, working_days_ahead, policy.application_period_days, earliest)


def task_admission_check(
    *,
    target_region: Region,
    target_level: str = TargetLevel.COMMUNITY,
    kind: str = TaskKind.OTHER,
    title: str = "",
    content: str = "",
    duty_item_code: str = "",
    lead_unit_name: str = "",
    resources: str = "",
    approval_reason: str = "",
    starts_at: datetime,
    evidence: Sequence[str] = (),
    now: datetime | None = None,
) -> GateCheck:
    """The gate's answer for a request not yet sent (nothing is written): the form shows it as the sender edits."""
    now = now or timezone.now()
    policy = policy_for_region(target_region.pk)
    _duty_list, item = _duty_item(target_region, duty_item_code, now)
    task = Task(
        title=title.strip(),
        kind=kind,
        content=content.strip(),
        target_level=target_level,
        lead_unit_name=lead_unit_name.strip(),
        resources=resources.strip(),
        approval_reason=approval_reason.strip(),
        starts_at=starts_at,
        due_at=starts_at,
        evidence=sorted(set(evidence) - {"none"}),
    )
    task.sender_id = 0
    return _gate(task, item, policy, now, work_calendar())


def _approvers_notify(task: Task, policy) -> None:
    """The approving body's members hear of a request waiting for their decision (in-app notification)."""
    if policy.approval_unit_id is None:
        return
    from fuhe.accounts.models import RoleAssignment

    members = RoleAssignment.objects.filter(unit_id=policy.approval_unit_id).values_list("user_id", flat=True)
    with translation.override(settings.LANGUAGE_CODE):
        text = _("A task awaits your decision by %(due)s: %(title)s (from %(sender)s)") % {
            "due": f"{timezone.localtime(task.decision_due):%Y-%m-%d}",
            "title": task.title,
            "sender": task.sender.name,
        }
    notify_users(members, case=None, text=text)


def _check_previous(previous: Task | None, sender: Unit) -> None:
    if previous is None:
        return
    if previous.status != TaskStatus.REFUSED:
        raise BurdenError({"previous": [_("Only a refused request can be edited and sent again.")]})
    if previous.sender_id != sender.pk:
        raise BurdenError({"sender": [_("An edited request is sent by the unit that sent the first one.")]})
    if previous.resends.exists():
        raise BurdenError({"previous": [_("This request has already been edited and sent again.")]})


@transaction.atomic
def task_issue(
    *,
    actor,
    sender: Unit,
    title: str,
    kind: str,
    target_region: Region,
    target_level: str = TargetLevel.COMMUNITY,
    content: str = "",
    duty_item_code: str = "",
    lead_unit_name: str = "",
    resources: str = "",
    approval_reason: str = "",
    starts_at: datetime,
    due_at: datetime,
    recurrence: str = Recurrence.ONCE,
    recurrence_until: date | None = None,
    evidence: Sequence[str] = (),
    fields: Sequence[FieldSpec] = (),
    effort_basis: str = "",
    effort_minutes: float | None = None,
    now: datetime | None = None,
    duty_list_at: datetime | None = None,
    check_sender: bool = True,
    previous: Task | None = None,
) -> Task:
    """Register a task and run it through the admission gate; it reaches its units only if admitted.

    The duty list is the one in force at ``duty_list_at`` (default: ``now``); the demo, which back-dates a
    quarter of tasks, reads the list in force today. ``previous`` is the refused request this one was edited
    from (a new version linked to it; the first keeps its history)."""
    if check_sender:
        _check_sender(actor, sender)
    if previous is not None:
        previous = Task.objects.select_for_update().get(pk=previous.pk)
    _check_previous(previous, sender)
    if kind not in TaskKind.values:
        raise BurdenError({"kind": [_("Unknown task kind.")]})
    if kind == TaskKind.FORM and not fields:
        raise BurdenError({"fields": [_("A form needs at least one field.")]})
    _validate_dates(starts_at, due_at, recurrence, recurrence_until)
    now = now or timezone.now()
    policy = policy_for_region(target_region.pk)
    duty_list, item = _duty_item(target_region, duty_item_code, duty_list_at or now)
    if duty_item_code and item is None:
        raise BurdenError({"duty_item_code": [_("No such item on the duty list in force here.")]})
    task = Task(
        title=title.strip(),
        kind=kind,
        content=content.strip(),
        sender=sender,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
        target_region=target_region,
        target_level=target_level,
        duty_list_id=duty_list.pk if duty_list else None,
        duty_item_code=item.code if item else "",
        duty_item_matter=item.matter if item else "",
        lead_unit_name=lead_unit_name.strip(),
        resources=resources.strip(),
        approval_reason=approval_reason.strip(),
        starts_at=starts_at,
        due_at=due_at,
        recurrence=recurrence,
        recurrence_until=recurrence_until if recurrence != Recurrence.ONCE else None,
        evidence=sorted(set(evidence) - {"none"}),
        previous=previous,
    )
    calendar = work_calendar()
    check = _gate(task, item, policy, now, calendar)
    decision = check.decision
    task.list_category = check.category.value
    admission.check_transition("", decision.outcome.value)
    task.status = decision.outcome.value
    task.decision_rule, task.decision_reason = decision.rule, decision.reason_text
    task.decision_params = dict(decision.params)
    if decision.outcome == admission.Outcome.PENDING_APPROVAL:
        task.decision_due = calendar.add_working_days(now, policy.decision_period_days)
    else:
        task.decided_at = now
    base_minutes = float(effort_minutes) if effort_minutes else kind_effort(kind, policy)
    task.effort_minutes = base_minutes
    task.effort_basis = effort_basis or DEFAULT_EFFORT_BASIS.get(kind, EffortBasis.UNIT)
    task.full_clean(exclude=["sender", "target_region", "created_by"])
    task.save()
    form_fields = _fields_create(task, fields)
    units = list(target_units(region=target_region, level=target_level))
    targets = _targets_create(task, units, form_fields, base_minutes, now)
    raised = flags_raise(task, fields, frozenset(t.unit_id for t in targets), policy, calendar)
    AdmissionDecision.objects.create(
        task=task, outcome=task.status, rule=decision.rule, reason=task.decision_reason, decided_by=None, decided_at=now
    )
    if decision.outcome == admission.Outcome.PENDING_APPROVAL:
        _approvers_notify(task, policy)
    audit_record(
        actor=actor,
        action="burden.task_issue",
        target=task,
        summary={
            "sender": sender.pk,
            "kind": kind,
            "status": task.status,
            "rule": decision.rule,
            "targets": len(targets),
            "duty_item": task.duty_item_code,
            "flags": [flag.rule for flag in raised],
            "previous": previous.pk if previous else None,
        },
    )
    return task


def _fields_create(task: Task, fields: Sequence[FieldSpec]) -> list[FormField]:
    codes = {spec.item_code for spec in fields if spec.item_code}
    items = {item.code: item for item in DataItem.objects.filter(code__in=codes)}
    unknown = codes - set(items)
    if unknown:
        raise BurdenError({"fields": [_("Unknown catalogue items: %(items)s") % {"items": "、".join(sorted(unknown))}]})
    rows = []
    for position, spec in enumerate(fields, start=1):
        item = items.get(spec.item_code) if spec.item_code else None
        minutes = spec.minutes if spec.minutes is not None else (item.effort_minutes if item else 3.0)
        rows.append(
            FormField(
                task=task,
                position=position,
                label=spec.label.strip() or (item.name if item else "?"),
                item=item,
                minutes=minutes,
            )
        )
    return FormField.objects.bulk_create(rows)


def _multipliers(basis: str, units: list[Unit]) -> dict[int, int]:
    """How many times a unit does the task's base effort: once, per staff member, or per grid (at least once)."""
    if basis == EffortBasis.STAFF:
        from fuhe.accounts.models import STAFF_ROLES, RoleAssignment

        counts: dict[int, set[int]] = {}
        for unit_id, user_id in RoleAssignment.objects.filter(
            unit_id__in=[u.pk for u in units], role__in=STAFF_ROLES
        ).values_list("unit_id", "user_id"):
            counts.setdefault(unit_id, set()).add(user_id)
        return {unit_id: max(1, len(people)) for unit_id, people in counts.items()}
    if basis == EffortBasis.GRID:
        from fuhe.burden.catalogue import grid_counts

        return {unit_id: max(1, n) for unit_id, n in grid_counts(units).items()}
    return {}


def _targets_create(
    task: Task, units: list[Unit], form_fields: list[FormField], base_minutes: float, now: datetime
) -> list[TaskTarget]:
    catalogued = [f for f in form_fields if f.item is not None]
    items = [f.item for f in catalogued]
    prefills = prefill_for(units, items, now) if items else {}
    off_catalogue_minutes = sum(f.minutes for f in form_fields if f.item is None)
    multiplier = _multipliers(task.effort_basis, units)
    targets = []
    for unit in units:
        results = prefills.get(unit.pk, [])
        saved = sum(f.minutes for f, r in zip(catalogued, results, strict=True) if r.is_prefilled)
        asked = sum(f.minutes for f, r in zip(catalogued, results, strict=True) if not r.is_prefilled)
        prefilled = sum(r.is_prefilled for r in results)
        targets.append(
            TaskTarget(
                task=task,
                unit=unit,
                region_id=unit.region_id,
                estimated_minutes=base_minutes * multiplier.get(unit.pk, 1) + asked + off_catalogue_minutes,
                fields_total=len(form_fields),
                fields_prefilled=prefilled,
                minutes_saved=saved,
            )
        )
    return TaskTarget.objects.bulk_create(targets, batch_size=1000)


# --- approval -----------------------------------------------------------------------------------------


@transaction.atomic
def task_decide(*, actor, task: Task, approve: bool, reason: str, now: datetime | None = None) -> Task:
    """The approving body's written decision on a task outside the admission lists."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if not can_decide(actor, task):
        raise PermissionDenied(_("You may not decide on this task."))
    if not reason.strip():
        raise BurdenError({"reason": [_("A decision needs a written reason.")]})
    new = TaskStatus.APPROVED if approve else TaskStatus.REFUSED
    try:
        admission.check_transition(task.status, new)
    except admission.IllegalTransitionError as exc:
        raise BurdenError({"status": [_("This task is not waiting for a decision.")]}) from exc
    now = now or timezone.now()
    task.status, task.decided_at = new, now
    task.decision_rule = "approved" if approve else "approval_refused"
    task.decision_reason = reason.strip()  # the body's own words; decision_params keep what the gate named
    task.save(update_fields=["status", "decided_at", "decision_rule", "decision_reason"])
    AdmissionDecision.objects.create(
        task=task, outcome=new, rule=task.decision_rule, reason=task.decision_reason, decided_by=actor, decided_at=now
    )
    audit_record(
        actor=actor,
        action="burden.task_decide",
        target=task,
        summary={"status": new, "late": bool(task.decision_due and now > task.decision_due)},
    )
    return task


# --- forms, effort, catalogue ----------------------------------------------------------------------------


def _ensure_member(actor, target: TaskTarget) -> None:
    from fuhe.accounts.scope import scope_for

    if target.unit_id not in scope_for(actor).unit_ids:
        raise PermissionDenied(_("Only the receiving unit's staff may do this."))


def data_value_record(
    *,
    item: DataItem,
    unit: Unit,
    value: str,
    as_of: datetime,
    source: str,
    actor=None,
    target: TaskTarget | None = None,
) -> DataValue | None:
    """Append a value unless a fresher one is already held (then the catalogue keeps the fresher one)."""
    current = DataValue.objects.filter(item=item, unit=unit).order_by("-as_of", "-id").first()
    current_known = Known(current.value, current.as_of, current.source) if current else None
    incoming = Known(value, as_of, source)
    if keep_fresher(current_known, incoming) is not incoming:
        return None
    return DataValue.objects.create(
        item=item,
        unit=unit,
        value=value,
        as_of=as_of,
        source=source,
        target=target,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def form_submit(
    *,
    actor,
    target: TaskTarget,
    answers: dict[int, str],
    minutes: float | None = None,
    now: datetime | None = None,
    check_member: bool = True,
) -> TaskTarget:
    """Record a unit's form: answers to catalogue fields update the catalogue (prefilled values that were left
    unchanged are confirmed, not re-entered); off-catalogue answers are kept with the form."""
    target = TaskTarget.objects.select_for_update().select_related("task", "unit").get(pk=target.pk)
    if check_member:
        _ensure_member(actor, target)
    if not (target.task.reaches_units or target.bypassed):
        raise BurdenError({"task": [_("This task was not admitted; it does not need an answer.")]})
    if target.task.kind != TaskKind.FORM:
        raise BurdenError({"task": [_("This task is not a form.")]})
    now = now or timezone.now()
    fields = list(target.task.fields.select_related("item"))
    items = [f.item for f in fields if f.item is not None]
    prefill = (
        dict(zip([i.code for i in items], prefill_for([target.unit], items, now).get(target.unit.pk, []), strict=True))
        if items
        else {}
    )
    missing = [
        f.label
        for f in fields
        if not str(answers.get(f.pk, "")).strip()
        and not (f.item and prefill.get(f.item.code) and prefill[f.item.code].is_prefilled)
    ]
    if missing:
        raise BurdenError({"answers": [_("Please answer: %(fields)s") % {"fields": "、".join(missing)}]})
    changed = 0
    for form_field in fields:
        answer = str(answers.get(form_field.pk, "")).strip()
        if form_field.item is None:  # a corrected submission replaces the earlier answer
            FormAnswer.objects.update_or_create(target=target, field=form_field, defaults={"value": answer})
            continue
        known = prefill.get(form_field.item.code)
        if answer and (known is None or not known.is_prefilled or known.known.value != answer):
            changed += 1
            data_value_record(
                item=form_field.item,
                unit=target.unit,
                value=answer,
                as_of=now,
                source=DataSource.SUBMISSION,
                actor=actor,
                target=target,
            )
    target.submitted_at, target.submitted_by = now, actor
    target.save(update_fields=["submitted_at", "submitted_by"])
    audit_record(
        actor=actor,
        action="burden.form_submit",
        target=target,
        summary={"task": target.task_id, "fields": len(fields), "entered": changed},
    )
    if minutes is not None:
        _effort(actor, target, minutes, now)
    return target


def _effort(actor, target: TaskTarget, minutes: float, now: datetime) -> None:
    if not 0 < minutes <= MAX_RECORDED_MINUTES:
        raise BurdenError({"minutes": [_("Give the minutes the task took (up to a day).")]})
    EffortRecord.objects.create(
        target=target,
        kind=target.task.kind,
        minutes=minutes,
        recorded_at=now,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    target.actual_minutes = minutes
    target.save(update_fields=["actual_minutes"])
    audit_record(actor=actor, action="burden.effort_record", target=target, summary={"minutes": minutes})


@transaction.atomic
def effort_record(
    *, actor, target: TaskTarget, minutes: float, now: datetime | None = None, check_member: bool = True
) -> TaskTarget:
    """Optional, one tap: how long the task took this unit. Replaces the estimate in the unit's load."""
    target = TaskTarget.objects.select_for_update().select_related("task").get(pk=target.pk)
    if check_member:
        _ensure_member(actor, target)
    if not (target.task.reaches_units or target.bypassed):
        raise BurdenError({"task": [_("This task was not admitted; it took no effort here.")]})
    _effort(actor, target, float(minutes), now or timezone.now())
    return target


# --- emergency bypass ------------------------------------------------------------------------------------


@transaction.atomic
def bypass_declare(
    *, actor, target: TaskTarget, emergency: str, now: datetime | None = None, check_member: bool = True
) -> EmergencyBypass:
    """Act on a task outside normal admission in a declared emergency; an explanation is due afterwards."""
    target = TaskTarget.objects.select_for_update().select_related("task").get(pk=target.pk)
    if check_member:
        _ensure_member(actor, target)
    if not emergency.strip():
        raise BurdenError({"emergency": [_("Name the emergency.")]})
    if target.task.reaches_units or target.bypassed:
        raise BurdenError({"task": [_("The task already reaches this unit.")]})
    now = now or timezone.now()
    policy = policy_for_region(target.region_id)
    bypass = EmergencyBypass.objects.create(
        target=target,
        emergency=emergency.strip(),
        declared_by=actor,
        declared_at=now,
        filing_due=work_calendar().add_working_days(now, policy.filing_period_days),
    )
    target.bypassed = True
    target.save(update_fields=["bypassed"])
    audit_record(
        actor=actor,
        action="burden.bypass_declare",
        target=bypass,
        summary={"task": target.task_id, "unit": target.unit_id, "filing_due": bypass.filing_due.isoformat()},
    )
    return bypass


@transaction.atomic
def bypass_file(
    *, actor, bypass: EmergencyBypass, explanation: str, now: datetime | None = None, check_member: bool = True
) -> EmergencyBypass:
    bypass = EmergencyBypass.objects.select_for_update().select_related("target").get(pk=bypass.pk)
    if check_member:
        _ensure_member(actor, bypass.target)
    if bypass.filed_at is not None:
        raise BurdenError({"explanation": [_("Already filed.")]})
    if not explanation.strip():
        raise BurdenError({"explanation": [_("Explain why the task was acted on outside admission.")]})
    now = now or timezone.now()
    bypass.filed_at, bypass.filed_by, bypass.explanation = now, actor, explanation.strip()
    bypass.filed_late = now > bypass.filing_due
    bypass.save(update_fields=["filed_at", "filed_by", "explanation", "filed_late"])
    audit_record(actor=actor, action="burden.bypass_file", target=bypass, summary={"late": bypass.filed_late})
    return bypass
