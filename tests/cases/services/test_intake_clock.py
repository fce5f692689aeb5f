"""No case waits unseen (issue 14, item 2): the intake (dispatch) clock from receipt, its escalation to the
district, and the district's 兜底 for places without a street dispatcher."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.audit.models import AuditEvent
from fuhe.cases.models import Case, CaseEvent, Notification
from fuhe.cases.selectors import dispatch_queue, dispatch_queue_list
from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.clocks import intake_clocks_start, intake_overdue_escalate
from fuhe.cases.services.intake import case_create
from tests.conftest import PASSWORD

MONDAY_10 = timezone.datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_current_timezone())


def hotline_case(region, **fields):
    values = {"actor": None, "channel": "hotline", "text": "村口路灯坏了一个月", "region": region}
    values.update(fields)
    return case_create(**values).case


@pytest.fixture
def jz_admin(tree):
    """An administrator of 蓟州区: the district that answers for its towns."""
    person = User.objects.create_user(username="jz-admin", password=PASSWORD)
    RoleAssignment.objects.create(user=person, role=Role.ADMINISTRATOR, region=tree.regions["蓟州区"])
    return person


def test_a_village_case_whose_town_has_no_dispatcher_lands_in_the_districts_queue(tree, jz_admin):
    town_dispatcher = tree.people["jz-dispatcher"]
    town_dispatcher.is_active = False  # the town's only dispatcher login is switched off
    town_dispatcher.save()
    case = hotline_case(tree.regions["西关村"])
    queue = {c.pk: c for c in dispatch_queue_list(user=jz_admin)}
    assert queue[case.pk].no_dispatcher_for == "渔阳镇"
    assert case not in dispatch_queue(user=tree.people["admin"])  # another district's administrator


def test_when_a_dispatcher_appears_the_case_is_in_both_queues_until_dispatched(tree):
    case = hotline_case(tree.regions["五大道社区"])  # 小白楼街道 has no dispatcher in the tree
    admin = tree.people["admin"]
    assert [c.no_dispatcher_for for c in dispatch_queue_list(user=admin) if c.pk == case.pk] == ["小白楼街道"]
    assert case not in dispatch_queue(user=tree.people["dispatcher"])  # 劝业场街道's dispatcher

    newcomer = User.objects.create_user(username="xbl-dispatcher", password=PASSWORD)
    RoleAssignment.objects.create(
        user=newcomer,
        role=Role.STREET_DISPATCHER,
        region=tree.regions["小白楼街道"],
        unit=tree.units["小白楼街道办事处"],
    )
    assert case in dispatch_queue(user=newcomer)
    assert [c.no_dispatcher_for for c in dispatch_queue_list(user=admin) if c.pk == case.pk] == [""]
    loop.case_dispatch(actor=newcomer, case=case, unit=tree.units["和平区城管委"])
    assert case not in dispatch_queue(user=newcomer) and case not in dispatch_queue(user=admin)


def test_a_dispatcher_of_one_village_leaves_the_towns_other_villages_to_the_district(tree, jz_admin):
    RoleAssignment.objects.filter(user=tree.people["jz-dispatcher"]).update(region=tree.regions["西关村"])
    covered = hotline_case(tree.regions["西关村第1网格"])
    uncovered = hotline_case(tree.regions["渔阳镇"])  # placed on the town itself
    marks = {c.pk: c.no_dispatcher_for for c in dispatch_queue_list(user=jz_admin)}
    assert marks == {covered.pk: "", uncovered.pk: "渔阳镇"}


def test_the_intake_clock_runs_from_receipt_by_urgency(tree):
    with time_machine.travel(MONDAY_10, tick=False):
        normal = hotline_case(tree.regions["花园路社区"])
        urgent = hotline_case(tree.regions["花园路社区"], urgency="urgent")
        critical = hotline_case(tree.regions["花园路社区"], urgency="critical")
        assert intake_clocks_start() == 3
        assert intake_clocks_start() == 0  # stamped once
    for case in (normal, urgent, critical):
        case.refresh_from_db()
    assert timezone.localtime(normal.intake_due).date().isoformat() == "2026-03-03"  # one working day
    assert urgent.intake_due == MONDAY_10 + timedelta(hours=2)
    assert critical.intake_due == MONDAY_10 + timedelta(hours=1)


def test_a_case_received_on_friday_evening_is_due_on_the_next_working_day(tree):
    friday_evening = MONDAY_10 + timedelta(days=4, hours=9)  # Fri 6 March, 19:00 (Sat 28 Feb was a working day)
    with time_machine.travel(friday_evening, tick=False):
        case = hotline_case(tree.regions["花园路社区"])
        intake_clocks_start()
    case.refresh_from_db()
    assert timezone.localtime(case.intake_due).date().isoformat() == "2026-03-09"


def test_the_intake_clock_goes_overdue_and_escalates_to_the_district_once(tree, jz_admin):
    tree.people["jz-dispatcher"].is_active = False
    tree.people["jz-dispatcher"].save()
    with time_machine.travel(MONDAY_10, tick=False):
        case = hotline_case(tree.regions["西关村"])
        loop.cases_overdue_sweep()
    case.refresh_from_db()
    assert case.intake_due is not None and case.intake_escalated_at is None
    with time_machine.travel(case.intake_due - timedelta(minutes=1), tick=False):
        assert loop.cases_overdue_sweep()["intake_escalated"] == 0
    with time_machine.travel(case.intake_due + timedelta(minutes=1), tick=False):
        result = loop.cases_overdue_sweep()
        assert result["intake_escalated"] == 1
        assert loop.cases_overdue_sweep()["intake_escalated"] == 0  # once
    case.refresh_from_db()
    assert case.intake_escalated_at is not None and case.state == "received"
    event = CaseEvent.objects.get(case=case, action="intake_overdue")
    assert not event.is_public and event.data["no_dispatcher_for"] == "渔阳镇"
    assert AuditEvent.objects.filter(action="case.intake_overdue", object_id=str(case.pk)).count() == 1
    told = Notification.objects.filter(case=case)
    assert [n.recipient for n in told] == [jz_admin]  # the district, not 和平区's administrator
    assert case.tracking_code in told[0].text and "渔阳镇" in told[0].text


def test_several_overdue_cases_make_one_notification_per_person(tree):
    with time_machine.travel(MONDAY_10, tick=False):
        cases = [hotline_case(tree.regions["花园路社区"], urgency="urgent") for _ in range(3)]
    with time_machine.travel(MONDAY_10 + timedelta(hours=3), tick=False):
        result = loop.cases_overdue_sweep()
    assert (result["intake_started"], result["intake_escalated"]) == (3, 3)
    notes = list(Notification.objects.filter(recipient=tree.people["admin"]))
    assert len(notes) == 1 and notes[0].case is None
    assert all(case.tracking_code in notes[0].text for case in cases)
    assert not Notification.objects.filter(recipient=tree.people["dispatcher"]).exists()


def test_dispatch_a_direct_answer_or_a_dismissal_stops_the_intake_clock(tree):
    dispatcher = tree.people["dispatcher"]
    with time_machine.travel(MONDAY_10, tick=False):
        dispatched, answered, dismissed, waiting = (hotline_case(tree.regions["花园路社区"]) for _ in range(4))
        intake_clocks_start()
        loop.case_dispatch(actor=dispatcher, case=dispatched, unit=tree.units["和平区城管委"])
        loop.case_answer_directly(actor=dispatcher, case=answered, text="路灯由供电所维修，已转告。")
        loop.case_transition(actor=dispatcher, case=dismissed, action="flag_unreasonable", reason="重复恶意来电")
        loop.case_transition(actor=dispatcher, case=dismissed, action="dismiss", reason="经核实为恶意诉求")
    with time_machine.travel(MONDAY_10 + timedelta(days=5), tick=False):
        assert intake_overdue_escalate(now=timezone.now()) == 1
    assert set(Case.objects.filter(intake_escalated_at__isnull=False).values_list("pk", flat=True)) == {waiting.pk}


def test_a_case_under_review_keeps_its_intake_clock(tree):
    with time_machine.travel(MONDAY_10, tick=False):
        case = hotline_case(tree.regions["花园路社区"])
        loop.case_transition(
            actor=tree.people["dispatcher"], case=case, action="flag_unreasonable", reason="疑似重复来电"
        )
    with time_machine.travel(MONDAY_10 + timedelta(days=5), tick=False):
        assert loop.cases_overdue_sweep()["intake_escalated"] == 1


def test_nobody_above_the_case_means_the_superusers_hear_of_it(tree):
    root = User.objects.create_superuser(username="root", password=PASSWORD)
    with time_machine.travel(MONDAY_10, tick=False):
        case = hotline_case(tree.regions["西关村"], urgency="critical")  # 蓟州区 has no administrator here
    with time_machine.travel(MONDAY_10 + timedelta(hours=2), tick=False):
        loop.cases_overdue_sweep()
    assert [n.recipient for n in Notification.objects.filter(case=case)] == [root]
