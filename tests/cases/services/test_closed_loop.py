"""The whole loop through the services: intake → dispatch → accept → summons → reply → rating → close."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fuhe.audit.services import audit_verify
from fuhe.cases.core.lifecycle import IllegalTransition
from fuhe.cases.models import Case, Notification, ReportIn
from fuhe.cases.selectors import case_actions, case_list, dispatch_queue
from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.intake import IdempotencyConflictError, case_create, case_verify_access
from fuhe.cases.services.summons import summons_release, summons_report_in, summons_whistle

pytestmark = pytest.mark.django_db


def test_intake_resolves_the_community_from_the_address_and_queues_it(tree, new_case):
    case = new_case()
    assert case.region == tree.regions["花园路社区"] and case.state == "received"
    assert case.reporter == tree.people["resident"]
    assert case in dispatch_queue(user=tree.people["dispatcher"])
    assert case not in case_list(user=tree.people["jz-dispatcher"])
    assert case not in case_list(user=tree.people["handler"])  # not its work until dispatched
    assert {"dispatch", "answer_directly", "merge"} <= set(case_actions(user=tree.people["dispatcher"], case=case))
    assert case_actions(user=tree.people["resident"], case=case) == []


def test_whole_loop_with_summons_closes_only_when_every_department_reported(tree, housing, new_case):
    case = new_case()
    dispatcher, handler = tree.people["dispatcher"], tree.people["handler"]
    case = loop.case_dispatch(actor=dispatcher, case=case, unit=tree.units["和平区城管委"])
    assert case.state == "dispatched" and case.resolution_due > case.dispatched_at
    assert Notification.objects.filter(recipient=handler, case=case).exists()
    case = loop.case_transition(actor=handler, case=case, action="accept")
    assert case.accepted_on_time is True
    summons = summons_whistle(
        actor=dispatcher,
        case=case,
        departments=[tree.units["和平区城管委"], housing],
        reason="井盖权属不清，需城管和住建共同到场",
    )
    case = loop.case_transition(actor=handler, case=case, action="start")
    with pytest.raises(IllegalTransition, match="2 summoned department"):
        loop.case_reply(actor=handler, case=case, outcome="resolved", text="已补装井盖")
    first, second = ReportIn.objects.filter(summons=summons).order_by("pk")
    with pytest.raises(PermissionDenied):
        summons_report_in(actor=handler, report_in=second, note="不是我")
    summons_report_in(actor=handler, report_in=first, note="城管到场设置围挡")
    summons_report_in(actor=tree.people["housing"], report_in=second, note="住建确认权属并补装")
    case = loop.case_reply(actor=handler, case=case, outcome="resolved", text="已补装井盖")
    assert case.state == "replied" and case.replied_on_time is True
    case = loop.case_rate(actor=None, case=case, resolved=True, satisfied=True)
    assert case.state == "closed" and case.closed_at is not None
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        "receive",
        "dispatch",
        "accept",
        "whistle",
        "start",
        "report_in",
        "report_in",
        "reply",
        "rate",
        "close",
    ]
    assert audit_verify()[1] == []


def test_release_lets_the_case_close_and_needs_a_reason(tree, housing, new_case):
    case = loop.case_dispatch(actor=tree.people["dispatcher"], case=new_case(), unit=tree.units["和平区城管委"])
    summons = summons_whistle(actor=tree.people["dispatcher"], case=case, departments=[housing], reason="协同")
    report_in = summons.report_ins.get()
    with pytest.raises(ValidationError):
        summons_release(actor=tree.people["dispatcher"], report_in=report_in, reason=" ")
    summons_release(actor=tree.people["dispatcher"], report_in=report_in, reason="住建无需到场")
    case = loop.case_transition(actor=tree.people["handler"], case=case, action="accept")
    case = loop.case_transition(actor=tree.people["handler"], case=case, action="start")
    assert loop.case_reply(actor=tree.people["handler"], case=case, outcome="resolved", text="好了").state == "replied"


def test_unsatisfied_rating_reopens_once_then_closes(tree, new_case):
    handler = tree.people["handler"]
    case = loop.case_dispatch(actor=tree.people["dispatcher"], case=new_case(), unit=tree.units["和平区城管委"])
    for expected_state in ("reopened", "closed"):
        if case.state == "reopened":
            case = loop.case_transition(actor=handler, case=case, action="start")
        else:
            case = loop.case_transition(actor=handler, case=case, action="accept")
            case = loop.case_transition(actor=handler, case=case, action="start")
        case = loop.case_reply(actor=handler, case=case, outcome="resolved", text="已处理")
        case = loop.case_rate(actor=None, case=case, resolved=False, satisfied=False, reasons=["not_resolved"])
        assert case.state == expected_state
    assert case.reopen_count == 1 and case.rating_satisfied is False
    # the system's reason is written once, in the platform's language, like its notifications (it was "中文 / English")
    assert case.events.get(action="reopen").reason == "诉求人评价不满意"


def test_return_needs_a_reason_and_every_hop_is_counted(tree, new_case):
    handler, dispatcher = tree.people["handler"], tree.people["dispatcher"]
    case = loop.case_dispatch(actor=dispatcher, case=new_case(), unit=tree.units["和平区城管委"])
    with pytest.raises(IllegalTransition, match="reason"):
        loop.case_return(actor=handler, case=case, reason="  ")
    case = loop.case_return(actor=handler, case=case, reason="不属于城管职责，应由物业处理")
    assert (case.state, case.hop_count, case.return_count) == ("returned", 1, 1)
    assert case in dispatch_queue(user=dispatcher)
    case = loop.case_reassign(actor=dispatcher, case=case, unit=tree.units["花园路社区居委会"], reason="转社区协调物业")
    assert (case.state, case.hop_count, case.owner_unit) == ("dispatched", 2, tree.units["花园路社区居委会"])
    assert case in case_list(user=tree.people["community"])


def test_roles_cannot_act_outside_their_part(tree, new_case):
    case = new_case()
    with pytest.raises(PermissionDenied):
        loop.case_dispatch(actor=tree.people["resident"], case=case, unit=tree.units["和平区城管委"])
    with pytest.raises(PermissionDenied):
        loop.case_dispatch(actor=tree.people["jz-dispatcher"], case=case, unit=tree.units["和平区城管委"])
    case = loop.case_dispatch(actor=tree.people["dispatcher"], case=case, unit=tree.units["和平区城管委"])
    with pytest.raises(PermissionDenied):
        loop.case_transition(actor=tree.people["community"], case=case, action="accept")
    assert Case.objects.get(pk=case.pk).state == "dispatched"


def test_timer_warns_before_and_escalates_after_the_deadline(tree, new_case):
    with time_machine.travel(timezone.datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_current_timezone()), tick=False):
        case = loop.case_dispatch(actor=tree.people["dispatcher"], case=new_case(), unit=tree.units["和平区城管委"])
        due = case.resolution_due
    assert timezone.localtime(due).date().isoformat() == "2026-03-09"  # 5 working days after Mon 2 March
    with time_machine.travel(due - timedelta(hours=2), tick=False):
        assert loop.cases_overdue_sweep() == {"warned": 1, "escalated": 0, "intake_started": 0, "intake_escalated": 0}
        assert loop.cases_overdue_sweep() == {"warned": 0, "escalated": 0, "intake_started": 0, "intake_escalated": 0}
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        assert loop.cases_overdue_sweep() == {"warned": 0, "escalated": 1, "intake_started": 0, "intake_escalated": 0}
    case.refresh_from_db()
    assert case.state == "escalated" and case.was_escalated
    assert case.events.get(action="escalate").reason == "超过办理时限"
    assert Notification.objects.filter(case=case, text=f"工单 {case.tracking_code} 即将到期").count() == 1
    assert case in dispatch_queue(user=tree.people["dispatcher"])


def test_retried_submission_does_not_duplicate(tree):
    fields = {"actor": None, "channel": "web", "text": "路灯不亮", "address": "新华社区", "idempotency_key": "k-1"}
    first = case_create(**fields)
    again = case_create(**fields)
    assert first.created and not again.created and first.case.pk == again.case.pk
    assert Case.objects.count() == 1
    with pytest.raises(IdempotencyConflictError):
        case_create(**{**fields, "text": "路灯还是不亮"})


def test_intake_validation_names_fields(tree):
    with pytest.raises(ValidationError) as caught:
        case_create(actor=None, channel="web", text="", address="", latitude=95, longitude=None)
    assert {"text", "where", "latitude"} <= set(caught.value.message_dict)


def test_tracking_access_by_token_or_last_four_digits(tree):
    intake = case_create(
        actor=None, channel="web", text="垃圾未清运", address="五大道社区", reporter_phone="13900001234"
    )
    assert intake.case.region == tree.regions["五大道社区"]
    assert case_verify_access(case=intake.case, token=intake.access_token)
    assert case_verify_access(case=intake.case, phone_last4="1234")
    assert not case_verify_access(case=intake.case, token="guess", phone_last4="0000")


def test_the_background_worker_runs_the_sweep(tree, new_case, settings):
    from fuhe.cases.tasks import sweep_deadlines

    case = loop.case_dispatch(actor=tree.people["dispatcher"], case=new_case(), unit=tree.units["和平区城管委"])
    with time_machine.travel(case.resolution_due + timedelta(hours=1), tick=False):
        assert sweep_deadlines.call_local() == {
            "warned": 0,
            "escalated": 1,
            "intake_started": 0,
            "intake_escalated": 0,
            "closed_unrated": 0,
        }


def test_a_step_updates_only_the_columns_it_changed(tree, new_case):
    """An UPDATE of every column rewrote every index entry of the row (tracking code, category, reporter …) and
    serialised the text and routing note again at every step; the step's own columns are all it writes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = new_case()
    with CaptureQueriesContext(connection) as queries:
        case = loop.case_dispatch(actor=tree.people["dispatcher"], case=case, unit=tree.units["和平区城管委"])
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "cases_case"')]
    assert len(updates) == 1
    assert all(
        f'"{column}"' in updates[0]
        for column in ("state", "owner_unit_id", "dispatched_at", "acceptance_due", "resolution_due")
    )
    assert not any(f'"{column}"' in updates[0] for column in ("text", "tracking_code", "routing", "reporter_phone"))
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.owner_unit) == ("dispatched", tree.units["和平区城管委"])
    assert stored.resolution_due == case.resolution_due and stored.text == case.text
    with CaptureQueriesContext(connection) as queries:
        case = loop.case_transition(actor=tree.people["handler"], case=case, action="accept")
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "cases_case"')]
    assert len(updates) == 1 and '"owner_unit_id"' not in updates[0] and '"accepted_at"' in updates[0]
    assert Case.objects.get(pk=case.pk).accepted_on_time is True
    case = loop.case_transition(actor=tree.people["handler"], case=case, action="return", reason="不属于本单位职责")
    assert Case.objects.get(pk=case.pk).return_count == case.return_count == 1  # counters raised in the database


