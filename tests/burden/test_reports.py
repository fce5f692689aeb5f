"""The load table and the penetrating audit report (穿透式审计) on a small generated set of tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from fuhe.burden import services
from fuhe.burden.models import DataItem
from fuhe.burden.reports import audit_report, audit_report_for, load_compute, load_for
from fuhe.burden.services import FieldSpec
from tests.burden.conftest import MONDAY
from tests.burden.services.issuing import issue, issue_form, target_of

pytestmark = pytest.mark.django_db

FIRST = MONDAY.date()
LAST = FIRST + timedelta(days=13)  # two weeks


@pytest.fixture
def quarter(burden):
    """Tasks from two senders to 劝业场街道 over a fortnight: a heavy weekly campaign, a form, flagged tasks, a
    refusal, and an emergency bypass."""
    street_office = burden.units["劝业场街道办事处"]
    unit = burden.units["花园路社区居委会"]
    services.data_value_record(
        item=DataItem.objects.get(code="pop.households"),
        unit=unit,
        value="2100",
        as_of=MONDAY - timedelta(days=3),
        source="manual",
    )
    campaign = issue(
        burden,
        "SQ-02",
        kind="campaign",
        title="文明城区创建迎检",
        effort_minutes=3000,
        recurrence="weekly",
        recurrence_until=LAST,
        due_at=MONDAY + timedelta(days=4),
    )
    form = issue_form(
        burden,
        fields=(
            FieldSpec("常住人口", "org.population"),
            FieldSpec("户数", "pop.households"),
            FieldSpec("独居老人人数", "pop.elderly_alone"),
            FieldSpec("本月调处件数"),
        ),
    )
    ranking = issue(
        burden,
        "SQ-02",
        kind="ranking",
        title="创卫工作社区排名",
        content="按月打分，通报排名。",
        now=MONDAY + timedelta(days=1),
    )
    pledge = issue(
        burden,
        "SQ-02",
        kind="pledge",
        title="安全生产责任书签订",
        content="各社区签订安全生产责任书。",
        actor=None,
        sender=street_office,
        now=MONDAY + timedelta(days=2),
        starts_at=MONDAY + timedelta(days=2),
        due_at=MONDAY + timedelta(days=3),
    )
    refused = issue(burden, "SQ-03", title="出具居住证明", kind="other", actor=None, sender=street_office)
    services.bypass_declare(
        actor=burden.people["community"],
        target=target_of(refused, burden),
        emergency="暴雨",
        now=MONDAY + timedelta(days=1),
    )
    return {"campaign": campaign, "form": form, "ranking": ranking, "pledge": pledge, "refused": refused}


def test_the_campaign_overloads_the_unit_it_counts_per_staff_member(burden, quarter):
    result = load_compute(region=burden.regions["和平区"], first=FIRST, last=LAST)
    rows = {u.name: u for u in result.units}
    garden = rows["花园路社区居委会"]
    assert garden.row.capacity_hours == 80  # the grid worker and the community worker, 40 h each
    # two staff × 3000 minutes a week = 100 h a week from the campaign alone
    assert garden.row.task_hours > 100 and garden.factor > 1
    assert garden in result.overloaded
    assert rows["新华社区居委会"].factor is None  # nobody works there: load undefined, never "overloaded"
    assert rows["新华社区居委会"] not in result.overloaded
    assert result.weeks == 2 and [week for week, *_ in result.trend] == [FIRST, FIRST + timedelta(days=7)]
    assert result.senders[0][1] == "和平区城管委"
    low, high = burden.regions["劝业场街道"].subtree
    street = {name: row for _key, name, row in result.streets}["劝业场街道"]
    members = [u.row for u in result.units if low <= u.region_id < high]
    assert street.demanded_hours == pytest.approx(sum(r.demanded_hours for r in members))
    assert street.capacity_hours == 120  # the two community staff and the street dispatcher
    assert street.factor == pytest.approx(sum(r.demanded_hours for r in members) / 120)
    people = {name: row for _key, name, row in result.people}
    assert people["community"].demanded_hours == pytest.approx(garden.row.demanded_hours / 2)
    assert people["community"].factor > 1


def test_the_audit_report_counts_tasks_flags_and_prefill(burden, quarter):
    report = audit_report(region=burden.regions["和平区"], first=FIRST, last=LAST)
    assert report.totals == {"issued": 5, "admitted": 4, "refused": 1}
    by_sender = {row.name: row for row in report.senders}
    assert [row.name for row in report.senders] == ["和平区城管委", "劝业场街道办事处"]
    assert (by_sender["和平区城管委"].issued, by_sender["劝业场街道办事处"].refused) == (3, 1)
    assert by_sender["和平区城管委"].flags["ranking"] == 1 and by_sender["和平区城管委"].flags["pledge"] == 0
    assert by_sender["劝业场街道办事处"].flags["pledge"] == 1
    assert by_sender["劝业场街道办事处"].flags["short_deadline"] == 1
    assert dict(by_sender["劝业场街道办事处"].flag_cells)["pledge"] == 1
    assert report.flags_by_rule["ranking"] == 1 and report.flags_by_rule["pledge"] == 1
    # 4 fields to two units; 花园路 has population and households on record, 新华 neither
    assert (report.fields_requested, report.fields_prefilled) == (8, 2)
    assert report.prefill_share == pytest.approx(0.25)
    assert report.hours_saved > 0 and report.hours_refused > 0
    assert [u.name for u in report.top_overloaded] == ["花园路社区居委会"]
    assert report.hours_demanded == pytest.approx(report.load.total.demanded_hours * 2)
    assert report.bypasses == {"declared": 1, "filed": 0, "overdue": 1, "late": 0}
    assert by_sender["和平区城管委"].hours_demanded > by_sender["劝业场街道办事处"].hours_demanded > 0


def test_the_report_covers_only_the_region_and_period(burden, quarter):
    elsewhere = audit_report(region=burden.regions["小白楼街道"], first=FIRST, last=LAST)
    assert elsewhere.totals == {} and elsewhere.senders == [] and elsewhere.prefill_share == 0.0
    later = audit_report(
        region=burden.regions["和平区"], first=LAST + timedelta(days=30), last=LAST + timedelta(days=40)
    )
    assert later.totals == {} and later.load.overloaded == []


def test_reports_are_scoped_to_the_users_region(burden, quarter):
    with pytest.raises(PermissionDenied):
        audit_report_for(user=burden.people["jz-dispatcher"], region=burden.regions["和平区"], first=FIRST, last=LAST)
    with pytest.raises(PermissionDenied):
        load_for(user=burden.people["dispatcher"], region=burden.regions["和平区"], first=FIRST, last=LAST)
    assert load_for(user=burden.people["dispatcher"], region=burden.regions["劝业场街道"], first=FIRST, last=LAST)
    assert (
        audit_report_for(user=burden.people["leader"], region=burden.regions["和平区"], first=FIRST, last=LAST).totals[
            "issued"
        ]
        == 5
    )


def test_recorded_effort_replaces_the_estimate_in_the_load(burden, quarter):
    region = burden.regions["劝业场街道"]
    before = {u.name: u.row for u in load_compute(region=region, first=FIRST, last=LAST).units}
    target = target_of(quarter["ranking"], burden)
    services.effort_record(
        actor=burden.people["community"],
        target=target,
        minutes=target.estimated_minutes + 600,
        now=MONDAY + timedelta(days=2),
    )
    after = {u.name: u.row for u in load_compute(region=region, first=FIRST, last=LAST).units}
    assert after["花园路社区居委会"].task_hours == pytest.approx(before["花园路社区居委会"].task_hours + 600 / 60 / 2)
    assert after["新华社区居委会"].task_hours == pytest.approx(before["新华社区居委会"].task_hours)


def test_a_recurring_task_whose_last_occurrence_runs_into_the_period_still_counts(burden):
    """The last occurrence starts before the period but is due inside it: its days in the period are load."""
    start = MONDAY - timedelta(days=14)
    issue(
        burden,
        "SQ-02",
        kind="inspection",
        title="每周安全巡查",
        effort_minutes=600,
        recurrence="weekly",
        recurrence_until=(MONDAY - timedelta(days=3)).date(),
        starts_at=start,
        due_at=start + timedelta(days=9),
        now=start,
    )
    result = load_compute(region=burden.regions["和平区"], first=FIRST, last=LAST)
    garden = {u.name: u for u in result.units}["花园路社区居委会"]
    assert garden.row.task_hours > 0
