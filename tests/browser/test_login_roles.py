"""Log in as two roles, see the right home page and only the right regions, switch language."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, username: str):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/", timeout=8000)


def test_dispatcher_and_resident_see_their_own_homes_and_regions(tree, live_server, page_factory, screenshot):
    dispatcher = page_factory()
    log_in(dispatcher, live_server.url, "dispatcher")
    section = dispatcher.locator('[data-role="street_dispatcher"]')
    assert "劝业场街道" in section.inner_text()
    screenshot(dispatcher, "dispatcher-home")

    dispatcher.get_by_role("link", name="区划").first.click()
    dispatcher.get_by_role("link", name="劝业场街道").click()
    rows = dispatcher.locator("#region-rows tbody").inner_text()
    assert "花园路社区" in rows and "新华社区" in rows and "五大道社区" not in rows
    dispatcher.get_by_placeholder("在本区划内搜索").fill("新华")
    expect(dispatcher.locator("#region-rows")).not_to_contain_text("花园路社区")
    assert "新华社区" in dispatcher.locator("#region-rows").inner_text()
    screenshot(dispatcher, "dispatcher-street-search")
    response = dispatcher.goto(f"{live_server.url}/regions/{tree.regions['小白楼街道'].pk}/")
    assert response.status == 404

    resident = page_factory(phone=True)
    log_in(resident, live_server.url, "resident")
    assert resident.locator('[data-role="resident"]').is_visible()
    assert resident.locator('[data-role="street_dispatcher"]').count() == 0
    screenshot(resident, "resident-home-phone")
    resident.goto(f"{live_server.url}/regions/")
    listing = resident.locator("#region-rows").inner_text()
    assert "花园路社区" in listing and "劝业场街道" not in listing


def test_switching_language_to_english_and_back(tree, live_server, page_factory, screenshot):
    page = page_factory()
    log_in(page, live_server.url, "community")
    assert page.get_by_role("link", name="区划").first.is_visible()
    page.select_option("#language", "en")
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("link", name="Regions").first.is_visible()
    assert "Welcome" in page.locator("h1").inner_text()
    screenshot(page, "community-home-english")
    page.select_option("#language", "zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")
    assert "您好" in page.locator("h1").inner_text()
