"""Issue 15 end to end: a resident on a phone drops a pin in a 和平区 community and writes a message whose owner is
obvious (a stopped lift with an old man trapped: 特种设备, 和平区市场监督管理局 by the demo duty list); the case
lands in the grid, community and street holding the pin; the street dispatcher (desktop) opens it, sees the
recommendation naming the department with its reasons, and dispatches it with one click. Then an Open311 POST with
only lat/long, through the live server, is placed, and its GET names the department once dispatched (through the
JSON API, the recommended unit first).

The world is built the way the demo builds it: the test tree, the district's real boundary with generated street,
community and grid cells (``district_geometry_build``), the demo's departments and its duty list
(``demo_duty_list_seed``) with the first routing model trained on it. Routing runs in the background in production;
in tests huey runs in immediate mode (tests/conftest.py), so the case is routed when its intake commits, in the live
server's thread, before the resident's page comes back: no waiting, no race. Auto-dispatch is switched off so the
dispatcher's click is what dispatches. Screenshots in test-artifacts/browser/issue15-*.png."""

from __future__ import annotations

import json
import math
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect
from shapely.geometry import MultiPolygon
from shapely.ops import polylabel

from fuhe.api.services import api_key_create
from fuhe.cases.models import Case, Category
from fuhe.demo.services import DEPARTMENTS
from fuhe.org.core.places import geometry_of
from fuhe.org.models import Unit, UnitKind
from fuhe.org.regions import region_at
from fuhe.org.services import district_geometry_build
from fuhe.routing.demo import demo_duty_list_seed
from fuhe.routing.models import RoutingExample
from fuhe.routing.services import routing_model_train
from tests.browser.conftest import wait_until
from tests.browser.test_login_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIFT = "小区3号楼电梯停了，老人被困在里面半小时了，物业电话打不通"
LIFT_ITEM = "SC-01"  # 电梯等特种设备安全: led by market regulation (duties/seed.py)
DEPARTMENT = "和平区市场监督管理局"

# the same JavaScript counter on every page of the dispatcher's tab: every click the dispatcher makes is counted
COUNT_CLICKS = """
document.addEventListener("click", function () {
  sessionStorage.setItem("clicks", String(Number(sessionStorage.getItem("clicks") || 0) + 1));
}, true);
"""


@pytest.fixture
def world(tree, settings):
    """和平区 with its boundary and generated cells, the demo's departments, the demo duty list in force for 天津市
    and a routing model trained on it; nothing is dispatched automatically."""
    from huey.contrib.djhuey import HUEY

    assert HUEY.immediate  # tests/conftest.py: a case is routed in-process when its intake commits
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = None
    district = tree.regions["和平区"]
    district_geometry_build(actor=None, region=district)
    government, _ = Unit.objects.get_or_create(
        name="和平区人民政府", kind=UnitKind.DISTRICT_GOVERNMENT, region=district
    )
    present = set(Unit.objects.filter(region=district).values_list("department_type", flat=True))
    for department_type, suffix in DEPARTMENTS:  # as the demo names them; 城管委 is the tree's own
        if department_type not in present:
            tree.units[f"和平区{suffix}"] = Unit.objects.create(
                name=f"和平区{suffix}",
                kind=UnitKind.DEPARTMENT,
                department_type=department_type,
                region=district,
                parent=government,
            )
    assert demo_duty_list_seed(), "the demo duty list needs the shared taxonomy (FUHE_SHARED_DATA)"
    assert routing_model_train(note="issue 15 flow: the demo list's keywords") is not None
    return tree


def _inside(region) -> tuple[float, float]:
    """A point well inside ``region`` (its pole of inaccessibility): (latitude, longitude)."""
    region.refresh_from_db()
    shape = geometry_of(region.geometry)
    if isinstance(shape, MultiPolygon):
        shape = max(shape.geoms, key=lambda polygon: polygon.area)
    point = polylabel(shape, tolerance=1e-6)
    return point.y, point.x


def _mercator(latitude: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))


