"""Urban–rural pairing and emergency mode in the browser: a paired township's dispatcher raises a demand that the
street's shared resource serves; a region switched into emergency pre-empts a lower-priority reservation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.resources.models import DemandPriority, DemandSource, Match, MatchState, Pairing, ResourceKind
from fuhe.resources.services import (
    demand_create,
    match_accept,
    match_confirm,
    match_deliver,
    match_offer,
    matching_run,
    resource_register,
)
from tests.browser.test_login_roles import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STREET_POINT = {"latitude": "39.121000", "longitude": "117.199000"}


def _water(tree, capacity=5):
    return resource_register(
        actor=tree.people["volunteer"],
        owner_id=tree.units["劝业场街道志愿服务队"].pk,
        name="结对共享·应急饮用水",
        kind=ResourceKind.STOCKPILE,
        capacity=capacity,
        contact_phone="13912345678",
        **STREET_POINT,
    )


def test_a_paired_township_is_served_by_the_streets_shared_pool(tree, live_server, page_factory, screenshot):
    leader = User.objects.create_user(username="city-leader", password=PASSWORD)
    RoleAssignment.objects.create(user=leader, role=Role.LEADER, region=tree.regions["市辖区"])
    water = _water(tree)
    today = timezone.localdate()

    page = page_factory()
    log_in(page, live_server.url, "city-leader")
    page.goto(f"{live_server.url}/resources/pairings/")
    page.select_option("#pairing-street", str(tree.regions["劝业场街道"].pk))
    page.select_option("#pairing-township", str(tree.regions["渔阳镇"].pk))
    page.fill("#pairing-ends", (today + timedelta(days=180)).isoformat())
    page.fill("#pairing-purpose", "城乡结对：应急物资下乡，村校舍接待研学")
    page.click("#pairing-submit")
    page.wait_for_selector("#pairing-summary")
    pairing = Pairing.objects.get()
    assert page.locator("#pairing-summary").get_attribute("data-active") == "yes"
    assert page.locator(f'#street-shared tr[data-resource="{water.pk}"]').count() == 1
    screenshot(page, "pairing-set-up")

    township = page_factory()
    log_in(township, live_server.url, "jz-dispatcher")
    township.goto(f"{live_server.url}/resources/demands/new/")
    township.fill("#id_title", "西关村独居老人饮用水")
    township.select_option("#id_kind", "stockpile")
    township.fill("#id_quantity", "3")
    now = timezone.localtime().replace(second=0, microsecond=0)
    township.fill("#id_window_start", now.strftime("%Y-%m-%dT%H:%M"))
    township.fill("#id_window_end", (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    township.select_option("#id_region", str(tree.regions["西关村"].pk))
    township.fill("#id_latitude", "40.045")
    township.fill("#id_longitude", "117.41")
    township.locator("form").filter(has=township.locator("#id_title")).locator("button[type=submit]").click()
    township.wait_for_url("**/resources/demands/*/")
    township.goto(f"{live_server.url}/resources/matching/")
    township.select_option("#id_region", str(tree.regions["渔阳镇"].pk))
    township.click("#run-matching")
    township.wait_for_url("**/resources/matching/*/")
    assert "结对共享·应急饮用水" in township.content()
    screenshot(township, "pairing-township-run")

    match = Match.objects.get(pairing=pairing)
    assert (match.resource_id, match.quantity) == (water.pk, 3)
    match_offer(actor=tree.people["jz-dispatcher"], match=match)
    match_accept(actor=tree.people["volunteer"], match=match)
    match_deliver(actor=tree.people["volunteer"], match=match)
    match_confirm(actor=tree.people["jz-dispatcher"], match=match)
    township.goto(f"{live_server.url}/resources/pairings/{pairing.pk}/")
    row = township.locator('#pairing-flows tbody tr[data-direction="street_to_township"]')
    assert row.locator("td.num").nth(1).inner_text() == "3"
    screenshot(township, "pairing-flows")
    row.locator("a").click()
    township.wait_for_selector(f'#flow-rows tr[data-match="{match.pk}"]')
    screenshot(township, "pairing-flow-rows")


def test_a_region_switched_into_emergency_pre_empts(tree, live_server, page_factory, screenshot):
    water = _water(tree, capacity=5)
    now = timezone.now()
    livelihood = demand_create(
        actor=tree.people["dispatcher"],
        title="社区食堂桶装水",
        source=DemandSource.PLAN,
        priority=DemandPriority.IMPROVEMENT,
        kind=ResourceKind.STOCKPILE,
        quantity=5,
        window_start=now,
        window_end=now + timedelta(days=2),
        region_id=tree.regions["花园路社区"].pk,
        **STREET_POINT,
    )
    held = Match.objects.get(run=matching_run(actor=tree.people["dispatcher"], region=tree.regions["劝业场街道"]))
    match_offer(actor=tree.people["dispatcher"], match=held)
    match_accept(actor=tree.people["volunteer"], match=held)

    page = page_factory()
    log_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/resources/emergencies/")
    page.select_option("#emergency-region", str(tree.regions["劝业场街道"].pk))
    page.select_option("#emergency-kind", "flood")
    page.fill("#emergency-reason", "暴雨内涝，低洼院落群众转移")
    page.click("#emergency-start")
    page.wait_for_selector("#emergency-on")
    assert "emergency=1" in page.locator("#emergency-map").get_attribute("href")
    screenshot(page, "emergency-on")

    street = page_factory()
    log_in(street, live_server.url, "dispatcher")
    street.goto(page.url)
    assert street.locator("#id_priority").input_value() == "0"  # emergency by default
    street.fill("#id_title", "转移群众饮用水")
    street.select_option("#id_kind", "stockpile")
    street.fill("#id_quantity", "4")
    start = timezone.localtime().replace(second=0, microsecond=0)
    street.fill("#id_window_start", start.strftime("%Y-%m-%dT%H:%M"))
    street.fill("#id_window_end", (start + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M"))
    street.select_option("#id_region", str(tree.regions["花园路社区"].pk))
    street.fill("#id_latitude", STREET_POINT["latitude"])
    street.fill("#id_longitude", STREET_POINT["longitude"])
    street.click("#emergency-demand-submit")
    street.wait_for_selector('#emergency-record tr[data-action="resources.match_withdraw"]')
    held.refresh_from_db()
    assert (held.demand_id, held.state) == (livelihood.pk, MatchState.WITHDRAWN)
    taken = Match.objects.get(demand__title="转移群众饮用水")
    assert (taken.resource_id, taken.quantity, taken.state) == (water.pk, 4, MatchState.OFFERED)
    screenshot(street, "emergency-pre-empted")

    page.reload()
    page.fill("#emergency-end-summary", "积水排除，群众全部返家")
    page.click("#emergency-end")
    page.wait_for_selector("#emergency-off")
    assert page.locator('#emergency-record tr[data-action="resources.emergency_end"]').count() == 1
    screenshot(page, "emergency-after-action-record")
