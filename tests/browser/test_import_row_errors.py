"""A bad holiday schedule posted on its page: the rows are listed as an error (role=alert), in the reader's language
(issue 14, item 4)."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from fuhe.cases.core.workcalendar import SHANGHAI
from tests.browser.test_login_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = "开始,结束,类型,名称\n2027-02-11,2027-02-05,休,春节\n2027-03-01,2027-03-01,放风,\n"


@pytest.mark.parametrize(
    ("language", "first"),
    [("zh-hans", "第 2 行，"), ("en", "Row 2, column “End”: the range ends before it starts")],
)
def test_a_bad_schedule_is_refused_with_its_rows_named(tree, live_server, page_factory, screenshot, language, first):
    with time_machine.travel(datetime(2026, 12, 2, 10, tzinfo=SHANGHAI), tick=True):
        page = page_factory()
        log_in(page, live_server.url, "admin")
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/cases/calendar/")
        page.locator("#year").fill("2027")
        page.locator("#file").set_input_files(
            files=[{"name": "2027.csv", "mimeType": "text/csv", "buffer": BAD.encode()}]
        )
        page.locator("#calendar-form button[type=submit]").click()
        alert = page.get_by_role("alert")
        expect(alert).to_be_visible()
        items = alert.locator("#calendar-errors li")
        expect(items).to_have_count(2)
        expect(items.first).to_contain_text(first)
        assert "row 2, field" not in alert.inner_text()  # not the log's English line
        screenshot(page, f"calendar-import-errors-{language}")
