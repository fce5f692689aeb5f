"""The registry end to end at the service layer: gate outcomes, approval, forms with prefill, effort, bypass."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from fuhe.audit.models import AuditEvent
from fuhe.burden import services
from fuhe.burden.models import DataValue, EmergencyBypass, Task, TaskStatus
from fuhe.burden.reports import audit_report, load_compute
from fuhe.burden.services import FieldSpec
from tests.burden.conftest import MONDAY

pytestmark = pytest.mark.django_db


def issue(tree, code="", **extra):
    defaults = {
        "actor": tree.people["handler"],
        "sender": tree.units["和平区城管委"],
        "title": "楼道堆物清理",
        "kind": "inspection",
        "target_region": tree.regions["劝业场街道"],
        "duty_item_code": code,
        "starts_at": MONDAY,
        "due_at": MONDAY + timedelta(days=9),
        "now": MONDAY,
    }
    defaults.update(extra)
    return services.task_issue(**defaults)


def test_owned_item_is_admitted_and_reaches_the_street_committees(burden):
    task = issue(burden, "SQ-02")
    assert task.status == TaskStatus.ADMITTED and task.list_category == "owned"
    assert sorted(t.unit.name for t in task.targets.all()) == ["新华社区居委会", "花园路社区居委会"]
    assert task.decisions.count() == 1
    assert AuditEvent.objects.filter(action="burden.task_issue", object_id=str(task.pk)).exists()


@pytest.mark.parametrize(
    ("code", "extra", "rule"),
    [
        ("SQ-03", {}, "excluded"),
        ("", {}, "unlisted_no_application"),
        ("CJ-05", {}, "unlisted_no_application"),
        ("LD-04", {"lead_unit_name": "和平区人社局"}, "assists_incomplete"),
        ("SQ-02", {"evidence": ["check_in"]}, "forbidden_demand"),
        ("", {"approval_reason": "全区摸排", "starts_at": MONDAY + timedelta(days=7)}, "late_application"),
    ],
)
def test_refusals_carry_the_reason_back(burden, code, extra, rule):
    task = issue(burden, code, **extra)
    assert task.status == TaskStatus.REFUSED
    assert task.decision_rule == rule and task.decision_reason


def test_assisting_item_with_lead_and_resources_is_admitted(burden):
    task = issue(burden, "LD-04", lead_unit_name="和平区人社局", resources="每社区经费2000元，专员1名")
    assert task.status == TaskStatus.ADMITTED_ASSISTING


def test_unlisted_task_awaits_the_office_which_decides_in_writing(burden):
    start = MONDAY + timedelta(days=60)
    task = issue(
        burden, "", approval_reason="防汛隐患排查需要社区协助", starts_at=start, due_at=start + timedelta(days=14)
    )
    assert task.status == TaskStatus.PENDING_APPROVAL and task.decision_due > MONDAY
    with pytest.raises(PermissionDenied):
        services.task_decide(actor=burden.people["handler"], task=task, approve=True, reason="ok")
    services.task_decide(actor=burden.people["office"], task=task, approve=True, reason="符合防汛工作需要")
    task.refresh_from_db()
    assert task.status == TaskStatus.APPROVED and task.decisions.count() == 2
    with pytest.raises(services.BurdenError):
        services.task_decide(actor=burden.people["office"], task=task, approve=False, reason="again")


def form(burden, title="社区基本情况统计", **extra):
    fields = [
        FieldSpec("常住人口", "org.population"),
        FieldSpec("网格数", "org.grids"),
        FieldSpec("近90天诉求件数", "cases.total"),
        FieldSpec("独居老人人数", "pop.elderly_alone"),
    ]
    return issue(burden, "SQ-02", kind="form", title=title, fields=fields, **extra)


def test_form_prefills_what_the_platform_knows_and_answers_update_the_catalogue(burden):
    task = form(burden)
    target = task.targets.get(unit=burden.units["花园路社区居委会"])
    assert (target.fields_total, target.fields_prefilled) == (4, 3)
    fields = {f.label: f.pk for f in task.fields.all()}
    with pytest.raises(services.BurdenError):
        services.form_submit(actor=burden.people["community"], target=target, answers={}, now=MONDAY)
    services.form_submit(
        actor=burden.people["community"],
        target=target,
        answers={fields["独居老人人数"]: "37"},
        minutes=12,
        now=MONDAY + timedelta(hours=1),
    )
    assert DataValue.objects.get(item__code="pop.elderly_alone").value == "37"
    target.refresh_from_db()
    assert target.actual_minutes == 12 and target.submitted_at
    again = form(burden, title="社区情况再统计", now=MONDAY + timedelta(days=1))
    assert again.targets.get(unit=burden.units["花园路社区居委会"]).fields_prefilled == 4
    assert again.targets.get(unit=burden.units["新华社区居委会"]).fields_prefilled == 2  # no population on record


def test_only_the_receiving_unit_may_answer(burden):
    target = form(burden).targets.get(unit=burden.units["新华社区居委会"])
    with pytest.raises(PermissionDenied):
        services.form_submit(actor=burden.people["community"], target=target, answers={}, now=MONDAY)


def test_an_older_value_never_overwrites_a_fresher_one(burden):
    item = __import__("fuhe.burden.models", fromlist=["DataItem"]).DataItem.objects.get(code="pop.households")
    unit = burden.units["花园路社区居委会"]
    services.data_value_record(item=item, unit=unit, value="2100", as_of=MONDAY, source="submission")
    assert (
        services.data_value_record(
            item=item, unit=unit, value="1900", as_of=MONDAY - timedelta(days=3), source="submission"
        )
        is None
    )
    assert DataValue.objects.filter(item=item).order_by("-as_of").first().value == "2100"


def test_emergency_bypass_must_be_filed_afterwards(burden):
    task = issue(burden, "CJ-05", title="危房紧急排查")
    target = task.targets.get(unit=burden.units["花园路社区居委会"])
    bypass = services.bypass_declare(
        actor=burden.people["community"], target=target, emergency="暴雨红色预警", now=MONDAY
    )
    assert bypass.filing_due > MONDAY and EmergencyBypass.objects.filter(filed_at__isnull=True).count() == 1
    services.bypass_file(
        actor=burden.people["community"],
        bypass=bypass,
        explanation="雨情紧急，先行排查",
        now=MONDAY + timedelta(days=1),
    )
    bypass.refresh_from_db()
    assert bypass.filed_at is not None


def test_load_and_report_follow_the_tasks(burden):
    before = load_compute(region=burden.regions["和平区"], first=MONDAY.date(), last=MONDAY.date() + timedelta(13))
    issue(
        burden,
        "SQ-02",
        kind="campaign",
        title="文明城区创建",
        recurrence="weekly",
        recurrence_until=MONDAY.date() + timedelta(days=13),
        due_at=MONDAY + timedelta(days=4),
    )
    issue(burden, "SQ-03", title="出具证明")
    after = load_compute(region=burden.regions["和平区"], first=MONDAY.date(), last=MONDAY.date() + timedelta(13))
    unit = burden.units["花园路社区居委会"].pk
    row = {u.unit_id: u.row for u in after.units}[unit]
    assert row.capacity_hours == 80  # grid worker + community worker
    assert row.task_hours > {u.unit_id: u.row for u in before.units}.get(unit).task_hours
    report = audit_report(region=burden.regions["和平区"], first=MONDAY.date(), last=MONDAY.date() + timedelta(13))
    assert report.totals["issued"] == 2 and report.totals["refused"] == 1 and report.hours_refused > 0
    assert Task.objects.count() == 2
