"""The resident's side of issue 13 in the browser, with screenshots: rating on the tracking page (no answer chosen in
advance, reasons asked when not satisfied), the rating refused once its window ended, and a resident who left no
phone following the case with the tracking code and the query password shown once after reporting."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from fuhe.cases.models import Case
from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.intake import case_create
from tests.browser.test_login_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def replied_case(tree) -> Case:
    intake = case_create(
        actor=None, channel="hotline", text="新华社区5号楼路灯不亮", address="新华社区", reporter_phone="13800005678"
    )
    handler = tree.people["handler"]
    case = loop.case_dispatch(actor=tree.people["dispatcher"], case=intake.case, unit=tree.units["和平区城管委"])
    for action in ("accept", "start"):
        case = loop.case_transition(actor=handler, case=case, action=action)
    return loop.case_reply(actor=handler, case=case, outcome="resolved", text="已更换灯泡，感谢反映。")


def open_by_phone(page, base_url: str, case: Case) -> None:
    page.goto(f"{base_url}/track/")
    page.locator("#id_code").fill(case.tracking_code)
    page.locator("#id_phone_last4").fill("5678")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/track/{case.tracking_code}/$"))


def test_rating_asks_both_answers_chooses_none_and_wants_reasons(tree, live_server, page_factory, screenshot):
    case = replied_case(tree)
    resident = page_factory(phone=True)
    open_by_phone(resident, live_server.url, case)
    expect(resident.locator("#rate-by")).to_be_visible()
    radios = resident.locator("form.rating input[type=radio]")
    assert radios.count() == 4
    assert all(not radios.nth(n).is_checked() for n in range(4))  # no answer chosen in advance
    screenshot(resident, "rating-01-form-nothing-chosen-phone")
    resident.get_by_label("已解决").check()
    resident.get_by_label("不满意").check()
    resident.locator("form.rating button[type=submit]").click()
    expect(resident.locator("form.rating [role=alert]").first).to_be_visible()  # why not satisfied?
    screenshot(resident, "rating-02-reasons-required-phone")
    assert Case.objects.get(pk=case.pk).rating_satisfied is None
    resident.get_by_label("已解决").check()
    resident.get_by_label("不满意").check()
    resident.locator("form.rating input[value=too_slow]").check()
    resident.locator("form.rating button[type=submit]").click()
    expect(resident.locator("#case-state")).to_have_text("重办")
    screenshot(resident, "rating-03-unsatisfied-recorded-phone")
    rating = Case.objects.get(pk=case.pk).events.get(action="rate")
    assert rating.actor is None and rating.data["reasons"] == ["too_slow"]


def test_the_rating_is_refused_after_its_window(tree, live_server, page_factory, screenshot):
    case = replied_case(tree)
    with time_machine.travel(case.replied_at + timedelta(days=7, minutes=5), tick=True):
        resident = page_factory(phone=True)
        open_by_phone(resident, live_server.url, case)
        expect(resident.locator("#rating-ended")).to_be_visible()
        assert resident.locator("form.rating").count() == 0
        screenshot(resident, "rating-04-window-ended-phone")
        loop.cases_unrated_close()  # the worker's sweep
        resident.reload()
        expect(resident.locator("#case-state")).to_have_text("已办结归档")
        expect(resident.locator(".timeline")).to_contain_text("逾期未评价，归档")
        screenshot(resident, "rating-05-closed-unrated-phone")
        leader = page_factory()
        log_in(leader, live_server.url, "leader")
        leader.goto(f"{live_server.url}/cases/rates/")
        expect(leader.locator("td.unrated").first).to_have_text("1")  # 未评价 beside the rates, in no numerator
        screenshot(leader, "rating-06-rates-page-unrated")
    case.refresh_from_db()
    assert (case.state, case.rating_satisfied, case.rating_resolved) == ("closed", None, None)


def test_a_resident_without_a_phone_tracks_by_code_and_query_password(tree, live_server, page_factory, screenshot):
    reporter = page_factory(phone=True)
    reporter.goto(f"{live_server.url}/report/")
    reporter.get_by_label("遇到了什么问题？").fill("五大道路口积水严重，行人无法通过")
    reporter.get_by_label("在哪里？（地址或地标）").fill("五大道社区")
    reporter.locator("form button[type=submit]").last.click()
    expect(reporter.locator("#query-password")).to_be_visible()
    code = reporter.locator("#tracking-code").inner_text()
    password = reporter.locator("#query-password").inner_text()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", password)
    screenshot(reporter, "password-01-shown-once-after-reporting-phone")
    assert Case.objects.get(tracking_code=code).reporter_phone == ""

    other = page_factory(phone=True)  # another phone, days later: no session, no link
    other.goto(f"{live_server.url}/track/")
    other.locator("#id_code").fill(code)
    other.locator("#id_password").fill(password.lower().replace("-", " "))
    screenshot(other, "password-02-track-form-phone")
    other.locator("form button[type=submit]").click()
    expect(other.locator("#tracking-code")).to_have_text(code)
    assert other.locator("#query-password").count() == 0  # shown once, to the reporter only
    screenshot(other, "password-03-case-opened-phone")
