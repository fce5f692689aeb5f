"""The gate guides the sender: the answer before sending (nothing written), the earliest start that gives the
notice, a refused request edited and sent again as a linked version, the approving body notified of a pending
decision, and a late after-the-fact filing marked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fuhe.audit.models import AuditEvent
from fuhe.burden import services
from fuhe.burden.forms import START_OF_DAY, at_local
from fuhe.burden.models import AdmissionDecision, Task, TaskStatus
from fuhe.burden.reports import audit_report
from fuhe.burden.selectors import earliest_admissible_start, late_filing_list, task_versions
from fuhe.cases.models import Notification
from fuhe.cases.services.clocks import work_calendar
from tests.burden.conftest import MONDAY
from tests.burden.services.issuing import issue, target_of

pytestmark = pytest.mark.django_db

REASON = "防汛隐患排查需要社区协助"


def check(tree, **extra):
    options = {
        "target_region": tree.regions["劝业场街道"],
        "kind": "inspection",
        "starts_at": MONDAY,
        "now": MONDAY,
    }
    options.update(extra)
    return services.task_admission_check(**options)


def start_on(day):
    return at_local(day, START_OF_DAY)


def test_the_earliest_start_gives_exactly_the_notice(burden):
    earliest = earliest_admissible_start(region_id=burden.regions["劝业场街道"].pk, now=MONDAY)
    calendar = work_calendar()
    assert calendar.working_days_between(MONDAY.date(), earliest) == 30
    assert calendar.working_days_between(MONDAY.date(), earliest - timedelta(days=1)) < 30
    assert check(burden, approval_reason=REASON, starts_at=start_on(earliest)).decision.outcome == "pending_approval"
    day_before = earliest - timedelta(days=1)
    assert check(burden, approval_reason=REASON, starts_at=start_on(day_before)).decision.rule == "late_application"


@pytest.mark.parametrize(
    ("extra", "outcome", "rule"),
    [
        ({"duty_item_code": "SQ-02"}, "admitted", "owned"),
        ({"duty_item_code": "SQ-03"}, "refused", "excluded"),
        ({"duty_item_code": "LD-04"}, "refused", "assists_incomplete"),
        (
            {"duty_item_code": "LD-04", "lead_unit_name": "区人社局", "resources": "经费2万元"},
            "admitted_assisting",
            "assists",
        ),
        ({}, "refused", "unlisted_no_application"),
        ({"approval_reason": REASON}, "refused", "late_application"),
        ({"approval_reason": REASON, "starts_at": MONDAY + timedelta(days=70)}, "pending_approval", "needs_approval"),
        ({"duty_item_code": "SQ-02", "evidence": ["online_time"]}, "refused", "forbidden_demand"),
    ],
)
def test_the_check_before_sending_answers_as_the_gate_will_and_writes_nothing(burden, extra, outcome, rule):
    answer = check(burden, **extra)
    assert (answer.decision.outcome, answer.decision.rule) == (outcome, rule)
    assert answer.decision.reason_text
    assert not Task.objects.exists() and not AuditEvent.objects.filter(action__startswith="burden.").exists()
    options = {k: v for k, v in extra.items() if k != "duty_item_code"}
    if "starts_at" in options:
        options["due_at"] = options["starts_at"]
    issued = issue(burden, extra.get("duty_item_code", ""), **options)
    assert (issued.status, issued.decision_rule) == (outcome, rule)  # the same table decides both


def test_the_check_names_the_earliest_start(burden):
    answer = check(burden, approval_reason=REASON)
    assert answer.is_too_late and answer.application_period_days == 30
    assert answer.earliest_start == earliest_admissible_start(region_id=burden.regions["劝业场街道"].pk, now=MONDAY)


def late_refusal(tree):
    task = issue(tree, "", title="防汛隐患排查", approval_reason=REASON)
    assert (task.status, task.decision_rule) == (TaskStatus.REFUSED, "late_application")
    return task


def test_a_refused_request_is_edited_and_sent_again_as_a_linked_version(burden):
    first = late_refusal(burden)
    later = MONDAY + timedelta(days=70)
    second = issue(
        burden, "", title="防汛隐患排查", approval_reason=REASON, previous=first, starts_at=later, due_at=later
    )
    assert second.previous == first and second.status == TaskStatus.PENDING_APPROVAL
    first.refresh_from_db()
    assert first.status == TaskStatus.REFUSED  # the history is kept
    assert list(AdmissionDecision.objects.filter(task=first).values_list("outcome", flat=True)) == ["refused"]
    assert AuditEvent.objects.get(action="burden.task_issue", object_id=str(second.pk)).summary["previous"] == first.pk
    handler = burden.people["handler"]
    assert task_versions(user=handler, task=first) == [first, second]
    assert task_versions(user=handler, task=second) == [first, second]
    with pytest.raises(services.BurdenError, match="已修改并重新提交过"):
        issue(burden, "", approval_reason=REASON, previous=first, starts_at=later, due_at=later)


def test_only_a_refused_request_of_the_same_sender_is_sent_again(burden):
    admitted = issue(burden, "SQ-02")
    with pytest.raises(services.BurdenError) as refused:
        issue(burden, "SQ-02", previous=admitted)
    assert "previous" in refused.value.message_dict
    first = late_refusal(burden)
    with pytest.raises(services.BurdenError) as other:
        issue(burden, "SQ-02", previous=first, sender=burden.units["劝业场街道办事处"], check_sender=False)
    assert "sender" in other.value.message_dict
    assert Task.objects.count() == 2


def test_a_pending_request_notifies_the_approving_body(burden):
    later = MONDAY + timedelta(days=70)
    task = issue(burden, "", title="防汛隐患排查", approval_reason=REASON, starts_at=later, due_at=later)
    assert task.status == TaskStatus.PENDING_APPROVAL
    notes = Notification.objects.filter(recipient=burden.people["office"])
    assert notes.count() == 1
    note = notes.get()
    assert "防汛隐患排查" in note.text and f"{task.decision_due.astimezone(MONDAY.tzinfo):%Y-%m-%d}" in note.text
    assert not Notification.objects.exclude(recipient=burden.people["office"]).exists()


def test_admitted_and_refused_requests_notify_nobody(burden):
    issue(burden, "SQ-02")
    issue(burden, "SQ-03")
    late_refusal(burden)
    assert not Notification.objects.exists()


def test_an_empty_decision_reason_is_refused_with_a_field_message(burden):
    later = MONDAY + timedelta(days=70)
    task = issue(burden, "", approval_reason=REASON, starts_at=later, due_at=later)
    with pytest.raises(services.BurdenError) as refused:
        services.task_decide(actor=burden.people["office"], task=task, approve=True, reason="   ")
    assert refused.value.message_dict == {"reason": ["审批决定须附书面理由。"]}


def declared(tree):
    task = issue(tree, "CJ-05", title="危房紧急排查")
    target = target_of(task, tree)
    return services.bypass_declare(
        actor=tree.people["community"], target=target, emergency="暴雨红色预警", now=MONDAY + timedelta(hours=1)
    )


def test_a_filing_after_its_deadline_is_marked_late_and_published(burden):
    bypass = declared(burden)
    filed = services.bypass_file(
        actor=burden.people["community"],
        bypass=bypass,
        explanation="先行排查",
        now=bypass.filing_due + timedelta(hours=1),
    )
    assert filed.filed_late
    assert AuditEvent.objects.get(action="burden.bypass_file").summary["late"] is True
    assert late_filing_list(user=burden.people["handler"]) == [filed]  # the sender sees it with the counts
    assert late_filing_list(user=burden.people["resident"]) == []
    report = audit_report(region=burden.regions["和平区"], first=MONDAY.date(), last=MONDAY.date() + timedelta(days=6))
    assert report.bypasses["late"] == 1


def test_a_filing_on_time_is_not_late(burden):
    bypass = declared(burden)
    filed = services.bypass_file(
        actor=burden.people["community"], bypass=bypass, explanation="先行排查", now=bypass.filing_due
    )
    assert not filed.filed_late
    assert late_filing_list(user=burden.people["handler"]) == []
