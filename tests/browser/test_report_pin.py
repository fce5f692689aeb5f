"""The resident's map pin on a phone (issue 15, item 4): the report form draws the district's boundaries without
any tiles, a tap drops a pin, "use my location" asks the browser; the case lands in the grid holding the point, in
the right community and street. Screenshots in test-artifacts/browser/report-pin-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fuhe.cases.models import Case
from fuhe.org.core.places import geometry_of
from fuhe.org.regions import region_at
from fuhe.org.services import district_geometry_build
from tests.browser.conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mapped(tree):
    district_geometry_build(actor=None, region=tree.regions["和平区"])
    return tree


def _open_report(page, base_url: str):
    page.goto(f"{base_url}/report/")
    wait_until(page, "() => document.querySelectorAll('#pick-map path.leaflet-interactive').length >= 3")
    page.fill("#id_text", "楼下路灯坏了好几天，晚上很黑")


def test_a_tapped_pin_places_the_case_in_its_grid_community_and_street(mapped, live_server, page_factory, screenshot):
    resident = page_factory(phone=True)
    _open_report(resident, live_server.url)
    assert resident.locator("#pick-map img.leaflet-tile").count() == 0  # no tiles: the boundaries are the map
    screenshot(resident, "report-pin-01-boundaries-phone")
    box = resident.locator("#pick-map").bounding_box()
    resident.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    expect(resident.locator("#pick-map .leaflet-marker-icon")).to_have_count(1)
    latitude = float(resident.input_value("#id_latitude"))
    longitude = float(resident.input_value("#id_longitude"))
    expect(resident.locator("#pick-clear")).to_be_visible()
    screenshot(resident, "report-pin-02-pinned-phone")
    resident.locator("button[type=submit].primary").click()
    resident.wait_for_selector("#tracking-code")
    screenshot(resident, "report-pin-03-received-phone")

    case = Case.objects.select_related("region__parent__parent").get()
    expected = region_at(latitude, longitude)
    assert expected is not None and expected.level == "grid"  # the middle of 和平区 lies in one of its grids
    assert case.region == expected and float(case.latitude) == pytest.approx(latitude, abs=1e-6)
    community, street = case.region.parent, case.region.parent.parent
    assert community.level == "community" and street.level == "street" and street.parent == mapped.regions["和平区"]


def test_use_my_location_places_the_case_where_the_phone_is(mapped, live_server, page_factory, screenshot):
    grid = mapped.regions["五大道社区第1网格"]
    grid.refresh_from_db()
    point = geometry_of(grid.geometry).point_on_surface()
    resident = page_factory(phone=True)
    resident.context.grant_permissions(["geolocation"], origin=live_server.url)
    resident.context.set_geolocation({"latitude": point.y, "longitude": point.x, "accuracy": 10})
    _open_report(resident, live_server.url)
    resident.locator("#pick-locate").click()
    expect(resident.locator("#pick-map .leaflet-marker-icon")).to_have_count(1)
    assert float(resident.input_value("#id_latitude")) == pytest.approx(point.y, abs=1e-6)
    expect(resident.locator("#pick-status")).to_contain_text("小白楼街道")  # the street the pin fell in, said at once
    screenshot(resident, "report-pin-04-my-location-phone")
    resident.locator("button[type=submit].primary").click()
    resident.wait_for_selector("#tracking-code")
    case = Case.objects.select_related("region__parent__parent").get()
    assert case.region == grid
    assert (
        case.region.parent == mapped.regions["五大道社区"] and case.region.parent.parent == mapped.regions["小白楼街道"]
    )
    assert case.address == ""  # the pin alone was enough


def test_removing_the_pin_empties_the_point(mapped, live_server, page_factory):
    resident = page_factory(phone=True)
    _open_report(resident, live_server.url)
    box = resident.locator("#pick-map").bounding_box()
    resident.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    resident.locator("#pick-clear").click()
    expect(resident.locator("#pick-map .leaflet-marker-icon")).to_have_count(0)
    assert resident.input_value("#id_latitude") == "" and resident.input_value("#id_longitude") == ""
