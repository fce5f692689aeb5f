"""The household register in the browser, with screenshots: a community worker uploads the roll as exported, a
wrong row is shown as an alert with nothing imported, the corrected roll imports, and the resident in it is tagged
instead of waiting for a one-by-one check."""

import pytest
from playwright.sync_api import expect

from fuhe.deliberation import services
from fuhe.deliberation.models import BodyKind, HouseholdRegister
from tests.browser.test_login_roles import log_in
from tests.deliberation.conftest import make_residents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "12010119800315123X"


def test_the_community_uploads_its_register_and_a_resident_in_it_may_vote(
    tree, live_server, page_factory, screenshot, tmp_path
):
    person = make_residents(tree, "花园路社区第1网格", 1, prefix="居民", id_number=NUMBER)[0]
    body = services.body_create(
        actor=tree.people["community"],
        name="花园路社区居民议事会",
        kind=BodyKind.RESIDENTS_COUNCIL,
        region=tree.regions["花园路社区"],
        convener=tree.units["花园路社区居委会"],
    )
    wrong, right = tmp_path / "名册（有误）.csv", tmp_path / "花园路社区户籍名册.csv"
    wrong.write_text(f"户号,姓名,公民身份号码\n0001,张三,{NUMBER}\n0002,李四,1201011990\n", encoding="utf-8")
    right.write_text(f"户号,姓名,公民身份号码\n0001,张三,{NUMBER}\n0002,李四,120101199012240021\n", encoding="utf-8")

    page = page_factory()
    log_in(page, live_server.url, "community")
    page.goto(f"{live_server.url}/deliberation/bodies/{body.pk}/")
    expect(page.locator("#register-in-force")).to_contain_text("尚未导入名册")
    expect(page.locator(f'tr[data-user="{person.pk}"] button.verify')).to_be_visible()

    page.locator("#register-file").set_input_files(str(wrong))
    with page.expect_navigation(timeout=30_000):
        page.locator("#register-submit").click()
    alert = page.locator("#register-errors[role=alert]")
    expect(alert).to_contain_text("第 3 行，“身份证号”：不是居民身份证号")
    assert not HouseholdRegister.objects.exists()
    alert.scroll_into_view_if_needed()
    screenshot(page, "register-01-wrong-row-nothing-imported")

    page.locator("#register-file").set_input_files(str(right))
    with page.expect_navigation(timeout=30_000):
        page.locator("#register-submit").click()
    expect(page.locator("#register-in-force")).to_contain_text("现行名册：2 人")
    expect(page.locator(f'tr[data-user="{person.pk}"] .tag.registered')).to_have_text("在户籍名册中")
    expect(page.locator(f'tr[data-user="{person.pk}"] button.verify')).to_have_count(0)
    screenshot(page, "register-02-imported-resident-tagged")
