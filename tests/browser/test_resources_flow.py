"""Resource cloud dispatch in the browser (issue 16): an owner registers a resource, a dispatcher raises a demand
from a case in one step, runs the matching, reads the explanation and offers; the owner accepts and delivers; the
requester confirms and the case's timeline shows the note. Bad input: a negative quantity and an impossible window
are refused naming the field; an Excel file with a bad row names the row and field and saves nothing."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from fuhe.cases.services.intake import case_create
from fuhe.resources.models import Demand, Match, Resource
from tests.browser.test_login_roles import log_in
from tests.resources.conftest import FAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SLOW = 20_000  # ms: the machine is shared


def _register(page, base: str, *, name: str, capacity: str, **extra) -> None:
    page.goto(f"{base}/resources/new/")
    page.locator("#id_name").fill(name)
    page.locator("#id_kind").select_option("stockpile")
    page.locator("#id_capacity").fill(capacity)
    page.locator("#id_unit_label").fill("箱")
    page.locator("#id_latitude").fill(FAR["latitude"])
    page.locator("#id_longitude").fill(FAR["longitude"])
    page.locator("#id_contact_phone").fill("13912345678")
    for field, value in extra.items():
        page.locator(f"#id_{field}").fill(value)
    page.locator("#save-resource").click()


def _on_map(page, base: str, layer: str) -> dict:
    """The map's layer as the map page reads it (GeoJSON, the user's scope): {id: properties}."""
    response = page.request.get(f"{base}/map/layers/{layer}.geojson?bbox=116.5,38.5,118.5,40.5&zoom=12")
    assert response.ok, response.status
    return {feature["properties"]["id"]: feature["properties"] for feature in response.json()["features"]}


def test_register_raise_match_offer_accept_deliver_confirm(tree, live_server, page_factory, screenshot):
    base = live_server.url
    case = case_create(
        actor=tree.people["resident"],
        channel="web",
        text="花园路3号楼停水两天，家里有老人，急需饮用水",
        address="花园路社区3号楼",
        region=tree.regions["花园路社区"],
        **FAR,
    ).case

    owner = page_factory()
    log_in(owner, base, "volunteer")
    owner.locator("#nav-resources").click()
    expect(owner.locator("#resources-empty")).to_be_visible(timeout=SLOW)
    owner.locator("#register-resource").click()
    _register(owner, base, name="应急饮用水", capacity="10")
    expect(owner.locator("h1")).to_have_text("应急饮用水", timeout=SLOW)
    expect(owner.locator("#contact-phone")).to_have_text("13912345678")  # the owner sees its own contact
    screenshot(owner, "resources-1-registered")
    resource = Resource.objects.get(name="应急饮用水")

    dispatcher = page_factory()
    log_in(dispatcher, base, "dispatcher")
    dispatcher.goto(f"{base}/cases/{case.pk}/")
    form = dispatcher.locator("#case-demand-form")
    expect(form).to_be_visible(timeout=SLOW)
    dispatcher.locator("#case-demand-kind").select_option("stockpile")
    dispatcher.locator("#case-demand-quantity").fill("4")
    dispatcher.locator("#case-demand-submit").click()
    expect(dispatcher.locator("#demand-raised")).to_be_visible(timeout=SLOW)
    screenshot(dispatcher, "resources-2-demand-from-case")
    demand = Demand.objects.get(case=case)
    assert demand.quantity == 4
    assert resource.pk in _on_map(dispatcher, base, "resources") and demand.pk in _on_map(dispatcher, base, "demands")

    dispatcher.goto(f"{base}/resources/matching/")
    dispatcher.locator("#id_region").select_option(str(tree.regions["劝业场街道"].pk))
    dispatcher.locator("#run-matching").click()
    expect(dispatcher.locator("#comparison")).to_be_visible(timeout=SLOW)
    match = Match.objects.get(demand=demand, resource=resource)
    why = dispatcher.locator(f"#why-{match.pk}")
    expect(why).to_contain_text("1")  # choice 1 of its candidates
    expect(why.locator(".next-best")).to_be_visible()
    expect(dispatcher.locator("#fcfs-cost")).to_be_visible()
    screenshot(dispatcher, "resources-3-run-explained")
    card = dispatcher.locator(f"#match-{match.pk}")
    card.locator('button[data-action="offer"]').click()
    expect(dispatcher.locator(f'#match-{match.pk}[data-state="offered"]')).to_be_visible(timeout=SLOW)
    expect(dispatcher.locator(f'#match-{match.pk} [data-clock="answer"]')).to_be_visible()
    assert _on_map(dispatcher, base, "matches")[match.pk]["state"] == "offered"  # the map shows each step

    owner.goto(f"{base}/resources/matches/")
    offer = owner.locator(f"#inbox-to-answer #match-{match.pk}")
    expect(offer).to_be_visible(timeout=SLOW)
    screenshot(owner, "resources-4-offer-to-answer")
    offer.locator('button[data-action="accept"]').click()
    accepted = owner.locator(f'#match-{match.pk}[data-state="accepted"]')
    expect(accepted).to_be_visible(timeout=SLOW)
    expect(accepted.locator('[data-clock="deliver"]')).to_be_visible()
    assert _on_map(dispatcher, base, "matches")[match.pk]["state"] == "accepted"
    accepted.locator('button[data-action="deliver"]').click()
    expect(owner.locator(f'#match-{match.pk}[data-state="delivered"]')).to_be_visible(timeout=SLOW)
    screenshot(owner, "resources-5-delivered")
    assert _on_map(dispatcher, base, "matches")[match.pk]["state"] == "delivered"

    dispatcher.goto(f"{base}/resources/matches/")
    to_confirm = dispatcher.locator(f"#inbox-to-confirm #match-{match.pk}")
    expect(to_confirm).to_be_visible(timeout=SLOW)
    to_confirm.locator('button[data-action="confirm"]').click()
    expect(dispatcher.locator(f'#match-{match.pk}[data-state="confirmed"]')).to_be_visible(timeout=SLOW)

    dispatcher.goto(f"{base}/cases/{case.pk}/")
    timeline = dispatcher.locator(".timeline")
    expect(timeline).to_contain_text("应急饮用水", timeout=SLOW)
    expect(timeline).to_contain_text("备注")  # the note's kind, in the catalogue already
    expect(dispatcher.locator(f'#case-demand-list [data-demand="{demand.pk}"] .state-closed')).to_be_visible()
    screenshot(dispatcher, "resources-6-case-note")
    # confirmed: the match and the demand leave the map's open layers
    assert match.pk not in _on_map(dispatcher, base, "matches")
    assert demand.pk not in _on_map(dispatcher, base, "demands")
    dispatcher.goto(f"{base}/map/?layers=resources,demands,matches")
    expect(dispatcher.locator("#one-map")).to_be_visible(timeout=SLOW)
    screenshot(dispatcher, "resources-7-map-after-delivery")
    demand.refresh_from_db()
    assert demand.state == "closed"


def _bad_workbook() -> bytes:
    book = Workbook()
    book.active.append(["名称", "类型", "数量", "纬度", "经度"])
    book.active.append(["折叠床", "stockpile", 20, 39.121, 117.199])
    book.active.append(["帐篷", "stockpile", -5, 39.121, 117.199])
    data = BytesIO()
    book.save(data)
    return data.getvalue()


def test_bad_input_is_refused_naming_the_field_and_saving_nothing(tree, live_server, page_factory, screenshot):
    base = live_server.url
    owner = page_factory()
    log_in(owner, base, "volunteer")
    owner.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    _register(owner, base, name="帐篷", capacity="-3")
    expect(owner.locator("#error-capacity")).to_contain_text("The capacity cannot be negative.", timeout=SLOW)
    expect(owner.locator("#form-errors")).to_have_attribute("role", "alert")
    screenshot(owner, "resources-bad-negative-capacity")

    _register(
        owner, base, name="帐篷", capacity="3", window_start_1="2026-12-05T18:00", window_end_1="2026-12-05T08:00"
    )
    expect(owner.locator("#error-window_end_1")).to_contain_text("ends before it starts", timeout=SLOW)
    screenshot(owner, "resources-bad-window")
    assert not Resource.objects.exists()

    dispatcher = page_factory()
    log_in(dispatcher, base, "dispatcher")
    dispatcher.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    dispatcher.goto(f"{base}/resources/demands/new/")
    dispatcher.locator("#id_title").fill("安置点床位")
    dispatcher.locator("#id_kind").select_option("space")
    dispatcher.locator("#id_quantity").fill("-4")
    dispatcher.locator("#id_window_start").fill("2030-12-05T18:00")
    dispatcher.locator("#id_window_end").fill("2030-12-06T08:00")
    dispatcher.locator("#id_latitude").fill(FAR["latitude"])
    dispatcher.locator("#id_longitude").fill(FAR["longitude"])
    dispatcher.locator("#save-demand").click()
    expect(dispatcher.locator("#error-quantity")).to_contain_text("The quantity cannot be negative.", timeout=SLOW)
    dispatcher.locator("#id_quantity").fill("4")
    dispatcher.locator("#id_window_end").fill("2030-12-05T08:00")
    dispatcher.locator("#save-demand").click()
    expect(dispatcher.locator("#error-window_end")).to_contain_text("ends before it starts", timeout=SLOW)
    screenshot(dispatcher, "resources-bad-demand-window")
    assert not Demand.objects.exists()

    owner.goto(f"{base}/resources/import/")
    owner.locator("#id_file").set_input_files(
        files=[
            {
                "name": "resources.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": _bad_workbook(),
            }
        ]
    )
    owner.locator("#import-submit").click()
    alert = owner.get_by_role("alert")
    expect(alert).to_be_visible(timeout=SLOW)
    expect(alert).to_contain_text("Row 3, column “数量”: The capacity cannot be negative.")
    screenshot(owner, "resources-bad-import")
    assert not Resource.objects.exists()
