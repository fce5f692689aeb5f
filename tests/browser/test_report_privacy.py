"""Privacy in the browser, with screenshots: a report is private unless the resident ticks the box, the form shows
what a published summary would say, the public feed lists only the published one (redacted), and the dispatcher's
"show number" reveals the phone and leaves one audit event; a community worker has no such button."""

import re

import pytest

from fuhe.audit.models import AuditEvent
from fuhe.cases.models import Case
from tests.browser.conftest import wait_until
from tests.browser.test_login_roles import log_in
from tests.cases.conftest import new_case  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "花园路3号楼2单元501室门口井盖缺失，我叫张三，电话139-1234-5678"
ADDRESS = "花园路社区3号楼2单元501室"

# The room number as a number of its own, not three characters inside a random token or id.
ROOM = re.compile(r"(?<![A-Za-z0-9])501(?![A-Za-z0-9])")


def fill_report(page, base_url: str, *, publish: bool) -> str:
    page.goto(f"{base_url}/report/")
    page.fill("#id_text", TEXT)
    page.fill("#id_address", ADDRESS)
    page.fill("#id_phone", "13912345678")
    wait_until(page, "() => document.querySelector('#preview-text').textContent.includes('139-****-5678')")
    assert page.locator("#id_is_public").is_checked() is False  # private unless ticked
    if publish:
        page.check("#id_is_public")
    return page.locator("#publish-preview").inner_text()


def test_publication_is_opt_in_and_previews_the_redacted_summary(tree, live_server, page_factory, screenshot):
    private = page_factory(phone=True)
    preview = fill_report(private, live_server.url, publish=False)
    assert "3号楼*单元***室" in preview and "我叫张*" in preview and "139-****-5678" in preview
    assert "13912345678" not in preview and "张三" not in preview and not ROOM.search(preview)
    private.locator("#publish").scroll_into_view_if_needed()
    screenshot(private, "privacy-01-report-private-by-default")
    private.locator("button[type=submit].primary").click()
    private.wait_for_selector("#tracking-code")

    published = page_factory(phone=True)
    fill_report(published, live_server.url, publish=True)
    published.locator("#publish").scroll_into_view_if_needed()
    screenshot(published, "privacy-02-report-publish-ticked")
    published.locator("button[type=submit].primary").click()
    published.wait_for_selector("#tracking-code")

    assert sorted(Case.objects.values_list("is_public", flat=True)) == [False, True]
    feed = page_factory()
    feed.goto(f"{live_server.url}/open311/v2/requests.json")
    body = feed.locator("body").inner_text()
    assert body.count("service_request_id") == 1  # only the published one
    assert "139-****-5678" in body and "3号楼*单元***室" in body
    assert "13912345678" not in body and "1234-5678" not in body and "张三" not in body
    screenshot(feed, "privacy-03-public-feed-redacted")


def test_show_number_reveals_the_phone_and_is_audited(tree, live_server, page_factory, screenshot, new_case):  # noqa: F811
    case = new_case(text=TEXT, address=ADDRESS, reporter_name="张三")
    dispatcher = page_factory()
    log_in(dispatcher, live_server.url, "dispatcher")
    dispatcher.goto(f"{live_server.url}/cases/{case.pk}/")
    assert dispatcher.locator("#reporter-phone").inner_text().startswith("139****5678")
    assert "139-****-5678" in dispatcher.locator("#case-text").inner_text()
    screenshot(dispatcher, "privacy-04-dispatcher-phone-masked")
    dispatcher.click("#reveal-phone")
    wait_until(dispatcher, "() => document.querySelector('#reporter-phone').textContent.includes('13912345678')")
    screenshot(dispatcher, "privacy-05-dispatcher-phone-revealed")
    events = AuditEvent.objects.filter(action="case.reporter_phone.view", object_id=str(case.pk))
    assert [(e.actor_id, e.object_type) for e in events] == [(tree.people["dispatcher"].pk, "cases.case")]

    community = page_factory()
    log_in(community, live_server.url, "community")
    community.goto(f"{live_server.url}/cases/{case.pk}/")
    assert community.locator("#reveal-phone").count() == 0 and community.locator("#reveal-text").count() == 0
    page = community.locator("main").inner_text()
    assert "张三" not in page and not ROOM.search(page) and "139****5678" in page
    screenshot(community, "privacy-06-community-worker-redacted")
