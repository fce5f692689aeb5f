"""Dispatching is fast and safe (issue 14, item 3), in a desktop browser: nothing is chosen for the dispatcher,
sending without a choice is refused beside the field, typing finds the unit (keyboard only), the recommended unit
is one click, and the caller's earlier cases are on the page with the phone masked."""

import pytest
from playwright.sync_api import expect

from fuhe.cases.services.intake import case_create
from tests.browser.conftest import wait_until
from tests.browser.test_login_roles import log_in
from tests.duties.factories import district_governments, make_list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dispatcher_types_in_the_picker_and_dispatches(tree, live_server, page_factory, screenshot, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "0.99"  # nothing is dispatched automatically
    district_governments(tree)
    make_list(tree)
    phone = "13912345678"
    earlier = case_create(
        actor=None,
        channel="hotline",
        text="花园路3号楼路灯不亮",
        region=tree.regions["花园路社区"],
        reporter_phone=phone,
    ).case
    case = case_create(
        actor=None, channel="hotline", text="井盖丢了", region=tree.regions["花园路社区"], reporter_phone=phone
    ).case
    page = page_factory()
    log_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/cases/{case.pk}/")

    assert page.locator("#unit-dispatch").input_value() == ""  # no unit chosen silently
    recommended = page.locator("#unit-dispatch-recommended")
    assert "和平区城管委" in recommended.inner_text() and "%" in recommended.inner_text()
    assert page.locator("#unit-dispatch-reasons li").count() >= 1  # why the recommendation is weak
    callers = page.locator("#caller-cases")
    assert earlier.tracking_code in callers.inner_text() and "139****5678" in callers.inner_text()
    assert phone not in callers.inner_text()

    page.locator("form.action-dispatch button[type=submit]").click()  # sent without a choice
    expect(page.locator("#unit-dispatch-error")).to_be_visible()
    assert page.locator("#unit-dispatch-error").get_attribute("role") == "alert"
    assert page.locator("#case-state").get_attribute("data-state") == "received"
    screenshot(page, "dispatch-picker-01-no-choice-refused")

    search = page.locator("#unit-dispatch-q")
    search.fill("街道")
    wait_until(page, "() => !document.querySelector('#unit-dispatch-list').textContent.includes('城管委')")
    expect(page.locator("#unit-dispatch-list [role=option]").first).to_be_visible()
    options = page.locator("#unit-dispatch-list [role=option]").all_inner_texts()
    assert options[0].startswith("劝业场街道办事处")  # the case's own street before the others
    assert not any("渔阳镇" in text or "蓟州区" in text for text in options)  # another district: never listed
    search.fill("城管")
    wait_until(page, "() => document.querySelector('#unit-dispatch-list').textContent.includes('和平区城管委')")
    options = page.locator("#unit-dispatch-list [role=option]").all_inner_texts()
    assert [text.split()[0] for text in options] == ["和平区城管委"]  # 蓟州区城管委 is another district's
    screenshot(page, "dispatch-picker-02-typed")
    search.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == f"unit-dispatch-option-{tree.units['和平区城管委'].pk}"
    search.press("Enter")  # chooses; does not send
    assert page.locator("#unit-dispatch").input_value() == str(tree.units["和平区城管委"].pk)
    assert page.locator("#case-state").get_attribute("data-state") == "received"
    expect(page.locator("#unit-dispatch-error")).to_be_hidden()
    screenshot(page, "dispatch-picker-03-chosen")

    page.locator("form.action-dispatch button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#case-state").get_attribute("data-state") == "dispatched"
    assert "和平区城管委" in page.locator("dl.facts").first.inner_text()
    screenshot(page, "dispatch-picker-04-dispatched")


def test_the_recommended_unit_is_one_click_and_the_queue_picker_searches_too(
    tree, live_server, page_factory, screenshot, settings
):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "0.99"
    district_governments(tree)
    make_list(tree)
    first = case_create(actor=None, channel="hotline", text="井盖丢了", region=tree.regions["花园路社区"]).case
    page = page_factory()
    log_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/cases/{first.pk}/")
    page.locator("#unit-dispatch-recommended [data-pick]").first.click()
    assert page.locator("#unit-dispatch").input_value() == str(tree.units["和平区城管委"].pk)

    second = case_create(actor=None, channel="hotline", text="楼道堆物", region=tree.regions["新华社区"]).case
    page.goto(f"{live_server.url}/cases/queue/")
    assert page.locator("#bulk-unit").input_value() == ""
    page.locator(f'input[name=case][value="{second.pk}"]').check()
    page.locator("#bulk-unit-q").fill("新华")
    option = page.locator("#bulk-unit-list [role=option]").first
    expect(option).to_contain_text("新华社区居委会")
    option.click()
    assert page.locator("#bulk-unit").input_value() == str(tree.units["新华社区居委会"].pk)
    screenshot(page, "dispatch-picker-05-queue")
    page.locator(".bulkbar button[type=submit]").click()
    page.wait_for_load_state()
    second.refresh_from_db()
    assert second.state == "dispatched" and second.owner_unit == tree.units["新华社区居委会"]
