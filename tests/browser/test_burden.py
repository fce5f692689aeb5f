"""Burden metering in the browser, with screenshots: a department registers a form task → the gate refuses an
out-of-list one and admits an in-list one → a community worker opens the admitted form, finds most fields
prefilled, fills the rest (and taps how long it took) → the load table of that unit changes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.burden.core.load import week_start
from fuhe.burden.models import Task, TaskStatus
from tests.browser.test_login_roles import log_in
from tests.burden.conftest import burden  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT = "花园路社区居委会"


def staff_page(page_factory, live_server, username, **options):
    page = page_factory(**options)
    log_in(page, live_server.url, username)
    return page


def unit_task_hours(page, base_url: str, region_id: int) -> float:
    """The unit's task hours a week over this week and the next (a new one-week task falls wholly in them)."""
    first = week_start(timezone.localdate())
    page.goto(f"{base_url}/burden/load/?region={region_id}&first={first}&last={first + timedelta(days=13)}")
    row = page.locator(f'#load-table tr[data-unit="{UNIT}"]')
    return float(row.locator("td").nth(1).inner_text().replace(",", ""))


def register(page, base_url: str, street_id: int, *, title: str, kind: str, duty_item: str, items=(), extra=""):
    page.goto(f"{base_url}/burden/tasks/new/")
    page.fill("#id_title", title)
    page.select_option("#id_kind", kind)
    page.select_option("#id_target_region", str(street_id))
    page.select_option("#id_duty_item_code", duty_item)
    today = timezone.localdate()  # the form proposes the earliest start with 30 working days' notice: start now
    page.fill("#id_starts_on", f"{today:%Y-%m-%d}")
    page.fill("#id_due_on", f"{today + timedelta(days=7):%Y-%m-%d}")
    for code in items:
        page.check(f'input[name=catalogue_items][value="{code}"]')
    if extra:
        page.fill("#id_extra_fields", extra)
    page.locator("#register-task").click()
    page.wait_for_load_state()


def test_department_issues_gate_decides_community_fills_form_and_load_changes(
    burden,  # noqa: F811
    live_server,
    page_factory,  # noqa: F811
    screenshot,
):
    base = live_server.url
    street = burden.regions["劝业场街道"].pk
    leader = staff_page(page_factory, live_server, "leader")
    before = unit_task_hours(leader, base, street)

    handler = staff_page(page_factory, live_server, "handler")
    handler.goto(f"{base}/burden/")
    handler.locator("#nav-burden").wait_for()
    handler.locator("#issue-task").click()
    handler.locator("#id_title").fill("")  # an empty title is named next to the field
    handler.locator("#register-task").click()
    assert handler.locator('[data-field="title"] .error').count() == 1
    screenshot(handler, "burden-01-task-form-errors")

    register(handler, base, street, title="出具居民居住证明", kind="other", duty_item="SQ-03")
    assert handler.locator("#decision").get_attribute("data-status") == "refused"
    assert handler.locator("#decision").inner_text().strip()
    screenshot(handler, "burden-02-refused-at-the-gate")

    register(
        handler,
        base,
        street,
        title="社区基本情况统计",
        kind="form",
        duty_item="SQ-02",
        items=("org.population", "org.grids", "cases.total", "pop.households"),
        extra="本月调处件数",
    )
    assert handler.locator("#decision").get_attribute("data-status") == "admitted"
    screenshot(handler, "burden-03-admitted")
    task = Task.objects.get(title="社区基本情况统计")
    assert task.status == TaskStatus.ADMITTED and task.fields.count() == 5

    worker = staff_page(page_factory, live_server, "community", phone=True)
    worker.goto(f"{base}/burden/")
    assert worker.locator("#inbox").get_by_role("link", name="出具居民居住证明").count() == 0  # refused: not in it
    worker.locator("#inbox").get_by_role("link", name="社区基本情况统计").click()
    summary = worker.locator("#prefill-summary")
    prefilled, total = int(summary.get_attribute("data-prefilled")), int(summary.get_attribute("data-total"))
    assert (prefilled, total) == (3, 5) and prefilled > total / 2
    fields = {f.label: f.pk for f in task.fields.all()}
    assert worker.locator(f"#field-{fields['常住人口']}").input_value() == "5230"  # from the org tree
    assert worker.locator(f"#field-{fields['户数']}").input_value() == ""
    screenshot(worker, "burden-04-form-prefilled-phone")
    worker.locator("#submit-form").click()  # the two new fields are still empty: the form says which
    assert "户数" in worker.locator("#answer-form .error").inner_text()
    worker.fill(f"#field-{fields['户数']}", "2150")
    worker.fill(f"#field-{fields['本月调处件数']}", "7")
    worker.locator("#submit-form").click()
    worker.wait_for_load_state()
    assert worker.locator(f"#field-{fields['户数']}").inner_text() == "2150"  # submitted: answers are shown
    assert worker.locator('#answer-form tr[data-state="confirmed"]').count() == 3
    worker.locator('#effort button[data-minutes="120"]').click()  # one tap, optional
    worker.locator("#effort-recorded").wait_for()
    assert worker.locator('#effort button[data-minutes="120"]').get_attribute("aria-pressed") == "true"
    screenshot(worker, "burden-05-submitted-and-effort-phone")

    after = unit_task_hours(leader, base, street)
    assert after >= before + 0.9  # the two hours tapped, over two weeks
    screenshot(leader, "burden-06-load-after")
    leader.goto(f"{base}/burden/report/?region={street}")
    assert leader.locator("#senders-chart canvas").count() >= 1
    screenshot(leader, "burden-07-report")
