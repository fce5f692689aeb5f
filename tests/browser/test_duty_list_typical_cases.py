"""A dispatcher reads an item's typical cases (the list's knowledge base) from the duty list's table: the count
opens to the cases, on a desktop and on a phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fuhe.duties.models import DutyItem
from tests.browser.test_login_roles import log_in
from tests.duties.factories import district_governments, make_list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASES = [
    {"title": "楼顶盖房", "text": "顶楼住户在楼顶盖了一间小屋，下雨天楼下漏水"},
    {"title": "", "text": "一楼住户把楼前绿地圈起来当自家院子"},
]


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_count_opens_to_the_items_typical_cases(tree, live_server, page_factory, screenshot, phone):
    district_governments(tree)
    duty_list = make_list(tree)
    DutyItem.objects.filter(duty_list=duty_list, code="JD-01").update(examples=CASES)
    page = page_factory(phone=phone)
    log_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}{reverse('duties:detail', args=[duty_list.pk])}?q=违章")
    cell = page.locator('[data-code="JD-01"] details.typical-cases')
    expect(cell.locator("summary")).to_have_text("2")
    expect(cell.locator("ol")).to_be_hidden()  # closed until asked: the table stays one line per item
    cell.locator("summary").click()
    expect(cell.locator("ol li")).to_have_count(2)
    expect(cell.locator("ol li").first).to_contain_text("楼顶盖房 顶楼住户在楼顶盖了一间小屋")
    screenshot(page, f"duty-list-typical-cases-{'phone' if phone else 'desktop'}")
