"""The district's dispatch queue in the browser (desktop), with screenshots: the 兜底 cases of a street without a
dispatcher are marked with the reason, and the queue is filtered and sorted in place (HTMX) with the filters kept
in the address bar."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from fuhe.cases.models import Case, Category
from fuhe.cases.services.clocks import intake_clocks_start
from fuhe.cases.services.intake import case_create
from tests.browser.conftest import wait_until
from tests.browser.test_login_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13900003333"


def received(tree, community: str, hours_ago: float, **fields):
    values = {
        "actor": None,
        "channel": "hotline",
        "region": tree.regions[community],
        "text": "井盖松动，车辆经过有响声",
    }
    values.update(fields)
    with time_machine.travel(timezone.now() - timedelta(hours=hours_ago), tick=False):
        return case_create(**values).case


def rows(page) -> list[str]:
    return page.locator("#case-rows tbody tr td.mono").all_inner_texts()


def test_the_district_queue_marks_its_fallback_cases_and_filters_them(tree, live_server, page_factory, screenshot):
    roads = Category.objects.create(name="道路设施", path="城市管理/道路设施")
    old = received(tree, "花园路社区", 30, title="花园路井盖松动", reporter_phone=PHONE, category=roads)
    again = received(tree, "新华社区", 3, title="新华路井盖又松了", reporter_phone=PHONE, category=roads)
    urgent = received(tree, "花园路社区", 3, title="燃气味道很重", urgency="urgent")
    fallback = received(tree, "五大道社区", 5, title="五大道路灯不亮", channel="web")
    intake_clocks_start()
    # a working day after receipt depends on today's weekday: the oldest case's limit is set to half an hour ago
    Case.objects.filter(pk=old.pk).update(intake_due=timezone.now() - timedelta(minutes=30))

    page = page_factory()
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/cases/queue/")
    assert rows(page) == [old.tracking_code, fallback.tracking_code, again.tracking_code, urgent.tracking_code]
    mark = page.locator("#case-rows tr", has_text=fallback.tracking_code).locator(".fallback")
    assert "小白楼街道" in mark.inner_text()
    assert page.locator("#case-rows tr", has_text=again.tracking_code).locator(".repeat").count() == 1
    assert PHONE not in page.content()
    screenshot(page, "queue-01-district-queue-fallback-marked")

    page.locator("input[name=no_dispatcher]").check()
    wait_until(
        page,
        f"() => document.querySelectorAll('#case-rows tbody tr').length === 1 && "
        f"document.querySelector('#case-rows').textContent.includes('{fallback.tracking_code}')",
    )
    assert "no_dispatcher=1" in page.url
    screenshot(page, "queue-02-only-the-districts-fallback")

    page.locator("input[name=no_dispatcher]").uncheck()
    page.locator("input[name=overdue]").check()
    # the urgent case's 2 natural hours and the oldest case's working day have both passed
    wait_until(page, "() => document.querySelectorAll('#case-rows tbody tr').length === 2")
    page.select_option("select[name=order]", "deadline")
    wait_until(page, "() => location.search.includes('order=deadline')")
    wait_until(
        page,
        f"() => document.querySelector('#case-rows tbody td.mono').textContent.trim() === '{urgent.tracking_code}'",
    )
    assert rows(page) == [urgent.tracking_code, old.tracking_code]  # due an hour ago, then half an hour ago
    assert "overdue=1" in page.url and "order=deadline" in page.url
    screenshot(page, "queue-03-overdue-by-deadline")

    page.locator("input[name=overdue]").uncheck()
    page.locator("input[name=repeat]").check()
    wait_until(
        page,
        f"() => document.querySelector('#case-rows').textContent.includes('{again.tracking_code}') && "
        "document.querySelectorAll('#case-rows tbody tr').length === 1",
    )
    screenshot(page, "queue-04-repeat-callers")

    # the address bar holds the filters: a reload shows the same queue, the form as it was
    page.reload()
    assert rows(page) == [again.tracking_code]
    assert page.locator("input[name=repeat]").is_checked()
