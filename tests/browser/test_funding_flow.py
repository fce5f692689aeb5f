"""Project-based allocation in the browser, with screenshots: a street office publishes a call → a social
organisation applies against a demand → two panel members score (a third, from the applicant's own unit, is told
they cannot) → the office awards by the ranking → pays a tranche → the organisation records spending and reports
the delivery → the community (requester of the demand) confirms → the demand is closed → the money's path page."""

import pytest
from django.utils import timezone

from fuhe.funding.models import Application, Call
from fuhe.resources.models import DemandState
from tests.browser.conftest import wait_until
from tests.browser.test_login_roles import log_in
from tests.funding.conftest import SOCIAL_ORG, funding  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(page_factory, live_server, username):
    page = page_factory()
    log_in(page, live_server.url, username)
    return page


def test_call_apply_score_award_spend_deliver_confirm_and_money_path(
    funding,  # noqa: F811
    live_server,
    page_factory,
    screenshot,
):
    base = live_server.url
    today = timezone.localdate()
    owner = as_user(page_factory, live_server, "dispatcher")
    owner.goto(f"{base}/funding/")
    assert owner.locator("#nav-projects").count() == 1
    owner.locator("#new-call").click()
    owner.select_option("#id_owner", str(funding.units["劝业场街道办事处"].pk))
    owner.fill("#id_title", "2026年劝业场街道助老公益创投")
    owner.fill("#id_budget", "80000")
    owner.check('input[name=eligible_kinds][value="social_org"]')
    owner.check(f'input[name=demands][value="{funding.demand.pk}"]')
    for name in ("leader", "supervisor", "expert"):
        owner.check(f'input[name=panel][value="{funding.people[name].pk}"]')
    owner.fill("#id_criterion_weight_4", "30")  # 30 + 30 + 20 + 30 = 110: refused, naming the criteria
    owner.locator("#publish-call").click()
    owner.wait_for_load_state()
    assert owner.locator("#form-errors").is_visible()
    screenshot(owner, "funding-01-weights-refused")
    owner.fill("#id_criterion_weight_4", "20")
    owner.locator("#publish-call").click()
    owner.wait_for_url("**/funding/calls/*/")
    call = Call.objects.get()
    screenshot(owner, "funding-02-call-published")

    org = as_user(page_factory, live_server, "sg-worker")
    org.goto(f"{base}/funding/calls/{call.pk}/")
    org.locator("#apply-link").click()
    org.select_option("#id_applicant", str(funding.units[SOCIAL_ORG].pk))
    org.select_option("#id_demand", str(funding.demand.pk))
    org.fill("#id_title", "花园路独居老人助餐")
    org.fill("#id_plan", "每周五天为30户独居老人送餐，社工每月上门探访一次。")
    org.fill("#id_requested", "50000")
    org.fill("#id_deliverable_1", "助餐服务")
    org.fill("#id_quantity_1", "30")
    org.fill("#id_unit_label_1", "户")
    org.fill("#id_due_on_1", f"{today:%Y-%m-%d}")
    org.locator("#submit-application").click()
    org.wait_for_url("**/funding/applications/*/")
    application = Application.objects.get()
    screenshot(org, "funding-03-applied")

    expert = as_user(page_factory, live_server, "expert")
    expert.goto(f"{base}/funding/applications/{application.pk}/")
    assert expert.locator("#conflict").is_visible() and expert.locator("#score-form").count() == 0
    for scored, (member, value) in enumerate((("leader", "85"), ("supervisor", "75")), start=1):
        page = as_user(page_factory, live_server, member)
        page.goto(f"{base}/funding/applications/{application.pk}/")
        inputs = page.locator("#score-form input[type=number]")
        for i in range(inputs.count()):
            inputs.nth(i).fill(value)
        page.locator("#submit-scores").click()
        page.wait_for_load_state()
        assert page.locator("#score-history tr[data-score]").count() == 4 * scored  # four criteria each
    screenshot(page, "funding-04-scored")

    owner.goto(f"{base}/funding/calls/{call.pk}/")
    assert owner.locator(f'tr[data-application="{application.pk}"]').get_attribute("data-outcome") == "awarded"
    owner.locator("#award-call").click()
    owner.wait_for_load_state()
    assert owner.locator("#call").get_attribute("data-state") == "awarded"
    screenshot(owner, "funding-05-awarded")
    owner.goto(f"{base}/funding/applications/{application.pk}/")
    owner.fill("#tranche_amount", "50000.01")  # above the award: refused, nothing written
    owner.locator("#record-tranche").click()
    owner.wait_for_load_state()
    assert owner.locator("#tranche-form .error").count() >= 1
    owner.fill("#tranche_amount", "30000")
    owner.fill("#tranche_note", "首笔拨付")
    owner.locator("#record-tranche").click()
    owner.wait_for_load_state()
    assert owner.locator("#tranches tr[data-tranche]").count() == 1

    org.goto(f"{base}/funding/applications/{application.pk}/")
    org.fill("#spending_amount", "12800.50")
    org.fill("#spending_purpose", "食材与餐盒")
    org.locator("#record-spending").click()
    org.wait_for_load_state()
    assert org.locator("#spent").inner_text() == "12,800.50"
    deliverable = application.deliverables.get()
    org.locator(f"#report-{deliverable.pk} button").click()
    org.wait_for_load_state()
    assert org.locator(f'tr[data-deliverable="{deliverable.pk}"]').get_attribute("data-state") == "reported"
    assert org.locator(f"#confirm-{deliverable.pk}").count() == 0  # the awardee never confirms
    screenshot(org, "funding-06-spent-and-reported")

    requester = as_user(page_factory, live_server, "community")
    requester.goto(f"{base}/funding/applications/{application.pk}/")
    requester.locator(f"#confirm-{deliverable.pk} button").click()
    requester.wait_for_load_state()
    assert requester.locator(f'tr[data-deliverable="{deliverable.pk}"]').get_attribute("data-state") == "confirmed"
    assert requester.locator("#demand-state").get_attribute("data-state") == DemandState.CLOSED
    screenshot(requester, "funding-07-confirmed-demand-closed")

    owner.goto(f"{base}/funding/calls/{call.pk}/money/")
    wait_until(owner, "() => document.getElementById('money-sankey').dataset.ready === '1'")
    assert owner.locator("#figure-awarded").inner_text() == "50,000.00"
    assert owner.locator("#figure-disbursed").inner_text() == "30,000.00"
    assert owner.locator("#figure-spent").inner_text() == "12,800.50"
    assert owner.locator('tr[data-row="spending"]').count() == 1
    screenshot(owner, "funding-08-money-path")
