"""The staff banner about a missing holiday schedule, and loading the schedule on its page (issue 13, item 6)."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from fuhe.cases.core.workcalendar import SHANGHAI
from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.intake import case_create
from tests.browser.test_login_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHEDULE = """开始,结束,类型,名称
2027-01-01,2027-01-04,休,元旦
2027-02-05,2027-02-11,休,春节
2027-02-14,2027-02-14,班,春节
2027-04-05,2027-04-05,休,清明节
2027-05-01,2027-05-05,休,劳动节
2027-06-09,2027-06-09,休,端午节
2027-09-15,2027-09-15,休,中秋节
2027-10-01,2027-10-07,休,国庆节
"""


def test_the_banner_leads_the_administrator_to_load_2027(tree, live_server, page_factory, screenshot):
    with time_machine.travel(datetime(2026, 12, 28, 10, tzinfo=SHANGHAI), tick=True):
        case = case_create(
            actor=tree.people["resident"], channel="web", text="花园路3号楼前井盖缺失", address="花园路社区"
        ).case
        case = loop.case_dispatch(actor=tree.people["dispatcher"], case=case, unit=tree.units["和平区城管委"])
        page = page_factory()
        log_in(page, live_server.url, "admin")
        banner = page.locator("#calendar-banner")
        expect(banner).to_contain_text("2027")
        screenshot(page, "calendar-banner")

        banner.get_by_role("link").click()
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator('#calendar-years tr[data-year="2027"]')).to_have_attribute("data-known", "no")
        assert page.locator("#year").input_value() == "2027"
        page.locator("#file").set_input_files(
            files=[{"name": "2027.csv", "mimeType": "text/csv", "buffer": SCHEDULE.encode()}]
        )
        page.locator("#calendar-form button[type=submit]").click()
        result = page.locator("#calendar-result")
        expect(result).to_be_visible()
        expect(result.locator("#recomputed")).to_contain_text(case.tracking_code)
        expect(page.locator('#calendar-years tr[data-year="2027"]')).to_have_attribute("data-known", "yes")
        assert page.locator("#calendar-banner").count() == 0
        screenshot(page, "calendar-import-result")

        page.locator("#recomputed a").first.click()
        expect(page.locator(".timeline")).to_contain_text("2027-01-06 17:30")
        screenshot(page, "calendar-recomputed-case")


def test_row_errors_are_listed_on_the_page(tree, live_server, page_factory, screenshot):
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=SHANGHAI), tick=True):
        page = page_factory()
        log_in(page, live_server.url, "admin")
        page.goto(f"{live_server.url}/cases/calendar/")
        page.locator("#file").set_input_files(
            files=[
                {"name": "2027.csv", "mimeType": "text/csv", "buffer": "2027-01-01,休,元旦\n2026-12-31,休,\n".encode()}
            ]
        )
        page.locator("#calendar-form button[type=submit]").click()
        expect(page.locator("#calendar-errors li")).to_have_count(1)
        expect(page.locator("#calendar-banner")).to_be_visible()
        screenshot(page, "calendar-import-errors")
