"""The regions HTMX swaps stay in the page as polite live regions, are marked aria-busy while their request runs,
and still work: the region search and the reveal of a personal value (twice: the target survives the swap)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_until
from tests.browser.test_charts import watched_page
from tests.browser.test_login_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# the value aria-busy had before each change of it, in order, from now on
RECORD_BUSY = """(selector) => {
  window.busyStates = [];
  new MutationObserver((records) => records.forEach((r) => window.busyStates.push(r.oldValue)))
    .observe(document.querySelector(selector), {attributeFilter: ["aria-busy"], attributeOldValue: true});
}"""


def test_the_search_results_are_a_live_region_busy_while_loading(tree, live_server, page_factory):
    page = watched_page(page_factory)
    log_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/regions/{tree.regions['劝业场街道'].pk}/")
    results = page.locator("#region-results")
    assert results.get_attribute("aria-live") == "polite"
    page.evaluate(RECORD_BUSY, "#region-results")
    page.get_by_placeholder("在本区划内搜索").fill("新华")
    expect(page.locator("#region-rows")).not_to_contain_text("花园路社区")
    wait_until(page, "() => window.busyStates.length >= 2")
    assert page.evaluate("window.busyStates") == [None, "true"]  # set while loading, then removed
    assert results.get_attribute("aria-busy") is None
    assert page.locator("#region-results > #region-rows").count() == 1  # swapped inside, not nested twice
    assert page.errors == []


def test_revealing_a_personal_value_updates_a_live_region_that_survives_the_swap(tree, live_server, page_factory):
    page = watched_page(page_factory)
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/people/{tree.people['community'].pk}/")
    phone = page.locator("#pd-phone")
    assert phone.get_attribute("aria-live") == "polite" and "138****5678" in phone.inner_text()
    show = page.locator("#pd-phone ~ button")
    assert show.get_attribute("type") == "button"
    show.click()
    page.locator("#pd-phone .revealed").wait_for()
    assert phone.locator(".revealed").inner_text() == "13812345678"
    show.click()  # the target is still there: a second reveal works (and is audited again)
    page.wait_for_load_state("networkidle")
    assert page.locator("#pd-phone .revealed").count() == 1 and page.errors == []
