"""The gate through ``task_issue`` and the approving body's ``task_decide``: permissions, written reasons,
audit rows, and the flags a task raises on the way in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from fuhe.audit.models import AuditEvent
from fuhe.burden import services
from fuhe.burden.models import AdmissionDecision, BurdenPolicy, HiddenAssessmentFlag, TaskStatus
from fuhe.burden.rules import can_decide
from fuhe.burden.services import FieldSpec
from tests.burden.conftest import MONDAY
from tests.burden.services.issuing import issue

pytestmark = pytest.mark.django_db

LATER = MONDAY + timedelta(days=70)  # 30+ working days after MONDAY


def pending(tree, **extra):
    options = {"approval_reason": "防汛隐患排查需要社区协助", "starts_at": LATER, "due_at": LATER + timedelta(days=14)}
    options.update(extra)
    task = issue(tree, "", **options)
    assert task.status == TaskStatus.PENDING_APPROVAL
    return task


def test_a_forbidden_demand_in_the_words_is_refused_even_for_an_owned_matter(burden):
    task = issue(burden, "SQ-02", content="请网格员每日巡查并在APP打卡签到。")
    assert (task.status, task.decision_rule) == (TaskStatus.REFUSED, "forbidden_demand")
    assert "check_in" in task.decision_reason
    assert task.decided_at == MONDAY and task.decision_due is None
    assert set(task.flags.values_list("rule", flat=True)) >= {"forbidden_metric"}


def test_a_banned_item_is_refused_even_with_a_lead_resources_and_a_reason(burden):
    task = issue(
        burden,
        "SQ-03",
        lead_unit_name="区公安分局",
        resources="经费",
        approval_reason="群众需要",
        starts_at=LATER,
        due_at=LATER + timedelta(days=5),
    )
    assert (task.status, task.decision_rule) == (TaskStatus.REFUSED, "excluded")
    assert "禁入" in task.decision_reason


def test_an_assisting_matter_without_resources_is_refused_with_the_reason(burden):
    task = issue(burden, "LD-04", lead_unit_name="和平区人社局", resources="   ")
    assert (task.status, task.decision_rule) == (TaskStatus.REFUSED, "assists_incomplete")
    assert "resources" in task.decision_reason and "lead unit" not in task.decision_reason
    decision = AdmissionDecision.objects.get(task=task)
    assert (decision.outcome, decision.rule, decision.reason) == ("refused", "assists_incomplete", task.decision_reason)


def test_a_late_application_is_refused_and_one_on_time_waits(burden):
    # 2026-03-02 → 2026-04-11: 28 working days (清明 takes Monday 6 April), short of the policy's 30
    late = issue(
        burden, "", approval_reason="需要", starts_at=MONDAY + timedelta(days=40), due_at=MONDAY + timedelta(days=50)
    )
    assert (late.status, late.decision_rule) == (TaskStatus.REFUSED, "late_application")
    assert "28 working days" in late.decision_reason
    on_time = pending(burden)
    assert on_time.decided_at is None and on_time.decision_due > MONDAY + timedelta(days=14)


def test_only_the_approving_body_or_an_administrator_decides(burden):
    task = pending(burden)
    for name in ("handler", "community", "leader", "dispatcher", "jz-dispatcher"):
        assert not can_decide(burden.people[name], task), name
        with pytest.raises(PermissionDenied):
            services.task_decide(actor=burden.people[name], task=task, approve=True, reason="同意")
    assert can_decide(burden.people["office"], task)
    assert can_decide(burden.people["admin"], task)
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING_APPROVAL and task.decisions.count() == 1


def test_a_decision_needs_a_written_reason(burden):
    task = pending(burden)
    with pytest.raises(services.BurdenError) as error:
        services.task_decide(actor=burden.people["office"], task=task, approve=False, reason="  \n ")
    assert "reason" in error.value.message_dict
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING_APPROVAL
    assert not AuditEvent.objects.filter(action="burden.task_decide").exists()


def test_a_refusal_is_recorded_with_its_reason_and_audited(burden):
    task = pending(burden)
    now = MONDAY + timedelta(days=2)
    services.task_decide(actor=burden.people["office"], task=task, approve=False, reason=" 不属于社区职责 ", now=now)
    task.refresh_from_db()
    assert (task.status, task.decision_rule, task.decision_reason) == (
        TaskStatus.REFUSED,
        "approval_refused",
        "不属于社区职责",
    )
    assert task.decided_at == now
    last = task.decisions.last()
    assert (last.outcome, last.decided_by, last.reason) == ("refused", burden.people["office"], "不属于社区职责")
    event = AuditEvent.objects.get(action="burden.task_decide", object_id=str(task.pk))
    assert event.actor_id == burden.people["office"].pk
    assert event.summary == {"status": "refused", "late": False}


def test_a_late_decision_is_marked_late_in_the_audit(burden):
    task = pending(burden)
    services.task_decide(
        actor=burden.people["admin"], task=task, approve=True, reason="同意", now=task.decision_due + timedelta(hours=1)
    )
    assert AuditEvent.objects.get(action="burden.task_decide").summary["late"] is True


def test_a_task_the_gate_decided_cannot_be_decided_again(burden):
    task = issue(burden, "SQ-02")
    with pytest.raises(services.BurdenError):
        services.task_decide(actor=burden.people["office"], task=task, approve=False, reason="撤回")
    task.refresh_from_db()
    assert task.status == TaskStatus.ADMITTED


def test_the_sender_must_act_for_the_sending_unit(burden):
    with pytest.raises(PermissionDenied):
        issue(burden, "SQ-02", actor=burden.people["community"])
    with pytest.raises(PermissionDenied):
        issue(burden, "SQ-02", sender=burden.units["蓟州区城管委"])


def test_flags_are_stored_per_rule_with_the_sender(burden):
    task = issue(
        burden,
        "SQ-02",
        kind="form",
        title="老年人情况摸底",
        content="附走访照片，按月通报排名。",
        due_at=MONDAY + timedelta(days=1),
        recurrence="daily",
        recurrence_until=MONDAY.date() + timedelta(days=10),
        fields=[FieldSpec("独居老人"), FieldSpec("已签约人数")],
    )
    rules = set(task.flags.values_list("rule", flat=True))
    assert rules == {"trace_evidence", "ranking", "duplicate_collection", "short_deadline", "frequent_recurrence"}
    assert set(HiddenAssessmentFlag.objects.values_list("sender_id", flat=True)) == {task.sender_id}
    audit = AuditEvent.objects.get(action="burden.task_issue", object_id=str(task.pk))
    assert set(audit.summary["flags"]) == rules


def test_the_same_survey_from_a_second_department_is_flagged(burden):
    content = "请各社区对辖区独居老人逐户走访摸排，登记基本信息和生活状况。"
    first = issue(burden, "SQ-02", title="独居老人摸排", content=content)
    same_sender = issue(burden, "SQ-02", title="独居老人摸排", content=content, now=MONDAY + timedelta(hours=1))
    second = issue(
        burden,
        "SQ-02",
        title="独居老人摸排",
        content=content,
        actor=None,
        sender=burden.units["劝业场街道办事处"],
        now=MONDAY + timedelta(hours=2),
    )
    assert not first.flags.exists() and not same_sender.flags.exists()
    flag = second.flags.get()
    assert flag.rule == "same_content" and set(flag.detail["tasks"]) == {first.pk, same_sender.pk}
    # the same words to the communities of another street do not count
    elsewhere = issue(
        burden,
        "SQ-02",
        title="独居老人摸排",
        content=content,
        actor=None,
        sender=burden.units["小白楼街道办事处"],
        target_region=burden.regions["小白楼街道"],
    )
    assert not elsewhere.flags.filter(rule="same_content").exists()


def test_the_districts_policy_sets_the_thresholds_and_periods(burden):
    BurdenPolicy.objects.filter(region=burden.regions["和平区"]).update(
        min_working_days=10, min_interval_days=30, application_period_days=5, decision_period_days=2
    )
    soon = MONDAY + timedelta(days=14)  # 10 working days ahead
    task = issue(
        burden,
        "",
        approval_reason="防汛需要",
        starts_at=soon,
        due_at=soon + timedelta(days=9),
        recurrence="weekly",
        recurrence_until=soon.date() + timedelta(days=21),
    )
    assert task.status == TaskStatus.PENDING_APPROVAL
    assert task.decision_due.date() == (MONDAY + timedelta(days=2)).date()
    assert set(task.flags.values_list("rule", flat=True)) == {"short_deadline", "frequent_recurrence"}


def test_a_recurring_task_cannot_end_before_it_starts(burden):
    with pytest.raises(services.BurdenError) as error:
        issue(burden, "SQ-02", recurrence="weekly", recurrence_until=MONDAY.date() - timedelta(days=1))
    assert "recurrence_until" in error.value.message_dict
    with pytest.raises(services.BurdenError):
        issue(burden, "SQ-02", recurrence="weekly")
    with pytest.raises(services.BurdenError):
        issue(burden, "SQ-02", due_at=MONDAY - timedelta(hours=1))
