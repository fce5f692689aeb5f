"""Resolutions bind work: a case, a task through the gate, a resource demand; progress derived; overdue escalates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.audit.models import AuditEvent
from fuhe.burden.models import Task
from fuhe.cases.core.lifecycle import Action, State
from fuhe.cases.models import Notification
from fuhe.cases.services.lifecycle import case_transition
from fuhe.deliberation import services
from fuhe.deliberation.core.progress import Progress
from fuhe.deliberation.models import ItemKind, ResolutionItem
from fuhe.deliberation.selectors import resolution_items, resolution_progress
from fuhe.deliberation.services import DeliberationError
from fuhe.resources.models import Demand, DemandSource


@pytest.fixture
def resolution(tree, meeting, residents):
    services.attendance_record(actor=tree.people["community"], meeting=meeting, people=residents[:4])
    return services.resolution_adopt(
        actor=tree.people["community"],
        meeting=meeting,
        agenda_item=meeting.agenda.get(),
        text="两周内清理3号楼楼道堆物",
        in_favour=4,
        against=0,
        abstaining=0,
    )


def close_case(case):
    for action, data in (
        (Action.ACCEPT, {}),
        (Action.START, {}),
        (Action.REPLY, {"outcome": "resolved"}),
        (Action.RATE, {}),
        (Action.CLOSE, {}),
    ):
        case = case_transition(actor=None, case=case, action=action, check_permission=False, event_data=data)
    return case


def test_a_case_item_is_dispatched_to_its_owner_and_done_when_the_case_closes(tree, resolution):
    item = services.resolution_item_bind(
        actor=tree.people["dispatcher"],
        resolution=resolution,
        kind=ItemKind.CASE,
        title="清理3号楼楼道",
        owner=tree.units["花园路社区居委会"],
        due_at=timezone.now() + timedelta(days=14),
    )
    assert item.case.state == State.DISPATCHED
    assert item.case.owner_unit == tree.units["花园路社区居委会"]
    assert resolution_progress(resolution=resolution) == Progress.IN_PROGRESS
    close_case(item.case)
    resolution.refresh_from_db()
    assert resolution_progress(resolution=resolution) == Progress.DONE
    assert AuditEvent.objects.filter(action="deliberation.item_bind").count() == 1


def test_a_task_item_goes_through_the_admission_gate(tree, resolution):
    item = services.resolution_item_bind(
        actor=tree.people["dispatcher"],
        resolution=resolution,
        kind=ItemKind.TASK,
        title="组织楼道清理",
        owner=tree.units["劝业场街道办事处"],
        due_at=timezone.now() + timedelta(days=20),
    )
    task = Task.objects.get(pk=item.task_id)
    assert task.decision_rule  # the gate decided
    progress = resolution_items(resolution=resolution)[0]
    assert progress.status == Progress.IN_PROGRESS
    assert progress.is_blocked == (not task.reaches_units)


def test_a_task_sent_for_a_unit_the_actor_does_not_act_for_is_refused_and_nothing_written(tree, resolution):
    with pytest.raises(Exception):  # noqa: B017,PT011 — burden's own refusal (the sender check)
        services.resolution_item_bind(
            actor=tree.people["community"],
            resolution=resolution,
            kind=ItemKind.TASK,
            title="x",
            owner=tree.units["劝业场街道办事处"],
            due_at=timezone.now() + timedelta(days=20),
        )
    assert not ResolutionItem.objects.exists()
    assert not Task.objects.exists()


def test_a_demand_item_is_raised_as_a_resolution_demand(tree, resolution):
    item = services.resolution_item_bind(
        actor=tree.people["community"],
        resolution=resolution,
        kind=ItemKind.DEMAND,
        title="清运车辆一台",
        owner=tree.units["花园路社区居委会"],
        due_at=timezone.now() + timedelta(days=7),
        resource_kind="vehicle",
        latitude="39.118",
        longitude="117.196",
    )
    demand = Demand.objects.get(pk=item.demand_id)
    assert demand.source == DemandSource.RESOLUTION
    assert demand.source_reference == f"resolution:{resolution.pk}"


def test_a_deadline_in_the_past_is_refused(tree, resolution):
    with pytest.raises(DeliberationError) as error:
        services.resolution_item_bind(
            actor=tree.people["dispatcher"],
            resolution=resolution,
            kind=ItemKind.CASE,
            title="x",
            owner=tree.units["花园路社区居委会"],
            due_at=timezone.now() - timedelta(days=1),
        )
    assert "due_at" in error.value.message_dict


def test_an_overdue_item_escalates_once_and_a_done_one_never(tree, resolution):
    now = timezone.now()
    late = services.resolution_item_bind(
        actor=tree.people["dispatcher"],
        resolution=resolution,
        kind=ItemKind.CASE,
        title="迟办",
        owner=tree.units["花园路社区居委会"],
        due_at=now + timedelta(days=1),
    )
    done = services.resolution_item_bind(
        actor=tree.people["dispatcher"],
        resolution=resolution,
        kind=ItemKind.CASE,
        title="已办",
        owner=tree.units["花园路社区居委会"],
        due_at=now + timedelta(days=1),
    )
    close_case(done.case)
    later = now + timedelta(days=2)
    assert resolution_progress(resolution=resolution, now=later) == Progress.OVERDUE
    assert services.resolution_items_sweep(now=later) == {"warned": 0, "escalated": 1}
    assert services.resolution_items_sweep(now=later) == {"warned": 0, "escalated": 0}
    late.refresh_from_db()
    done.refresh_from_db()
    assert late.escalated_at == later and done.escalated_at is None
    assert Notification.objects.filter(text__contains="迟办").exists()
    assert AuditEvent.objects.filter(action="deliberation.item_escalate").count() == 1


def test_an_item_is_warned_before_its_deadline(tree, resolution):
    now = timezone.now()
    services.resolution_item_bind(
        actor=tree.people["dispatcher"],
        resolution=resolution,
        kind=ItemKind.CASE,
        title="将到期",
        owner=tree.units["花园路社区居委会"],
        due_at=now + timedelta(days=1),
    )
    assert services.resolution_items_sweep(now=now + timedelta(hours=2))["warned"] == 1
