"""The admission gate guides the sender, in a browser (desktop) with screenshots: the start date proposed gives the
30 working days' notice; as the sender edits, the form says beforehand whether the request will be admitted,
refused or need a decision, and why; a refused request is edited and sent again as a linked version; the approving
body is notified of the pending decision and cannot record it without a written reason."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from fuhe.burden.models import Task, TaskStatus
from fuhe.burden.selectors import earliest_admissible_start
from fuhe.cases.models import Notification
from tests.browser.test_login_roles import log_in
from tests.burden.conftest import burden  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "汛期前排查老旧小区防汛隐患，需社区协助入户"


def test_the_sender_is_warned_resends_and_the_office_decides_in_writing(
    burden,  # noqa: F811
    live_server,
    page_factory,
    screenshot,
):
    base = live_server.url
    street = burden.regions["劝业场街道"]
    earliest = earliest_admissible_start(region_id=street.pk)
    today = timezone.localdate()

    handler = page_factory()
    log_in(handler, base, "handler")
    handler.goto(f"{base}/burden/tasks/new/")
    assert handler.locator("#id_starts_on").input_value() == f"{earliest:%Y-%m-%d}"  # not today: the notice holds
    check = handler.locator("#gate-check")
    handler.fill("#id_title", "防汛隐患入户排查")
    handler.select_option("#id_kind", "inspection")
    handler.select_option("#id_target_region", str(street.pk))
    handler.select_option("#id_duty_item_code", "")  # not on the duty list
    handler.locator("#id_content").fill("请各社区于汛期前完成入户排查。")
    expect(check.locator(".gate-outcome")).to_have_attribute("data-rule", "unlisted_no_application")
    assert check.locator(".gate-outcome").get_attribute("data-outcome") == "refused"
    screenshot(handler, "burden-admission-01-unlisted-needs-a-reason")

    handler.fill("#id_approval_reason", REASON)
    handler.locator("#id_approval_reason").blur()
    expect(check.locator(".gate-outcome")).to_have_attribute("data-rule", "needs_approval")
    screenshot(handler, "burden-admission-02-will-need-a-decision")

    handler.fill("#id_starts_on", f"{today:%Y-%m-%d}")  # the sender wants it to start today
    handler.fill("#id_due_on", f"{today + timedelta(days=7):%Y-%m-%d}")
    handler.locator("#id_due_on").blur()
    expect(check.locator(".gate-outcome")).to_have_attribute("data-rule", "late_application")
    expect(check.locator("#gate-notice")).to_contain_text(f"{earliest:%Y-%m-%d}")
    screenshot(handler, "burden-admission-03-warned-before-sending")

    handler.locator("#register-task").click()  # sent anyway: refused, as the check said
    handler.wait_for_load_state()
    assert handler.locator("#decision").get_attribute("data-status") == "refused"
    first = Task.objects.get(title="防汛隐患入户排查")
    screenshot(handler, "burden-admission-04-refused-with-resend")

    handler.locator("#resend").click()
    handler.wait_for_load_state()
    expect(handler.locator("#resend-of")).to_be_visible()
    assert handler.locator("#id_title").input_value() == "防汛隐患入户排查"
    assert handler.locator("#id_approval_reason").input_value() == REASON
    assert handler.locator("#id_starts_on").input_value() == f"{earliest:%Y-%m-%d}"  # moved to the earliest start
    expect(check.locator(".gate-outcome")).to_have_attribute("data-rule", "needs_approval")  # checked on opening
    screenshot(handler, "burden-admission-05-edit-and-resend")
    handler.locator("#register-task").click()
    handler.wait_for_load_state()
    assert handler.locator("#decision").get_attribute("data-status") == "pending_approval"
    second = Task.objects.get(previous=first)
    assert second.status == TaskStatus.PENDING_APPROVAL
    assert handler.locator("#versions li").count() == 2
    screenshot(handler, "burden-admission-06-resent-pending-with-versions")

    assert Notification.objects.filter(recipient=burden.people["office"]).count() == 1
    office = page_factory()
    log_in(office, base, "office")
    office.goto(base + reverse("cases:notifications"))
    expect(office.locator("body")).to_contain_text("防汛隐患入户排查")
    screenshot(office, "burden-admission-07-office-notified")
    office.goto(f"{base}/burden/tasks/{second.pk}/")
    office.locator("#decide-form textarea").fill("   ")
    office.locator("#decide-form button[type=submit]").click()
    office.wait_for_load_state()
    alert = office.locator('#decide-reason [role="alert"]')
    expect(alert).to_be_visible()
    screenshot(office, "burden-admission-08-decision-needs-a-reason")
    second.refresh_from_db()
    assert second.status == TaskStatus.PENDING_APPROVAL
    office.locator("#decide-form textarea").fill("符合防汛工作需要，同意社区协助")
    office.locator("#decide-form button[type=submit]").click()
    office.wait_for_load_state()
    assert office.locator("#decision").get_attribute("data-status") == "approved"
    screenshot(office, "burden-admission-09-approved")
