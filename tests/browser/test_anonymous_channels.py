"""The anonymous channels in the browser, with screenshots (issue 13, item 3): a burst of reports from one
connection is refused in Chinese with the text kept in the form; a tracking code is locked after repeated wrong
digits; a report sent twice (a double tap, a retry) answers with the stored case and says so."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fuhe.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def limits(settings):
    settings.FUHE_RATE_LIMITS = {**settings.FUHE_RATE_LIMITS, "report": "2/m", "track_failures": "3/15m"}


def report(page, base_url: str, text: str) -> None:
    page.goto(f"{base_url}/report/")
    page.fill("#id_text", text)
    page.fill("#id_address", "五大道社区")
    page.locator("button[type=submit].primary").click()


def test_a_burst_of_reports_is_refused_and_keeps_the_text(tree, live_server, page_factory, screenshot, limits):
    resident = page_factory(phone=True)
    for n in (1, 2):
        report(resident, live_server.url, f"第{n}件：路灯不亮")
        resident.wait_for_selector("#tracking-code")
    report(resident, live_server.url, "第3件：楼道堆物堵住消防通道")
    alert = resident.locator("[role=alert]").first
    expect(alert).to_contain_text("本网络提交过于频繁")
    expect(resident.locator("#id_text")).to_have_value("第3件：楼道堆物堵住消防通道")
    screenshot(resident, "anonymous-01-burst-refused-phone")
    assert Case.objects.count() == 2


def test_a_tracking_code_is_locked_after_wrong_digits(tree, live_server, page_factory, screenshot, limits):
    report(page_factory(), live_server.url, "小区门口井盖缺失")  # reported from another browser, with no phone
    code = Case.objects.get().tracking_code
    visitor = page_factory(phone=True)
    for guess in ("0000", "0001", "0002", "0003"):
        visitor.goto(f"{live_server.url}/track/")
        visitor.fill("#id_code", code)
        visitor.fill("#id_phone_last4", guess)
        visitor.locator("form button[type=submit]").click()
        visitor.wait_for_load_state()
    expect(visitor.locator("[role=alert]").first).to_contain_text("该查询码的错误尝试次数过多")
    screenshot(visitor, "anonymous-02-code-locked-phone")


def test_a_report_sent_twice_answers_with_the_stored_case(tree, live_server, page_factory, screenshot):
    resident = page_factory(phone=True)
    resident.goto(f"{live_server.url}/report/")
    resident.fill("#id_text", "五大道路口积水严重，车辆无法通行")
    resident.fill("#id_address", "五大道社区")
    form = {
        name: resident.locator(f"#main input[name={name}]").input_value()
        for name in ("csrfmiddlewaretoken", "submission_id")
    }
    resident.locator("button[type=submit].primary").click()
    resident.wait_for_selector("#tracking-code")
    first = resident.url
    # the second tap: the same form, sent again from the same browser (cookies and all)
    again = resident.request.post(
        f"{live_server.url}/report/",
        form={**form, "text": "五大道路口积水严重，车辆无法通行", "address": "五大道社区"},
        headers={"Referer": f"{live_server.url}/report/"},
        max_redirects=0,
    )
    assert again.status == 302 and again.headers["location"] in first
    resident.goto(first)
    expect(resident.locator(".messages")).to_contain_text("已经收到")
    screenshot(resident, "anonymous-03-sent-twice-phone")
    assert Case.objects.count() == 1
    assert re.search(r"/track/F[0-9A-Z]{9}/$", first)