def test_an_extension_into_a_year_without_a_published_schedule_makes_the_deadline_provisional(tree, new_case):
    """2027's holidays are computed, not published: a deadline extended into 2027 says so (it did not before)."""
    from fuhe.cases.core.lifecycle import Action

    moment = timezone.datetime(2026, 12, 14, 10, 0, tzinfo=timezone.get_current_timezone())
    handler, dispatcher = tree.people["handler"], tree.people["dispatcher"]
    with time_machine.travel(moment, tick=False):
        case = loop.case_dispatch(actor=dispatcher, case=new_case(), unit=tree.units["和平区城管委"])
        assert case.resolution_due.year == 2026 and not case.deadline_uses_fallback
        for action in (Action.ACCEPT, Action.START):
            case = loop.case_transition(actor=handler, case=case, action=action)
        case = loop.case_request_extension(actor=handler, case=case, days=15, reason="需协调产权单位")
        case = loop.case_grant_extension(actor=dispatcher, case=case)
    case.refresh_from_db()
    assert case.resolution_due.year == 2027 and case.deadline_uses_fallback


def test_an_unsatisfied_rating_stands_while_the_case_is_reworked(tree, new_case):
    """docs/metrics.md: during rework after a reopen the negative rating counts until the resident rates again
    (the reopen used to clear it, so dissatisfaction left 满意率 while the case was being reworked)."""
    from fuhe.cases.metrics import case_rates

    handler, dispatcher = tree.people["handler"], tree.people["dispatcher"]
    case = loop.case_dispatch(actor=dispatcher, case=new_case(), unit=tree.units["和平区城管委"])
    for action in ("accept", "start"):
        case = loop.case_transition(actor=handler, case=case, action=action)
    case = loop.case_reply(actor=handler, case=case, outcome="resolved", text="已修复")
    case = loop.case_rate(actor=None, case=case, resolved=False, satisfied=False, reasons=["not_resolved"])
    case.refresh_from_db()
    assert case.state == "reopened" and (case.rating_resolved, case.rating_satisfied) == (False, False)
    rates = case_rates(Case.objects.filter(pk=case.pk))
    assert (rates.rates["satisfaction"].numerator, rates.rates["satisfaction"].denominator) == (0, 1)
    case = loop.case_transition(actor=handler, case=case, action="start")
    case = loop.case_reply(actor=handler, case=case, outcome="resolved", text="已彻底修复")
    case = loop.case_rate(actor=None, case=case, resolved=True, satisfied=True)
    case.refresh_from_db()
    assert case.state == "closed" and (case.rating_resolved, case.rating_satisfied) == (True, True)
