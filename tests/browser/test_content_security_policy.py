"""Under the enforced Content-Security-Policy (script-src 'self') every page works: the browser refuses nothing
and reports no error. Pages with charts are covered by test_charts.py, which watches the console the same way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fuhe.accounts.models import User
from tests.browser.test_charts import watched_page
from tests.browser.test_login_roles import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_PAGES = ["/", "/cases/", "/cases/queue/", "/cases/new/", "/duties/", "/routing/", "/burden/", "/regions/"]


def test_staff_pages_run_under_the_policy(tree, live_server, page_factory, screenshot):
    page = watched_page(page_factory)
    log_in(page, live_server.url, "dispatcher")
    for path in STAFF_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status in (200, 404), path  # a page the role may not see is a 404, still under the policy
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/regions/")
    page.locator("#q").fill("花园")  # htmx (a static script) still swaps the rows in
    expect(page.locator("#region-rows")).to_contain_text("花园路社区")
    screenshot(page, "csp-regions-search")
    assert page.errors == []


def test_the_api_docs_and_the_back_office_run_under_the_policy(tree, live_server, page_factory, screenshot):
    page = watched_page(page_factory)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=15000)  # Swagger UI drew the operations
    screenshot(page, "csp-api-docs")
    User.objects.create_superuser(username="root", password=PASSWORD, display_name="root")
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/org/region/")
    page.locator("#changelist").wait_for()
    screenshot(page, "csp-admin-regions")
    assert page.errors == []
