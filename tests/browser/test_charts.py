"""The charts and maps really draw, from static scripts only (no inline script: script-src 'self' can be switched
on), with no error in the browser's console, and each chart carries its text alternative. Screenshots:
charts-burden-load, charts-burden-load-map, charts-burden-report, charts-cases-rates, charts-cases-pick-map."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.cases.models import Case
from fuhe.org.models import Region
from tests.browser.test_login_roles import log_in
from tests.burden.conftest import MONDAY, burden  # noqa: F401 - fixture
from tests.burden.views.conftest import FORM_FIELDS, issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERIOD = "first=2026-03-02&last=2026-03-15"

# the share of a canvas's pixels that are painted (not transparent); an empty chart area paints none
PAINTED = """(selector) => {
  const canvas = document.querySelector(selector);
  if (!canvas) return 0;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted += 1; }
  return painted / (pixels.length / 4);
}"""


def watched_page(page_factory, **options):
    """A page that records every console error and uncaught exception."""
    page = page_factory(**options)
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def assert_chart_drawn(page, chart_id: str, *, share: float = 0.01):
    page.locator(f"#{chart_id} canvas").first.wait_for()
    page.wait_for_timeout(600)  # ECharts animates its first paint
    assert page.evaluate(PAINTED, f"#{chart_id} canvas") > share, f"#{chart_id} is an empty chart area"


def assert_text_alternative(page, chart_id: str):
    chart = page.locator(f"#{chart_id}")
    assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-label")
    described_by = chart.get_attribute("aria-describedby").split()
    for figures in described_by:
        assert page.locator(f"#{figures}").count() == 1, f"#{chart_id} is described by a missing #{figures}"


def issue_tasks(tree):
    issue(tree, "SQ-02", kind="form", title="社区基本情况统计", fields=FORM_FIELDS)
    issue(tree, "SQ-03", title="出具居民居住证明")
    issue(
        tree,
        "SQ-02",
        kind="campaign",
        title="文明城区创建",
        recurrence="weekly",
        recurrence_until=MONDAY.date() + timedelta(days=13),
        due_at=MONDAY + timedelta(days=4),
    )


def square(x: float, y: float, size: float = 0.01) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_burden_load_and_report_charts_draw_without_console_errors(
    burden,  # noqa: F811
    live_server,
    page_factory,
    screenshot,
):
    issue_tasks(burden)
    street = burden.regions["劝业场街道"].pk
    page = watched_page(page_factory)
    log_in(page, live_server.url, "leader")

    page.goto(f"{live_server.url}/burden/load/?region={street}&{PERIOD}")
    assert page.locator("#load-map").get_attribute("data-kind") == "treemap"
    for chart in ("load-map", "senders-chart", "trend-chart"):
        assert_chart_drawn(page, chart)
        assert_text_alternative(page, chart)
    # the legend's swatches are painted from the chart's own palette
    assert page.locator('#load-legend [data-load-band="over"]').evaluate(
        "el => getComputedStyle(el).backgroundColor"
    ) == ("rgb(176, 0, 32)")
    assert page.locator("#senders-figures tbody th").first.text_content() == "和平区城管委"
    assert page.locator("#trend-figures tbody time").first.get_attribute("datetime") == "2026-03-02"
    screenshot(page, "charts-burden-load")

    page.goto(f"{live_server.url}/burden/report/?region={street}&{PERIOD}")
    for chart in ("senders-chart", "flags-chart", "trend-chart"):
        assert_chart_drawn(page, chart)
        assert_text_alternative(page, chart)
    assert page.locator("#flags-figures tbody tr").count() >= 1
    page.locator("#senders-chart").locator("xpath=following-sibling::details[1]/summary").click()
    assert page.locator("#senders-figures").is_visible()
    screenshot(page, "charts-burden-report")

    # regions with their own geometry: the map is drawn by Leaflet instead of the treemap
    for offset, name in enumerate(("花园路社区", "新华社区")):
        Region.objects.filter(pk=burden.regions[name].pk).update(geometry=square(117.19 + offset * 0.012, 39.12))
    page.goto(f"{live_server.url}/burden/load/?region={street}&{PERIOD}")
    assert page.locator("#load-map").get_attribute("data-kind") == "leaflet"
    shapes = page.locator("#load-map path.leaflet-interactive")
    shapes.first.wait_for()
    assert shapes.count() == 2
    assert_text_alternative(page, "load-map")
    screenshot(page, "charts-burden-load-map")

    assert page.errors == []


def rated_cases(tree, unit: str, *, count: int, satisfied: int, prefix: str) -> list[Case]:
    """Closed, rated cases written straight to the table (the rates read only these fields): enough of them for
    the group to be ranked and drawn."""
    now = timezone.now()
    return [
        Case(
            tracking_code=f"{prefix}{i:05d}",
            access_token_hash="0" * 64,
            channel="web",
            title="花园路路灯不亮",
            text="花园路路灯不亮",
            region=tree.regions["花园路社区"],
            created_at=now - timedelta(days=3),
            state="closed",
            owner_unit=tree.units[unit],
            dispatched_at=now - timedelta(days=3),
            accepted_on_time=i % 5 != 0,
            replied_at=now - timedelta(days=1),
            replied_on_time=True,
            rating_resolved=True,
            rating_satisfied=i < satisfied,
        )
        for i in range(count)
    ]


def test_three_rates_chart_draws_without_console_errors(tree, live_server, page_factory, screenshot):
    Case.objects.bulk_create(
        rated_cases(tree, "和平区城管委", count=40, satisfied=34, prefix="CG")
        + rated_cases(tree, "劝业场街道办事处", count=36, satisfied=25, prefix="JD")
    )
    page = watched_page(page_factory)
    log_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/cases/rates/")
    assert_chart_drawn(page, "rates-chart")
    assert_text_alternative(page, "rates-chart")
    assert page.locator("#rates-chart").get_attribute("aria-describedby") == "rates-table"
    screenshot(page, "charts-cases-rates")
    assert page.errors == []


def test_the_report_form_picks_a_point_on_the_map(tree, live_server, page_factory, screenshot, settings):
    settings.FUHE_MAP_TILE_URL = "/static/web/favicon.svg?{z}/{x}/{y}"  # a local image: no request leaves the box
    page = watched_page(page_factory, phone=True)
    page.goto(f"{live_server.url}/report/")
    page.locator("#pick-map .leaflet-tile-loaded").first.wait_for()
    page.locator("#pick-map").click()
    assert page.locator("#pick-status").inner_text().startswith("39.")
    assert page.locator("#id_latitude").input_value().startswith("39.")
    assert page.locator("#id_longitude").input_value().startswith("117.")
    screenshot(page, "charts-cases-pick-map")
    assert page.errors == []
