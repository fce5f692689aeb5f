"""The burden pages: who may open which, scoped lookups (out of scope looks missing), the task form's errors,
the one-tap effort partial, the load table and the audit exports."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from fuhe.burden.models import EffortRecord, Task, TaskStatus
from tests.burden.conftest import MONDAY

pytestmark = pytest.mark.django_db

STAFF = ["grid", "community", "dispatcher", "handler", "leader", "supervisor", "admin", "office"]
OUTSIDERS = ["resident", "volunteer"]
PERIOD = {"first": "2026-03-02", "last": "2026-03-15"}


@pytest.mark.parametrize("name", ["home", "load", "admission", "report", "catalogue"])
@pytest.mark.parametrize("who", STAFF + OUTSIDERS)
def test_staff_pages_open_for_staff_and_are_forbidden_to_others(burden, tasks, login, name, who):
    response = login(burden.people[who]).get(reverse(f"burden:{name}"), PERIOD)
    assert response.status_code == (200 if who in STAFF else 403)


def test_anonymous_visitors_are_sent_to_log_in(burden, client):
    response = client.get(reverse("burden:load"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("handler", 200),
        ("dispatcher", 200),
        ("office", 200),
        ("admin", 200),
        ("community", 403),
        ("grid", 403),
        ("leader", 403),
        ("resident", 403),
    ],
)
def test_only_people_acting_for_a_sending_unit_may_register_tasks(burden, login, who, status):
    assert login(burden.people[who]).get(reverse("burden:task_new")).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("handler", 200),
        ("community", 200),
        ("dispatcher", 200),
        ("leader", 200),
        ("jz-dispatcher", 404),
        ("resident", 404),
    ],
)
def test_task_page_for_sender_receivers_and_overseers_only(burden, tasks, login, who, status):
    url = reverse("burden:task_detail", args=[tasks["form"].pk])
    assert login(burden.people[who]).get(url).status_code == status


def test_task_page_shows_status_flags_and_the_receiving_units(burden, tasks, login):
    page = login(burden.people["handler"]).get(reverse("burden:task_detail", args=[tasks["form"].pk])).content
    html = page.decode()
    assert 'data-status="admitted"' in html and "花园路社区居委会" in html and "3/4" in html
    assert reverse("burden:target_detail", args=[tasks["target"].pk]) in html
    refused = login(burden.people["handler"]).get(reverse("burden:task_detail", args=[tasks["refused"].pk]))
    assert 'data-status="refused"' in refused.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("community", 200),
        ("grid", 200),
        ("leader", 200),
        ("dispatcher", 200),
        ("handler", 200),
        ("jz-dispatcher", 404),
        ("resident", 404),
    ],
)
def test_received_task_page_is_scoped(burden, tasks, login, who, status):
    url = reverse("burden:target_detail", args=[tasks["target"].pk])
    assert login(burden.people[who]).get(url).status_code == status


def test_a_missing_task_looks_like_one_out_of_scope(burden, tasks, login):
    client = login(burden.people["community"])
    assert client.get(reverse("burden:task_detail", args=[999999])).status_code == 404
    assert client.get(reverse("burden:target_detail", args=[999999])).status_code == 404


def test_received_form_shows_prefill_and_asks_only_the_rest(burden, tasks, login):
    page = login(burden.people["community"]).get(reverse("burden:target_detail", args=[tasks["target"].pk]))
    html = page.content.decode()
    assert 'data-prefilled="3" data-total="4"' in html
    assert html.count('class="prefilled"') == 3 and html.count('class="asked"') == 1
    assert 'value="5230"' in html  # the community's population, from the org tree


def test_form_submission_names_what_is_missing_then_succeeds(burden, tasks, login, frozen):
    client = login(burden.people["community"])
    target = tasks["target"]
    url = reverse("burden:target_detail", args=[target.pk])
    fields = {f.label: f.pk for f in target.task.fields.all()}
    missing = client.post(url, {f"field-{fields['常住人口']}": "5300"})
    html = missing.content.decode()
    assert missing.status_code == 200 and 'role="alert"' in html and "独居老人人数" in html
    assert 'value="5300"' in html  # what was typed is kept
    done = client.post(url, {f"field-{fields['独居老人人数']}": "41", "minutes": "25"})
    assert done.status_code == 302
    target.refresh_from_db()
    assert target.submitted_at is not None and target.actual_minutes == 25
    page = client.get(url).content.decode()
    assert 'id="submitted"' in page and 'id="submit-form"' not in page
    assert page.count('data-state="entered"') == 1 and page.count('data-state="confirmed"') == 3
    assert f'<span id="field-{fields["独居老人人数"]}" class="answer">41</span>' in page
    assert 'id="effort"' in page  # the optional tap comes after the form


@pytest.mark.parametrize("who", ["leader", "handler"])
def test_overseers_and_the_sender_may_read_but_not_answer(burden, tasks, login, who):
    url = reverse("burden:target_detail", args=[tasks["target"].pk])
    client = login(burden.people[who])
    assert 'id="submit-form"' not in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 403


def test_effort_tap_returns_the_partial_with_the_recorded_value(burden, tasks, login):
    target = tasks["target"]
    url = reverse("burden:target_effort", args=[target.pk])
    client = login(burden.people["community"])
    response = client.post(url, {"minutes": "30"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="effort"')
    assert 'data-recorded="30"' in html and 'data-minutes="30" aria-pressed="true"' in html
    assert "<html" not in html
    assert EffortRecord.objects.get(target=target).minutes == 30


def test_effort_tap_without_htmx_goes_back_to_the_page_and_is_never_required(burden, tasks, login):
    target = tasks["target"]
    client = login(burden.people["community"])
    response = client.post(reverse("burden:target_effort", args=[target.pk]), {"minutes": "60"})
    assert response.status_code == 302 and response["Location"] == reverse("burden:target_detail", args=[target.pk])
    bad = client.post(reverse("burden:target_effort", args=[target.pk]), {"minutes": "x"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    assert client.get(reverse("burden:target_effort", args=[target.pk])).status_code == 405


def test_effort_tap_by_someone_outside_the_unit(burden, tasks, login):
    url = reverse("burden:target_effort", args=[tasks["target"].pk])
    assert login(burden.people["jz-dispatcher"]).post(url, {"minutes": "10"}).status_code == 404
    assert login(burden.people["leader"]).post(url, {"minutes": "10"}).status_code == 403  # reads, never taps
    assert not EffortRecord.objects.exists()


def test_refused_task_offers_the_emergency_bypass_and_its_filing(burden, tasks, login):
    target = tasks["refused_target"]
    client = login(burden.people["community"])
    page = client.get(reverse("burden:target_detail", args=[target.pk])).content.decode()
    assert 'name="emergency"' in page and 'id="answer-form"' not in page
    empty = client.post(reverse("burden:target_bypass", args=[target.pk]), {"emergency": ""}, follow=True)
    assert "emergency" in empty.content.decode().lower()
    client.post(reverse("burden:target_bypass", args=[target.pk]), {"emergency": "暴雨红色预警"})
    page = client.get(reverse("burden:target_detail", args=[target.pk])).content.decode()
    assert 'id="bypass"' in page and 'name="explanation"' in page


def form_data(burden, **extra):
    data = {
        "sender": burden.units["和平区城管委"].pk,
        "title": "社区基本情况统计",
        "kind": "form",
        "target_region": burden.regions["劝业场街道"].pk,
        "target_level": "community",
        "duty_item_code": "SQ-02",
        "starts_on": "2026-03-02",
        "due_on": "2026-03-13",
        "recurrence": "once",
        "catalogue_items": ["org.population", "org.grids"],
        "extra_fields": "未参保人数",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"kind": "form", "catalogue_items": [], "extra_fields": ""}, "catalogue_items"),
        ({"due_on": "2026-02-27"}, "due_on"),
        ({"recurrence": "weekly"}, "recurrence_until"),
        ({"target_region": "999"}, "target_region"),
        ({"sender": "0"}, "sender"),
        ({"duty_item_code": "XX-99"}, "duty_item_code"),
        ({"starts_on": "not a date"}, "starts_on"),
    ],
)
def test_task_form_names_the_field_in_error(burden, login, frozen, change, field):
    response = login(burden.people["handler"]).post(reverse("burden:task_new"), form_data(burden, **change))
    assert response.status_code == 200 and not Task.objects.exists()
    html = response.content.decode()
    block = re.search(rf'data-field="{field}"(.*?)</(div|fieldset)>', html, re.S)
    assert block is not None and 'class="error"' in block.group(1), field
    assert 'id="form-errors"' in html


def test_task_form_registers_and_the_gate_decides(burden, login, frozen):
    client = login(burden.people["handler"])
    admitted = client.post(reverse("burden:task_new"), form_data(burden))
    task = Task.objects.get()
    assert admitted.status_code == 302 and admitted["Location"] == reverse("burden:task_detail", args=[task.pk])
    assert task.status == TaskStatus.ADMITTED and task.fields.count() == 3
    refused = client.post(
        reverse("burden:task_new"),
        form_data(burden, title="出具居住证明", kind="other", duty_item_code="SQ-03"),
        follow=True,
    )
    assert 'data-status="refused"' in refused.content.decode()


def test_task_form_may_not_send_for_someone_elses_unit(burden, login, frozen):
    other = burden.units["蓟州区城管委"].pk
    response = login(burden.people["handler"]).post(reverse("burden:task_new"), form_data(burden, sender=other))
    assert response.status_code == 200 and not Task.objects.exists()


def test_approving_body_decides_in_writing(burden, login, frozen):
    start = (MONDAY + timedelta(days=70)).date().isoformat()
    due = (MONDAY + timedelta(days=80)).date().isoformat()
    login(burden.people["handler"]).post(
        reverse("burden:task_new"),
        form_data(burden, duty_item_code="", approval_reason="防汛隐患排查需要社区协助", starts_on=start, due_on=due),
    )
    task = Task.objects.get()
    assert task.status == TaskStatus.PENDING_APPROVAL
    url = reverse("burden:task_decide", args=[task.pk])
    assert login(burden.people["handler"]).post(url, {"approve": "1", "reason": "自己批"}).status_code == 403
    office = login(burden.people["office"])
    assert "decide-form" in office.get(reverse("burden:task_detail", args=[task.pk])).content.decode()
    office.post(url, {"approve": "1", "reason": ""})
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING_APPROVAL  # no reason, no decision
    office.post(url, {"approve": "1", "reason": "符合防汛工作需要"})
    task.refresh_from_db()
    assert task.status == TaskStatus.APPROVED


def test_load_table_lists_units_and_marks_overload(burden, tasks, login):
    client = login(burden.people["leader"])
    page = client.get(reverse("burden:load"), {"region": burden.regions["劝业场街道"].pk, **PERIOD})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="load-table"' in html and 'id="load-json"' in html
    assert 'data-unit="花园路社区居委会"' in html and 'data-unit="新华社区居委会"' in html
    assert 'data-unit="五大道社区居委会"' not in html  # another street
    partial = client.get(
        reverse("burden:load"), {"region": burden.regions["劝业场街道"].pk, **PERIOD}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.startswith('<div id="load-table-wrap">') and "<html" not in partial
    assert 'id="people-load"' in html  # the leader sees who carries the load


def test_colleagues_do_not_see_named_peoples_load(burden, tasks, login):
    page = login(burden.people["dispatcher"]).get(
        reverse("burden:load"), {"region": burden.regions["劝业场街道"].pk, **PERIOD}
    )
    html = page.content.decode()
    assert page.status_code == 200 and 'id="load-table"' in html
    assert 'id="people-load"' not in html


def test_load_region_out_of_scope_or_missing_is_404(burden, tasks, login):
    client = login(burden.people["leader"])
    for region in (burden.regions["蓟州区"].pk, burden.regions["渔阳镇"].pk, 999, "x"):
        assert client.get(reverse("burden:load"), {"region": region}).status_code == 404
        assert client.get(reverse("burden:report"), {"region": region}).status_code == 404


@pytest.mark.parametrize(
    "period",
    [
        {"first": "2026-03-15", "last": "2026-03-01"},
        {"first": "garbage"},
        {"first": "2024-01-01", "last": "2026-03-01"},
    ],
)
def test_load_with_a_bad_period_is_404(burden, login, period):
    assert login(burden.people["leader"]).get(reverse("burden:load"), period).status_code == 404


def test_load_with_no_units_shows_an_empty_state(burden, login):
    client = login(burden.people["jz-dispatcher"])
    html = client.get(reverse("burden:load"), PERIOD).content.decode()
    assert "西关村委会" in html or 'class="empty"' in html


def test_report_shows_totals_flags_and_overload(burden, tasks, login):
    html = login(burden.people["supervisor"]).get(reverse("burden:report"), PERIOD).content.decode()
    assert 'id="report-totals"' in html and 'id="report-json"' in html
    assert 'data-sender="和平区城管委"' in html
    assert 'id="prefill-share"' in html


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("pdf", "application/pdf", b"%PDF"),
    ],
)
def test_report_exports(burden, tasks, login, fmt, content_type, magic):
    response = login(burden.people["supervisor"]).get(reverse("burden:report"), {**PERIOD, "format": fmt})
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert response.content.startswith(magic)
    assert f'.{fmt}"' in response["Content-Disposition"] and "attachment" in response["Content-Disposition"]


def test_report_exports_are_forbidden_to_residents(burden, tasks, login):
    response = login(burden.people["resident"]).get(reverse("burden:report"), {**PERIOD, "format": "xlsx"})
    assert response.status_code == 403


def test_home_lists_what_reached_my_unit_and_what_it_sent(burden, tasks, login):
    community = login(burden.people["community"]).get(reverse("burden:home")).content.decode()
    assert 'id="inbox"' in community and "社区基本情况统计" in community
    handler = login(burden.people["handler"]).get(reverse("burden:home")).content.decode()
    assert 'id="sent-tasks"' in handler and "出具居民居住证明" in handler


@pytest.mark.parametrize("who", ["handler", "leader", "dispatcher"])
def test_admission_counts_are_published(burden, tasks, login, who):
    html = login(burden.people[who]).get(reverse("burden:admission")).content.decode()
    assert "和平区城管委" in html


def test_main_navigation_links_by_role(burden, login):
    staff = login(burden.people["leader"]).get(reverse("web:home")).content.decode()
    assert 'id="nav-burden"' in staff and 'id="nav-duties"' in staff and 'id="nav-routing"' in staff
    worker = login(burden.people["community"]).get(reverse("web:home")).content.decode()
    assert 'id="nav-burden"' in worker and 'id="nav-duties"' in worker and 'id="nav-routing"' not in worker
    resident = login(burden.people["resident"]).get(reverse("web:home")).content.decode()
    assert 'id="nav-burden"' not in resident and 'id="nav-duties"' not in resident


def test_inbox_puts_what_still_waits_first(burden, tasks, login, frozen):
    from fuhe.burden import services

    client = login(burden.people["community"])
    page = client.get(reverse("burden:home")).content.decode()
    assert page.index("社区基本情况统计") < page.index("文明城区创建")  # a form to fill, the later deadline
    services.form_submit(
        actor=burden.people["community"],
        target=tasks["target"],
        answers={tasks["form"].fields.get(label="独居老人人数").pk: "40"},
        now=MONDAY,
    )
    page = client.get(reverse("burden:home")).content.decode()
    assert page.index("文明城区创建") < page.index("社区基本情况统计")  # submitted: after what still waits
    assert "Sent by my unit" not in page and 'id="sent-tasks"' not in page  # a committee sends nothing
