"""A grid worker on a phone records a problem fixed on the spot (就地解决) in at most five taps, counted on the page
from opening the patrol page to the confirmation; the street's dispatcher then spot-checks the drawn fix."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from fuhe.cases.core.lifecycle import State
from fuhe.cases.models import Case, Category
from tests.browser.test_login_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TAPS = 5
#: every trusted pointer press on the page, kept in the tab's session storage across the form's navigation
COUNT_TAPS = """
document.addEventListener("pointerdown", (event) => {
  const taps = Number(sessionStorage.getItem("fuhe-taps") || 0);
  if (event.isTrusted) sessionStorage.setItem("fuhe-taps", String(taps + 1));
}, true);
"""


@pytest.fixture
def categories(db):
    return [
        Category.objects.create(name=name, level=1, path=name)
        for name in ("环境卫生", "城管执法", "城市公共设施", "安全隐患", "违章建筑", "园林绿化", "冬季采暖")
    ]


def taps_on_page(page) -> int:
    return page.evaluate("() => Number(sessionStorage.getItem('fuhe-taps') || 0)")


def test_fixed_on_the_spot_in_five_taps_on_a_phone_then_the_street_checks_it(
    tree, categories, live_server, page_factory, screenshot, settings, tmp_path
):
    settings.FUHE_SPOT_CHECK_SHARE = 1  # this fix is drawn for the street's check
    photo = tmp_path / "finding.png"
    Image.new("RGB", (64, 48), (200, 120, 40)).save(photo)
    worker = page_factory(phone=True)
    log_in(worker, live_server.url, "grid")
    worker.add_init_script(COUNT_TAPS)
    worker.goto(f"{live_server.url}/cases/patrol/")
    worker.evaluate("() => sessionStorage.setItem('fuhe-taps', '0')")
    expect(worker.locator("#patrol-grid")).to_have_text("花园路社区第1网格")  # the own grid, preselected
    screenshot(worker, "patrol-01-page-phone")

    taps = 0
    worker.locator("label.tile", has_text="环境卫生").tap()
    taps += 1
    expect(worker.locator('input[data-category="环境卫生"]')).to_be_checked()
    with worker.expect_file_chooser() as chooser:
        worker.locator("#patrol-photo").tap()  # on a phone: the camera opens
    taps += 1
    chooser.value.set_files(str(photo))
    screenshot(worker, "patrol-02-category-and-photo-phone")
    worker.locator("#patrol-fixed").tap()
    taps += 1
    expect(worker.locator("#patrol-confirmation")).to_have_attribute("data-outcome", "on_spot")
    screenshot(worker, "patrol-03-confirmation-phone")

    counted = taps_on_page(worker)
    assert counted == taps == 3, (counted, taps)
    # the camera's own shutter and "use photo" are two more taps outside the page: still within five
    assert counted + 2 <= MAX_TAPS
    case = Case.objects.get()
    assert (case.state, case.channel, case.category.name, case.photos.count()) == (
        State.CLOSED,
        "patrol",
        "环境卫生",
        1,
    )
    assert case.tracking_code in worker.locator("#patrol-confirmation").inner_text()

    dispatcher = page_factory()
    log_in(dispatcher, live_server.url, "dispatcher")
    dispatcher.goto(f"{live_server.url}/cases/patrol/spot-checks/")
    row = dispatcher.locator(f'#spot-checks tr[data-case="{case.tracking_code}"]')
    expect(row).to_contain_text("花园路社区第1网格")
    expect(row.locator("img")).to_have_count(1)
    screenshot(dispatcher, "patrol-04-street-spot-checks")
    row.locator("button.spot-confirm").click()
    expect(dispatcher.locator("#spot-checks")).not_to_contain_text(case.tracking_code)
    dispatcher.goto(f"{live_server.url}/cases/rates/")
    expect(dispatcher.locator('#on-spot-counts [data-count="confirmed"]')).to_have_text("1")
    screenshot(dispatcher, "patrol-05-rates-on-spot-count")


def test_the_fastest_path_is_two_taps_and_needs_reporting_goes_to_the_queue(
    tree, categories, live_server, page_factory, screenshot, settings
):
    settings.FUHE_SPOT_CHECK_SHARE = 0
    worker = page_factory(phone=True)
    log_in(worker, live_server.url, "grid")
    worker.add_init_script(COUNT_TAPS)
    worker.goto(f"{live_server.url}/cases/patrol/")
    worker.evaluate("() => sessionStorage.setItem('fuhe-taps', '0')")
    worker.locator("label.tile", has_text="城管执法").tap()
    worker.locator("#patrol-fixed").tap()
    expect(worker.locator("#patrol-confirmation")).to_have_attribute("data-outcome", "on_spot")
    assert taps_on_page(worker) == 2

    worker.locator("#patrol-next").tap()
    worker.locator("label.tile", has=worker.locator("#patrol-other")).tap()  # "other" opens the full list
    expect(worker.locator("#patrol-category-other")).to_be_visible()
    worker.select_option("#patrol-category-other", label="冬季采暖")
    worker.fill("#patrol-note", "3号楼暖气管道漏水")
    screenshot(worker, "patrol-06-other-category-phone")
    worker.locator("#patrol-report").tap()
    expect(worker.locator("#patrol-confirmation")).to_have_attribute("data-outcome", "report")
    reported = Case.objects.get(state=State.RECEIVED)
    assert reported.category.name == "冬季采暖"

    dispatcher = page_factory()
    log_in(dispatcher, live_server.url, "dispatcher")
    dispatcher.goto(f"{live_server.url}/cases/queue/")
    expect(dispatcher.get_by_role("link", name=reported.tracking_code)).to_be_visible()
