"""A dispatcher finds a unit in the picker by the pinyin initials or the pinyin of its name (issue 14, item 3),
on the case page that shows how long the case may still wait for its dispatch."""

import pytest
from playwright.sync_api import expect

from fuhe.cases.services.intake import case_create
from tests.browser.conftest import wait_until
from tests.browser.test_login_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dispatcher_finds_the_unit_by_initials_and_by_pinyin(tree, live_server, page_factory, screenshot, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "0.99"  # nothing is dispatched automatically
    case = case_create(actor=None, channel="hotline", text="井盖丢了", region=tree.regions["花园路社区"]).case
    page = page_factory()
    log_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("#intake-due time")).to_be_visible()  # the dispatch limit, before the sweep wrote it
    assert page.locator("#intake-due").get_attribute("data-overdue") == "no"

    search = page.locator("#unit-dispatch-q")
    search.fill("hpqcgw")
    wait_until(  # the search's answer replaced the opening list: only the matching unit is left
        page,
        "() => { const o = document.querySelectorAll('#unit-dispatch-list [role=option]');"
        " return o.length === 1 && o[0].textContent.includes('和平区城管委'); }",
    )
    options = page.locator("#unit-dispatch-list [role=option]").all_inner_texts()
    assert [text.split()[0] for text in options] == ["和平区城管委"]
    screenshot(page, "dispatch-picker-06-initials")
    search.fill("jiedao")
    wait_until(
        page,
        "() => { const t = document.querySelector('#unit-dispatch-list').textContent;"
        " return t.includes('劝业场街道办事处') && !t.includes('城管委'); }",
    )
    options = page.locator("#unit-dispatch-list [role=option]").all_inner_texts()
    assert options[0].startswith("劝业场街道办事处") and not any("城管委" in text for text in options)
    search.fill("chengguan")
    wait_until(  # the search's answer replaced the opening list: only the matching unit is left
        page,
        "() => { const o = document.querySelectorAll('#unit-dispatch-list [role=option]');"
        " return o.length === 1 && o[0].textContent.includes('和平区城管委'); }",
    )
    search.press("ArrowDown")
    search.press("Enter")
    assert page.locator("#unit-dispatch").input_value() == str(tree.units["和平区城管委"].pk)
    screenshot(page, "dispatch-picker-07-pinyin-chosen")