def _tap_at(page, district, latitude: float, longitude: float) -> None:
    """Tap the map where (latitude, longitude) is drawn: the district's outline (the thick path) spans its bounds
    on the screen, and the map is Web Mercator."""
    district.refresh_from_db()
    west, south, east, north = geometry_of(district.geometry).bounds
    box = page.locator('#pick-map path.leaflet-interactive[stroke-width="2.5"]').bounding_box()
    x = box["x"] + (longitude - west) / (east - west) * box["width"]
    y = box["y"] + (_mercator(north) - _mercator(latitude)) / (_mercator(north) - _mercator(south)) * box["height"]
    page.touchscreen.tap(x, y)


def test_a_pinned_lift_report_is_placed_recommended_and_dispatched_in_one_click(
    world, live_server, page_factory, screenshot
):
    grid, community, street = (
        world.regions["新华社区第2网格"],
        world.regions["新华社区"],
        world.regions["劝业场街道"],
    )
    latitude, longitude = _inside(grid)

    # 1. the resident, on a phone, taps the map in 新华社区 and writes what happened
    resident = page_factory(phone=True)
    resident.goto(f"{live_server.url}/report/")
    wait_until(resident, "() => document.querySelectorAll('#pick-map path.leaflet-interactive').length >= 3")
    screenshot(resident, "issue15-01-resident-form-phone")
    _tap_at(resident, world.regions["和平区"], latitude, longitude)
    expect(resident.locator("#pick-map .leaflet-marker-icon")).to_have_count(1)
    expect(resident.locator("#pick-status")).to_contain_text("劝业场街道")  # the street under the pin, said at once
    pinned = float(resident.input_value("#id_latitude")), float(resident.input_value("#id_longitude"))
    assert region_at(*pinned) == grid  # the tap fell where it was aimed
    resident.fill("#id_text", LIFT)
    screenshot(resident, "issue15-02-pinned-and-written-phone")
    resident.locator("button[type=submit].primary").click()
    resident.wait_for_selector("#tracking-code")
    screenshot(resident, "issue15-03-received-phone")

    # 2. the case is in the grid, community and street holding the pin, and already routed (huey immediate)
    case = Case.objects.select_related("region__parent__parent").get()
    assert resident.locator("#tracking-code").inner_text().strip() == case.tracking_code
    assert case.region == grid and case.region.parent == community and case.region.parent.parent == street
    assert (float(case.latitude), float(case.longitude)) == pytest.approx(pinned, abs=1e-6)
    assert case.state == "received" and case.owner_unit_id is None  # routed, not dispatched: a person decides
    assert case.routing["item"]["code"] == LIFT_ITEM

    # 3. the street dispatcher, on a desktop, opens the case and sees who owns it and why
    dispatcher = page_factory()
    dispatcher.context.add_init_script(COUNT_CLICKS)
    log_in(dispatcher, live_server.url, "dispatcher")
    dispatcher.goto(f"{live_server.url}/cases/{case.pk}/")
    panel = dispatcher.locator("#routing-panel")
    expect(panel).to_be_visible()
    assert panel.locator("#routing-recommendation").get_attribute("data-item-code") == LIFT_ITEM
    assert panel.locator("#routing-unit-name").inner_text().strip() == DEPARTMENT
    reasons = panel.locator("#routing-reasons").inner_text()
    assert "电梯" in panel.locator("#routing-reasons mark").all_inner_texts()  # the duty-list keyword it found
    assert "本区该类型的职能部门" in reasons  # how the unit was found: the district's department leading the item
    assert "特种设备安全法" in panel.locator("#routing-recommendation").inner_text()  # the item's legal basis
    assert "权责清单（演示）" in reasons  # under which list
    # the item's knowledge base beside it: two of its typical cases, the nearest to the resident's words first
    expect(panel.locator("#routing-typical")).to_contain_text("本事项的典型案例")
    assert panel.locator("#routing-typical li").count() == 2
    assert grid.name in dispatcher.locator("dl.facts").first.inner_text()  # where the pin put it
    # the state-machine picker chooses nothing by itself, and offers the recommended unit first
    assert dispatcher.locator("#unit-dispatch").input_value() == ""
    first = dispatcher.locator("#unit-dispatch-recommended [data-pick]").first
    assert first.get_attribute("data-pick") == str(world.units[DEPARTMENT].pk)
    # the routing panel's form carries the recommended item, shown, and sends to its owner
    assert dispatcher.locator("#routing-item option:checked").get_attribute("data-code") == LIFT_ITEM
    assert dispatcher.locator("#routing-unit").input_value() == ""  # "the owner of the duty item", said in words
    screenshot(dispatcher, "issue15-04-dispatcher-recommendation")

    # 4. one click dispatches it to the recommended department
    dispatcher.evaluate("() => sessionStorage.setItem('clicks', '0')")
    dispatcher.locator("#routing-dispatch").click()
    dispatcher.wait_for_selector("#routing-dispatcher-decision")
    assert dispatcher.evaluate("() => sessionStorage.getItem('clicks')") == "1"
    assert dispatcher.locator("#case-state").get_attribute("data-state") == "dispatched"
    assert DEPARTMENT in dispatcher.locator("dl.facts").first.inner_text()
    assert LIFT_ITEM in dispatcher.locator("#routing-dispatcher-decision").inner_text()
    screenshot(dispatcher, "issue15-05-dispatched")
    case.refresh_from_db()
    assert case.state == "dispatched" and case.owner_unit == world.units[DEPARTMENT]
    example = RoutingExample.objects.get(case=case)
    assert (example.source, example.recommended_code, example.duty_item_code) == ("confirmation", LIFT_ITEM, LIFT_ITEM)


