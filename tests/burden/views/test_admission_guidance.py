"""The task form guides the sender: the start defaults to the earliest date with the notice, the HTMX check says
before sending what the gate will answer, a refused request is edited and sent again, an empty decision reason
is refused next to its field, and late after-the-fact filings are marked on the admission and report pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from fuhe.burden import services
from fuhe.burden.models import Task, TaskStatus
from fuhe.burden.selectors import earliest_admissible_start
from tests.burden.conftest import MONDAY
from tests.burden.views.conftest import issue
from tests.burden.views.test_pages import form_data

pytestmark = pytest.mark.django_db

REASON = "防汛隐患排查需要社区协助"


@pytest.fixture
def earliest(burden, frozen):
    return earliest_admissible_start(region_id=burden.regions["劝业场街道"].pk, now=MONDAY)


def test_the_form_starts_on_the_earliest_date_with_the_notice(burden, login, earliest):
    html = login(burden.people["handler"]).get(reverse("burden:task_new")).content.decode()
    assert f'name="starts_on" value="{earliest:%Y-%m-%d}"' in html
    assert f'name="due_on" value="{earliest + timedelta(days=7):%Y-%m-%d}"' in html
    assert 'id="gate-check"' in html and 'hx-post="' + reverse("burden:task_check") + '"' in html


def outcome_of(html: str) -> tuple[str, str]:
    found = re.search(r'data-outcome="([a-z_]+)" data-rule="([a-z_]+)"', html)
    assert found, html
    return found.group(1), found.group(2)


@pytest.mark.parametrize(
    ("change", "outcome", "rule"),
    [
        ({}, "admitted", "owned"),
        ({"duty_item_code": "SQ-03"}, "refused", "excluded"),
        ({"duty_item_code": ""}, "refused", "unlisted_no_application"),
        ({"duty_item_code": "", "approval_reason": REASON}, "refused", "late_application"),
        (
            {"duty_item_code": "", "approval_reason": REASON, "starts_on": "EARLIEST"},
            "pending_approval",
            "needs_approval",
        ),
    ],
)
def test_the_check_says_before_sending_what_the_gate_will_answer(burden, login, earliest, change, outcome, rule):
    change = {k: (f"{earliest:%Y-%m-%d}" if v == "EARLIEST" else v) for k, v in change.items()}
    client = login(burden.people["handler"])
    response = client.post(reverse("burden:task_check"), form_data(burden, **change), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert outcome_of(response.content.decode()) == (outcome, rule)
    assert not Task.objects.exists()


def test_a_too_soon_start_names_the_earliest_one(burden, login, earliest):
    client = login(burden.people["handler"])
    html = client.post(
        reverse("burden:task_check"), form_data(burden, duty_item_code="", approval_reason=REASON)
    ).content.decode()
    assert 'id="gate-notice"' in html and f"{earliest:%Y-%m-%d}" in html


def test_the_check_waits_for_the_region_and_the_start(burden, login, frozen):
    client = login(burden.people["handler"])
    html = client.post(reverse("burden:task_check"), form_data(burden, starts_on="")).content.decode()
    assert "data-outcome" not in html


def test_the_check_is_for_senders_only(burden, login, frozen):
    assert login(burden.people["community"]).post(reverse("burden:task_check"), {}).status_code == 403


def test_a_refused_request_is_edited_and_sent_again(burden, login, earliest):
    client = login(burden.people["handler"])
    client.post(reverse("burden:task_new"), form_data(burden, duty_item_code="", approval_reason=REASON))
    first = Task.objects.get()
    assert first.decision_rule == "late_application"
    page = client.get(reverse("burden:task_detail", args=[first.pk])).content.decode()
    assert f'href="{reverse("burden:task_new")}?from={first.pk}"' in page
    form = client.get(reverse("burden:task_new"), {"from": first.pk}).content.decode()
    assert 'id="resend-of"' in form and f'name="previous" value="{first.pk}"' in form
    assert 'value="社区基本情况统计"' in form and f'name="starts_on" value="{earliest:%Y-%m-%d}"' in form
    resent = client.post(
        reverse("burden:task_new"),
        form_data(
            burden,
            duty_item_code="",
            approval_reason=REASON,
            starts_on=f"{earliest:%Y-%m-%d}",
            due_on=f"{earliest + timedelta(days=7):%Y-%m-%d}",
            previous=first.pk,
        ),
    )
    second = Task.objects.exclude(pk=first.pk).get()
    assert resent.status_code == 302 and second.previous == first and second.status == TaskStatus.PENDING_APPROVAL
    page = client.get(reverse("burden:task_detail", args=[second.pk])).content.decode()
    assert 'id="versions"' in page and f'data-task="{first.pk}"' in page and f'data-task="{second.pk}"' in page
    old = client.get(reverse("burden:task_detail", args=[first.pk])).content.decode()
    assert 'id="resend"' not in old  # sent again once: the newer version carries on
    assert client.get(reverse("burden:task_new"), {"from": first.pk}).status_code == 404


def test_only_refused_requests_of_ones_own_units_are_offered_again(burden, login, frozen):
    admitted = issue(burden, "SQ-02")
    client = login(burden.people["handler"])
    assert client.get(reverse("burden:task_new"), {"from": admitted.pk}).status_code == 404
    assert 'id="resend"' not in client.get(reverse("burden:task_detail", args=[admitted.pk])).content.decode()
    refused = issue(burden, "SQ-03")
    office = login(burden.people["office"])  # may see the task, does not send for its unit
    assert 'id="resend"' not in office.get(reverse("burden:task_detail", args=[refused.pk])).content.decode()


def test_an_empty_decision_reason_is_refused_next_to_its_field(burden, login, frozen):
    later = MONDAY + timedelta(days=70)
    task = issue(burden, "", approval_reason=REASON, starts_at=later, due_at=later)
    response = login(burden.people["office"]).post(
        reverse("burden:task_decide", args=[task.pk]), {"approve": "1", "reason": "  "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    field = re.search(r'id="decide-reason"(.*?)</div>\s*</div>', html, re.S)
    assert field is not None and 'role="alert"' in field.group(1)
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING_APPROVAL


def test_a_late_filing_is_marked_on_the_unit_admission_and_report_pages(burden, login, frozen):
    task = issue(burden, "CJ-05", title="危房紧急排查")
    target = task.targets.get(unit=burden.units["花园路社区居委会"])
    community = burden.people["community"]
    bypass = services.bypass_declare(actor=community, target=target, emergency="暴雨红色预警", now=MONDAY)
    services.bypass_file(
        actor=community, bypass=bypass, explanation="先行排查", now=bypass.filing_due + timedelta(days=1)
    )
    unit_page = login(community).get(reverse("burden:target_detail", args=[target.pk])).content.decode()
    assert 'id="filed-late"' in unit_page
    admission = login(burden.people["handler"]).get(reverse("burden:admission")).content.decode()
    assert 'id="late-filings"' in admission and f'data-bypass="{bypass.pk}"' in admission
    report = login(burden.people["leader"]).get(
        reverse("burden:report"), {"region": burden.regions["和平区"].pk, "first": "2026-03-02", "last": "2026-03-15"}
    )
    assert re.search(r'id="bypasses-late"><span class="tag warn">1<', report.content.decode())


def test_deciding_a_task_already_decided_says_so_as_an_alert(burden, login, frozen):
    admitted = issue(burden, "SQ-02")
    response = login(burden.people["office"]).post(
        reverse("burden:task_decide", args=[admitted.pk]), {"approve": "0", "reason": "撤回"}
    )
    assert response.status_code == 400
    assert re.search(r'role="alert">该任务不在待审批状态。<', response.content.decode())
