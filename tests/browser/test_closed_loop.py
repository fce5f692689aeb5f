"""The whole closed loop in the browser, with screenshots: report on a phone → dispatch → accept → summons of
two departments → both report in → reply → the resident rates → closed; an unsatisfied rating reopens."""

import pytest

from fuhe.cases.models import Case
from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.intake import case_create
from tests.browser.test_login_roles import log_in
from tests.cases.conftest import housing  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def staff_page(page_factory, live_server, username):
    page = page_factory()
    log_in(page, live_server.url, username)
    return page


def act(page, action_class: str):
    page.locator(f"form.action-{action_class} button[type=submit]").click()
    page.wait_for_load_state()


def test_resident_report_to_closure_with_summons(tree, housing, live_server, page_factory, screenshot):  # noqa: F811
    resident = page_factory(phone=True)
    resident.goto(f"{live_server.url}/report/")
    resident.get_by_label("遇到了什么问题？").fill("花园路3号楼前井盖缺失，夜里很危险")
    resident.get_by_label("在哪里？（地址或地标）").fill("花园路社区3号楼")
    resident.get_by_label("电话（选填，用于回访）").fill("13912345678")
    screenshot(resident, "loop-01-resident-report-phone")
    resident.get_by_role("button", name="提交").click()
    code = resident.locator("#tracking-code").inner_text()
    assert resident.locator("#case-state").inner_text() == "已受理"
    screenshot(resident, "loop-02-resident-tracking-code")
    case = Case.objects.get(tracking_code=code)

    dispatcher = staff_page(page_factory, live_server, "dispatcher")
    dispatcher.goto(f"{live_server.url}/cases/queue/")
    dispatcher.get_by_role("link", name=code).click()
    dispatcher.select_option("#unit-dispatch", label="和平区城管委")
    screenshot(dispatcher, "loop-03-dispatcher-case")
    act(dispatcher, "dispatch")
    assert dispatcher.locator("#case-state").get_attribute("data-state") == "dispatched"

    handler = staff_page(page_factory, live_server, "handler")
    handler.goto(f"{live_server.url}/cases/{case.pk}/")
    act(handler, "accept")
    assert handler.locator("#case-state").get_attribute("data-state") == "accepted"

    dispatcher.reload()
    dispatcher.locator("form.action-whistle").get_by_label("和平区城管委").check()
    dispatcher.locator("form.action-whistle").get_by_label("和平区住建委").check()
    dispatcher.fill("#whistle-reason", "井盖权属不清，请城管和住建到场")
    act(dispatcher, "whistle")
    assert dispatcher.locator("#report-ins tbody tr").count() == 2

    handler.reload()
    act(handler, "start")
    handler.locator('#report-ins tr[data-department="和平区城管委"] input[name=reason]').fill("已到场设置围挡")
    handler.locator('#report-ins tr[data-department="和平区城管委"] form').first.locator("button").click()
    housing_page = staff_page(page_factory, live_server, "housing")
    housing_page.goto(f"{live_server.url}/cases/{case.pk}/")
    housing_page.locator('#report-ins tr[data-department="和平区住建委"] input[name=reason]').fill("确认权属，补装井盖")
    housing_page.locator('#report-ins tr[data-department="和平区住建委"] form').first.locator("button").click()
    screenshot(housing_page, "loop-04-both-reported-in")

    handler.reload()
    handler.fill("#reply-text", "已补装井盖并加固，感谢反映。")
    act(handler, "reply")
    assert handler.locator("#case-state").get_attribute("data-state") == "replied"
    screenshot(handler, "loop-05-handler-replied")

    resident.reload()
    resident.get_by_label("已解决").check()
    resident.get_by_label("满意", exact=True).check()
    screenshot(resident, "loop-06-resident-rating-phone")
    resident.get_by_role("button", name="提交评价").click()
    assert resident.locator("#case-state").inner_text() == "已办结归档"
    screenshot(resident, "loop-07-resident-closed-phone")
    case.refresh_from_db()
    assert case.state == "closed" and case.rating_satisfied is True


def test_unsatisfied_rating_reopens_the_case(tree, live_server, page_factory, screenshot):
    intake = case_create(
        actor=None, channel="hotline", text="新华社区路灯不亮", address="新华社区", reporter_phone="13800005678"
    )
    handler = tree.people["handler"]
    case = loop.case_dispatch(actor=tree.people["dispatcher"], case=intake.case, unit=tree.units["和平区城管委"])
    for action in ("accept", "start"):
        case = loop.case_transition(actor=handler, case=case, action=action)
    loop.case_reply(actor=handler, case=case, outcome="resolved", text="已更换灯泡")

    resident = page_factory(phone=True)
    resident.goto(f"{live_server.url}/track/")
    resident.get_by_label("查询码").fill(case.tracking_code)
    resident.get_by_label("手机号后四位").fill("5678")
    resident.get_by_role("button", name="显示").click()
    resident.get_by_label("未解决").check()
    resident.get_by_label("不满意").check()
    resident.get_by_role("button", name="提交评价").click()
    # an unsatisfied rating asks why: nothing is recorded without a reason, and the error is shown as one
    assert resident.get_by_role("alert").filter(has_text="请选择不满意的原因").is_visible()
    screenshot(resident, "loop-07-unsatisfied-asks-why-phone")
    resident.get_by_label("未解决").check()
    resident.get_by_label("不满意").check()
    resident.get_by_label("问题没有解决").check()
    resident.get_by_label("您的具体意见（选填）").fill("路灯换了第二天又不亮了")
    resident.get_by_role("button", name="提交评价").click()
    assert resident.locator("#case-state").inner_text() == "重办"
    screenshot(resident, "loop-08-unsatisfied-reopened-phone")
    case.refresh_from_db()
    assert case.state == "reopened" and case.reopen_count == 1
    rating = case.events.get(action="rate")
    assert rating.data["reasons"] == ["not_resolved"] and rating.data["comment"] == "路灯换了第二天又不亮了"
