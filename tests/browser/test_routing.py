"""The dispatcher opens a new case, sees the recommendation and its reasons, corrects it, and the correction
appears as training data."""

import pytest

from fuhe.cases.services.intake import case_create
from fuhe.routing.models import RoutingExample
from tests.browser.test_login_roles import log_in
from tests.duties.factories import district_governments, make_list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dispatcher_sees_the_recommendation_corrects_it_and_it_becomes_training_data(
    tree, live_server, page_factory, screenshot, settings
):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = None
    district_governments(tree)
    make_list(tree)
    case = case_create(
        actor=None, channel="hotline", text="花园路3号楼前井盖缺失，夜里很危险", region=tree.regions["花园路社区"]
    ).case  # routed on commit, like every intake
    page = page_factory(locale="en-US")
    log_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    panel = page.locator("#routing-panel")
    assert panel.locator("#routing-recommendation").get_attribute("data-item-code") == "CG-01"
    assert "和平区城管委" in panel.locator("#routing-unit-name").inner_text()
    reasons = panel.locator("#routing-reasons").inner_text()
    assert "井盖" in reasons and "测试清单 v1" in reasons
    assert panel.locator("#routing-alternatives li").count() == 3
    screenshot(page, "routing-recommendation")

    page.select_option("#routing-item", label="JD-01 违章建筑查处")
    page.fill("#routing-reason", "门前井盖被违建压住，由街道综合执法处理")
    page.click("#routing-dispatch")
    page.wait_for_selector("#routing-dispatcher-decision")
    assert "劝业场街道办事处" in page.locator("dl.facts").first.inner_text()
    assert "JD-01" in page.locator("#routing-dispatcher-decision").inner_text()
    screenshot(page, "routing-corrected")

    example = RoutingExample.objects.get(case=case)
    assert (example.source, example.recommended_code, example.duty_item_code) == ("correction", "CG-01", "JD-01")
    page.goto(f"{live_server.url}/routing/")
    assert case.tracking_code in page.locator("#corrections").inner_text()
    assert page.locator('#example-counts [data-source="correction"] strong').inner_text() == "1"
    screenshot(page, "routing-dashboard")
