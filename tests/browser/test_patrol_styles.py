"""The patrol pages are styled from the static style sheet (web/patrol.css), not from an inline block: on a phone
the tiles and the outcome buttons are large tap targets, and the page holds no <style> element of its own."""

import pytest

from tests.browser.test_login_roles import log_in
from tests.browser.test_patrol import categories  # noqa: F401  (a fixture used by name)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_patrol_page_takes_its_styles_from_the_static_sheet_on_a_phone(
    tree,
    categories,  # noqa: F811
    live_server,
    page_factory,
    screenshot,
):
    worker = page_factory(phone=True)
    violations = []
    worker.on(
        "console", lambda message: violations.append(message.text) if "Content Security" in message.text else None
    )
    log_in(worker, live_server.url, "grid")
    worker.goto(f"{live_server.url}/cases/patrol/")
    sheets = worker.evaluate("() => [...document.styleSheets].map(s => s.href || 'inline')")
    assert any(href.endswith("/static/web/patrol.css") for href in sheets), sheets
    inline = worker.evaluate("() => [...document.querySelectorAll('style')].map(s => s.textContent)")
    assert all(".htmx-indicator" in text for text in inline), inline  # only htmx's own indicator rule
    tile = worker.locator("label.tile").first.bounding_box()
    assert tile["height"] >= 56  # a tap target outdoors, from patrol.css (an unstyled label is one line high)
    fixed = worker.locator("#patrol-fixed")
    assert fixed.bounding_box()["height"] >= 56
    assert fixed.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(31, 122, 58)"  # --ok, white text
    assert not violations, violations
    screenshot(worker, "patrol-07-static-styles-phone")
