"""Volunteers in the browser: the legal-aid centre certifies a volunteer → a community worker posts a legal-aid
request → an uncertified resident cannot take it → the certified volunteer takes it and records the service → the
owner counter-signs (not without ticking the signature) → the points are credited → redeemed (not above the
balance). Each refusal shows a clear error and writes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.org.models import Unit, UnitKind
from fuhe.participation.models import Entry, RedemptionItem, RequestState, ServiceRequest, Transaction
from tests.browser.test_login_roles import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page, selector: str) -> None:
    """Click a button that posts a form and wait for the page it leads to (the shared machine can be slow)."""
    with page.expect_navigation(timeout=30_000):
        page.locator(selector).click()


@pytest.fixture
def legal_aid_centre(tree):
    centre = Unit.objects.create(name="和平区法律援助中心", kind=UnitKind.SOCIAL_ORG, region=tree.regions["和平区"])
    officer = User.objects.create_user(username="legal-aid", password=PASSWORD, display_name="王律师")
    RoleAssignment.objects.create(user=officer, role=Role.DEPARTMENT_HANDLER, region=centre.region, unit=centre)
    return centre


def test_certified_volunteer_takes_legal_aid_is_signed_credited_and_redeems(
    tree, legal_aid_centre, live_server, page_factory, screenshot
):
    base = live_server.url
    committee = tree.units["花园路社区居委会"]
    today = timezone.localdate()

    # 1. the legal-aid centre certifies the volunteer (legal aid, intermediate)
    officer = page_factory()
    log_in(officer, base, "legal-aid")
    expect(officer.locator("#nav-volunteering")).to_be_visible()
    officer.goto(f"{base}/volunteering/certifications/")
    officer.fill("#id_volunteer", "volunteer")
    officer.select_option("#id_field", "legal")
    officer.select_option("#id_level", "2")
    officer.fill("#id_evidence", "法律职业资格证书 A20191201")
    officer.fill("#id_valid_from", (today - timedelta(days=10)).isoformat())
    officer.fill("#id_valid_until", (today + timedelta(days=365)).isoformat())
    _submit(officer, "#certification-submit")
    expect(officer.locator("#issued")).to_contain_text("volunteer")
    screenshot(officer, "volunteer-1-certified")

    # 2. the community worker posts a legal-aid request
    worker = page_factory()
    log_in(worker, base, "community")
    worker.goto(f"{base}/volunteering/requests/new/")
    worker.fill("#id_title", "租房押金纠纷法律咨询")
    worker.select_option("#id_field", "legal")
    worker.select_option("#id_region", str(tree.regions["花园路社区"].pk))
    worker.fill("#id_place", "花园路社区党群服务中心")
    worker.fill("#id_starts_at", f"{timezone.localtime() - timedelta(hours=4):%Y-%m-%dT%H:%M}")
    worker.fill("#id_expected_hours", "2")
    _submit(worker, "#request-submit")
    request = ServiceRequest.objects.get()
    assert request.owner == tree.people["community"] and request.unit == committee
    screenshot(worker, "volunteer-2-request-posted")

    # 3. an uncertified resident cannot take it: a clear error, nothing written
    resident = page_factory()
    log_in(resident, base, "resident")
    resident.goto(f"{base}/volunteering/requests/{request.pk}/")
    expect(resident.locator("#not-certified")).to_be_visible()  # the texts are new msgids: not yet in Chinese
    _submit(resident, "#take-button")
    expect(resident.locator("#action-error")).to_be_visible()
    screenshot(resident, "volunteer-3-uncertified-refused")
    request.refresh_from_db()
    assert request.state == RequestState.OPEN and request.volunteer is None

    # 4. the certified volunteer sees it, takes it and records the service
    volunteer = page_factory(phone=True)
    log_in(volunteer, base, "volunteer")
    volunteer.goto(f"{base}/volunteering/")
    volunteer.locator(f'#available-requests [data-request="{request.pk}"]').click()
    _submit(volunteer, "#take-button")
    volunteer.fill("#id_content", "解答押金退还问题，协助起草催告函")
    volunteer.fill("#id_started_at", f"{timezone.localtime() - timedelta(hours=3):%Y-%m-%dT%H:%M}")
    volunteer.fill("#id_hours", "2")
    _submit(volunteer, "#record-submit")
    expect(volunteer.locator("#request")).to_have_attribute("data-state", "recorded")
    screenshot(volunteer, "volunteer-4-recorded")

    # 5. the owner: an earning without the signature is refused, nothing written; then signed
    worker.goto(f"{base}/volunteering/requests/{request.pk}/")
    _submit(worker, "#sign-button")
    expect(worker.locator("#action-error")).to_be_visible()
    screenshot(worker, "volunteer-5-signature-missing")
    assert Transaction.objects.count() == 0 and Entry.objects.count() == 0
    worker.check("#id_confirmed")
    _submit(worker, "#sign-button")
    expect(worker.locator("#record-signed")).to_be_visible()
    screenshot(worker, "volunteer-6-signed")

    # 6. the volunteer holds 20 points; a redemption above the balance is refused, one within it succeeds
    volunteer.goto(f"{base}/volunteering/")
    expect(volunteer.locator("#points-balance")).to_have_text("20")
    screenshot(volunteer, "volunteer-7-points")
    dear = RedemptionItem.objects.create(name="家电小修", points=50, owner=committee, stock=3)
    cheap = RedemptionItem.objects.create(name="社区理发", points=15, owner=committee, stock=3)
    volunteer.goto(f"{base}/volunteering/catalogue/")
    volunteer.locator(f"#redeem-{dear.pk}").click()
    expect(volunteer.locator("#redeem-error")).to_contain_text("20")
    screenshot(volunteer, "volunteer-8-redeem-refused")
    assert Transaction.objects.count() == 1
    dear.refresh_from_db()
    assert dear.stock == 3
    volunteer.locator(f"#redeem-{cheap.pk}").click()
    expect(volunteer.locator("#redeem-done")).to_be_visible()
    expect(volunteer.locator("#points-balance")).to_have_text("5")
    screenshot(volunteer, "volunteer-9-redeemed")
    cheap.refresh_from_db()
    assert cheap.stock == 2