def _http(method: str, url: str, *, form: dict | None = None, key: str | None = None, body: dict | None = None):
    headers = {"Accept": "application/json"}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if key:
        headers["X-API-Key"] = key
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 - http only
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - the live test server
        return response.status, json.loads(response.read())


def test_an_open311_post_with_only_lat_long_is_placed_and_names_the_agency_once_dispatched(world, live_server):
    grid = world.regions["花园路社区第1网格"]
    latitude, longitude = _inside(grid)
    service = Category.objects.get(path="商贸旅游/质监检验检疫/特种设备管理")  # what a city app offers for lifts
    city_app = api_key_create(actor=None, user=None, application="city-app").secret
    status, created = _http(
        "POST",
        f"{live_server.url}/open311/v2/requests.json",
        form={
            "api_key": city_app,
            "service_code": service.pk,
            "lat": f"{latitude:.6f}",
            "long": f"{longitude:.6f}",
            "description": LIFT,
            "attribute[publish]": "yes",
        },
    )
    assert status == 200
    request_id = created[0]["service_request_id"]
    case = Case.objects.select_related("region__parent__parent").get(pk=int(request_id))
    assert case.region == grid and case.address == ""  # the point alone placed it
    assert created[0]["address_id"] == grid.code
    assert created[0]["agency_responsible"] == "劝业场街道办事处"  # before dispatch: the street receiving it

    _, shown = _http("GET", f"{live_server.url}/open311/v2/requests/{request_id}.json")
    assert shown[0]["agency_responsible"] == "劝业场街道办事处"

    # the street dispatcher's key: the recommended unit is listed first, and dispatching to it is one call
    key = api_key_create(actor=None, user=world.people["dispatcher"]).secret
    _, units = _http("GET", f"{live_server.url}/api/v1/cases/{case.pk}/dispatch-units", key=key)
    top = units["items"][0]
    assert (top["tier"], top["name"]) == ("recommended", DEPARTMENT)
    status, _ = _http(
        "POST", f"{live_server.url}/api/v1/cases/{case.pk}/actions/dispatch", key=key, body={"unit_id": top["id"]}
    )
    assert status == 200

    _, shown = _http("GET", f"{live_server.url}/open311/v2/requests/{request_id}.json")
    assert shown[0]["agency_responsible"] == DEPARTMENT and shown[0]["status"] == "open"
