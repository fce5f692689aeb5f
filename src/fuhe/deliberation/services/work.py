"""Resolutions bind work (a case, a task through the admission gate, a resource demand); the deadline sweep."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fuhe.audit.services import audit_record
from fuhe.burden.models import TaskKind
from fuhe.burden.services import task_issue
from fuhe.cases.models import Channel
from fuhe.cases.services.intake import case_create
from fuhe.cases.services.lifecycle import case_dispatch
from fuhe.cases.services.notify import notify_unit, notify_users, platform_text
from fuhe.deliberation.models import (
    ItemKind,
    Resolution,
    ResolutionItem,
)
from fuhe.deliberation.selectors import items_not_finished
from fuhe.deliberation.services.common import (
    _raise,
    _require_manager,
    _text,
)
from fuhe.org.models import Unit
from fuhe.resources.models import DemandPriority, DemandSource, ResourceKind
from fuhe.resources.services import demand_create


def _due(value, field: str = "due_at") -> datetime:
    if isinstance(value, date) and not isinstance(value, datetime):
        value = timezone.make_aware(datetime.combine(value, datetime.max.time().replace(microsecond=0)))
    if not isinstance(value, datetime) or timezone.is_naive(value):
        _raise(field, _("Give a deadline."))
    if value <= timezone.now():
        _raise(field, _("The deadline must lie in the future."))
    return value


def _item_work(actor, resolution: Resolution, kind: str, title: str, owner: Unit, due_at: datetime, details: dict):
    region = resolution.meeting.body.region
    if kind == ItemKind.CASE:
        intake = case_create(
            actor=actor,
            channel=Channel.WEB,
            title=title,
            text=_("Resolution of %(body)s: %(text)s")
            % {"body": resolution.meeting.body.name, "text": resolution.text},
            region=region,
            is_proactive=True,
        )
        case = intake.case
        if actor.has_perm("cases.dispatch"):
            case = case_dispatch(actor=actor, case=case, unit=owner)
        return {"case": case}
    if kind == ItemKind.TASK:
        task = task_issue(
            actor=actor,
            sender=owner,
            title=title,
            kind=TaskKind.OTHER,
            target_region=region,
            content=resolution.text,
            starts_at=timezone.now(),
            due_at=due_at,
            approval_reason=_("Resolution of %(body)s") % {"body": resolution.meeting.body.name},
        )
        return {"task": task}
    demand = demand_create(
        actor=actor,
        title=title,
        source=DemandSource.RESOLUTION,
        priority=details.get("priority", DemandPriority.BASIC_LIVELIHOOD),
        kind=details.get("resource_kind", ResourceKind.SERVICE),
        quantity=details.get("quantity", 1),
        window_start=timezone.now(),
        window_end=due_at,
        region_id=region.pk,
        requester_id=owner.pk,
        source_reference=f"resolution:{resolution.pk}",
        latitude=details.get("latitude"),
        longitude=details.get("longitude"),
    )
    return {"demand": demand}


@transaction.atomic
def resolution_item_bind(
    *, actor, resolution: Resolution, kind: str, title: str, owner: Unit | None, due_at, **details
) -> ResolutionItem:
    """Turn one part of a resolution into real work with an owner and a deadline: a case (dispatched to the owner
    when the actor may dispatch), a task sent by the owner through the admission gate, or a resource demand of the
    owner. The item's progress is then read from that work, never typed."""
    _require_manager(actor, resolution.meeting.body.region, "resolution")
    if kind not in ItemKind.values:
        _raise("kind", _("Choose a case, a task or a resource demand."))
    title = _text(title, "title", limit=120)
    if owner is None or not owner.is_active:
        _raise("owner", _("Name the unit that owns this work."))
    due_at = _due(due_at)
    work = _item_work(actor, resolution, kind, title, owner, due_at, details)
    item = ResolutionItem.objects.create(
        resolution=resolution,
        kind=kind,
        title=title,
        owner=owner,
        due_at=due_at,
        created_by=actor,
        created_at=timezone.now(),
        **work,
    )
    audit_record(
        actor=actor,
        action="deliberation.item_bind",
        target=item,
        summary={"resolution": resolution.pk, "kind": kind, "work": next(iter(work.values())).pk, "owner": owner.pk},
    )
    return item


def _owner_and_convener(item: ResolutionItem) -> set[int]:
    from fuhe.accounts.models import RoleAssignment

    units = {item.owner_id}
    if item.resolution.meeting.body.convener_id:
        units.add(item.resolution.meeting.body.convener_id)
    return set(RoleAssignment.objects.filter(unit_id__in=units).values_list("user_id", flat=True))


def resolution_items_sweep(*, now: datetime | None = None, warn_within: timedelta = timedelta(hours=24)) -> dict:
    """Like the cases' deadline sweep: warn owners before an unfinished item's deadline and escalate it after —
    the owner, the body's convener and the supervising street office (the owner's parent) are told, the audit log
    records it. Idempotent; run every minute by the background worker."""
    now = now or timezone.now()
    warned = escalated = 0
    pending = items_not_finished().select_related("resolution__meeting__body", "owner")
    for item in pending.filter(warned_at__isnull=True, due_at__gt=now, due_at__lte=now + warn_within):
        with transaction.atomic():
            if not ResolutionItem.objects.filter(pk=item.pk, warned_at__isnull=True).update(warned_at=now):
                continue
            text = platform_text(gettext_noop("Resolution item “%(title)s” is due soon."), title=item.title)
            notify_users(_owner_and_convener(item), case=item.case, text=text)
            audit_record(actor=None, action="deliberation.item_warn", target=item, summary={"due_at": str(item.due_at)})
        warned += 1
    for item in pending.filter(escalated_at__isnull=True, due_at__lte=now):
        with transaction.atomic():
            if not ResolutionItem.objects.filter(pk=item.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            text = platform_text(
                gettext_noop("Overdue resolution item “%(title)s” (%(body)s): escalated for supervision."),
                title=item.title,
                body=item.resolution.meeting.body.name,
            )
            notify_users(_owner_and_convener(item), case=item.case, text=text)
            if item.owner.parent_id:
                notify_unit(item.owner.parent_id, case=item.case, text=text)
            audit_record(
                actor=None,
                action="deliberation.item_escalate",
                target=item,
                summary={
                    "due_at": str(item.due_at),
                    "reason": "超过决议办理时限 / past the resolution item's deadline",
                },
            )
        escalated += 1
    return {"warned": warned, "escalated": escalated}
