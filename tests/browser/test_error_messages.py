"""Errors look like errors (issue 14, item 4): a refusal is an alert on a red ground, a success a status on a green
one, in Chinese by default and in English when chosen."""

from __future__ import annotations

import pytest

from fuhe.cases.services.intake import case_create
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RED, GREEN = "rgb(253, 236, 234)", "rgb(230, 244, 234)"


def _background(page, selector: str) -> str:
    return page.evaluate(f"getComputedStyle(document.querySelector({selector!r})).backgroundColor")


def _post(page, base_url: str, path: str, form: dict) -> None:
    """A form sent from this browser (its session and CSRF cookie), as the page's own form would."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{base_url}{path}", form={**form, "csrfmiddlewaretoken": token}, headers={"Referer": base_url}, max_redirects=0
    )
    assert response.status == 302, response.status  # the message waits for the next page


def test_a_refused_action_is_a_red_alert_and_a_done_one_a_green_status(tree, live_server, page_factory, screenshot):
    page = page_factory()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("dispatcher")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    alert = page.locator(".error[role=alert]").first
    assert alert.is_visible() and _background(page, ".error[role=alert]") == RED
    screenshot(page, "error-login-refused")

    page.get_by_label("用户名").fill("dispatcher")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/", timeout=8000)
    case = case_create(
        actor=tree.people["resident"],
        channel="web",
        text="花园路3号楼前井盖缺失，夜里很危险",
        region=tree.regions["花园路社区第1网格"],
    ).case
    act = f"/cases/{case.pk}/act/"
    _post(page, live_server.url, act, {"action": "whistle", "reason": ""})
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    refusal = page.locator("#messages li[role=alert]")
    assert "请至少选择一个需报到的部门" in refusal.inner_text()
    assert _background(page, "#messages li[role=alert]") == RED
    screenshot(page, "error-whistle-refused-zh")

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    _post(page, live_server.url, act, {"action": "whistle", "reason": ""})
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert "Name at least one department to report in." in page.locator("#messages li[role=alert]").inner_text()
    screenshot(page, "error-whistle-refused-en")

    _post(page, live_server.url, act, {"action": "dispatch", "unit": tree.units["和平区城管委"].pk})
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert page.locator("#messages li[role=alert]").count() == 0
    assert _background(page, "#messages li[role=status]") == GREEN
    screenshot(page, "success-dispatched-en")
