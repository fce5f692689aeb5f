import re

import pytest
from django.urls import reverse

from fuhe.cases.models import Case
from fuhe.cases.services.intake import case_create
from fuhe.duties.models import DutyItem
from fuhe.routing.models import RoutingExample, RoutingModel
from fuhe.routing.services import case_route, routing_model_train


@pytest.fixture
def routed_case(tree, duty_list, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = None
    case = case_create(
        actor=None, channel="hotline", text="花园路3号楼前井盖缺失，夜里很危险", region=tree.regions["花园路社区"]
    ).case
    case_route(case=case)
    case.refresh_from_db()
    return case


def test_the_dispatcher_sees_the_recommendation_and_its_reasons(tree, routed_case, login):
    page = login(tree.people["dispatcher"]).get(reverse("cases:detail", args=[routed_case.pk])).content.decode()
    assert 'id="routing-panel"' in page and 'data-item-code="CG-01"' in page and "和平区城管委" in page
    assert "<mark>井盖</mark>" in page and 'id="routing-decide"' in page and 'id="routing-alternatives"' in page
    assert 'data-code="CG-01" selected' in page


def test_the_dispatcher_sees_the_recommended_items_typical_cases_nearest_first(tree, routed_case, login):
    examples = [
        {"title": "路灯不亮", "text": "小区门口路灯坏了一个星期"},
        {"title": "井盖丢了", "text": "楼前井盖缺失，晚上走路差点掉下去"},
        {"title": "", "text": "人行道的地砖翘起来绊倒老人"},
    ]
    DutyItem.objects.filter(code="CG-01").update(examples=examples)
    page = login(tree.people["dispatcher"]).get(reverse("cases:detail", args=[routed_case.pk])).content.decode()
    shown = re.search(r'<li id="routing-typical">(.*?)</ul></li>', page, re.S).group(1)
    assert shown.index("井盖丢了") < shown.index("路灯不亮")  # the case is about a missing manhole cover
    assert "地砖" not in shown  # two at most


def test_an_item_without_typical_cases_shows_none(tree, routed_case, login):
    DutyItem.objects.filter(code="CG-01").update(examples=[])
    page = login(tree.people["dispatcher"]).get(reverse("cases:detail", args=[routed_case.pk])).content.decode()
    assert 'id="routing-panel"' in page and 'id="routing-typical"' not in page


def test_the_dashboard_counts_the_typical_cases_the_model_learns(tree, duty_list, login):
    client = login(tree.people["dispatcher"])
    line = '<li data-source="typical_case">权责清单中的典型案例: <strong>{}</strong></li>'
    assert line.format(0) in client.get(reverse("routing:dashboard")).content.decode()
    cases = [{"title": "井盖丢了", "text": "楼前井盖缺失"}, {"title": "", "text": "路灯不亮一个星期了"}]
    DutyItem.objects.filter(duty_list=duty_list, code="CG-01").update(examples=cases)
    DutyItem.objects.filter(duty_list=duty_list, code="CG-02").update(examples=[{"title": "", "text": ""}])
    assert line.format(2) in client.get(reverse("routing:dashboard")).content.decode()


@pytest.mark.parametrize("person", ["handler", "resident", "jz-dispatcher"])
def test_others_do_not_see_it(tree, routed_case, login, person):
    response = login(tree.people[person]).get(reverse("cases:detail", args=[routed_case.pk]))
    assert 'id="routing-panel"' not in response.content.decode()


def test_a_leader_sees_it_without_the_form(tree, routed_case, login):
    page = login(tree.people["leader"]).get(reverse("cases:detail", args=[routed_case.pk])).content.decode()
    assert 'id="routing-panel"' in page and 'id="routing-decide"' not in page


def test_an_unrouted_waiting_case_shows_a_live_preview(tree, duty_list, login):
    case = case_create(
        actor=None, channel="hotline", text="五大道小区物业不管电梯", region=tree.regions["五大道社区"]
    ).case
    page = login(tree.people["admin"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-item-code="SQ-01"' in page and "五大道社区居委会" in page
    case.refresh_from_db()
    assert case.routing == {}  # a page view writes nothing


def test_correcting_through_the_panel_dispatches_and_records_training_data(tree, routed_case, login):
    client = login(tree.people["dispatcher"])
    jd_item = DutyItem.objects.get(code="JD-01", duty_list_id=routed_case.routing["duty_list"]["id"])
    response = client.post(reverse("routing:decide", args=[routed_case.pk]), {"item": jd_item.pk, "unit": ""})
    assert response.status_code == 302
    jd = Case.objects.get(pk=routed_case.pk)
    assert jd.state == "dispatched" and jd.owner_unit == tree.units["劝业场街道办事处"]
    example = RoutingExample.objects.get()
    assert example.source == "correction" and example.recommended_code == "CG-01"
    dashboard = client.get(reverse("routing:dashboard")).content.decode()
    assert 'id="corrections"' in dashboard and jd.tracking_code in dashboard
    assert '<li data-source="correction">派单员纠正: <strong>1</strong></li>' in dashboard  # a label, not a code
    assert (
        login(tree.people["jz-dispatcher"])
        .post(reverse("routing:decide", args=[jd.pk]), {"item": jd_item.pk})
        .status_code
        == 404
    )


def test_dashboard_figures_and_retrain(tree, routed_case, login, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = 0.01
    routing_model_train()
    auto = case_create(actor=None, channel="hotline", text="井盖又丢了", region=tree.regions["新华社区"]).case
    case_route(case=auto)
    client = login(tree.people["admin"])
    page = client.get(reverse("routing:dashboard")).content.decode()
    assert 'id="auto-share">100.0%' in page
    versions = RoutingModel.objects.count()
    client.post(reverse("routing:retrain"))  # tasks run at once in tests: a new version is trained
    assert RoutingModel.objects.count() == versions + 1
    page = client.get(reverse("routing:dashboard")).content.decode()
    assert "由 admin 请求重新训练" in page and "requested by" not in page  # the note in the reader's language
    assert RoutingModel.objects.filter(is_active=True).count() == 1
    assert login(tree.people["dispatcher"]).post(reverse("routing:retrain")).status_code == 404
    assert login(tree.people["resident"]).get(reverse("routing:dashboard")).status_code == 404


def test_the_dashboard_shows_the_share_and_precision_of_the_measured_threshold(tree, duty_list, login):
    measured = routing_model_train()
    measured.metrics = {
        **measured.metrics,
        "auto_dispatch": {"threshold": 0.962, "precision": 0.986, "share": 0.8, "cases": 141, "measured_on": 176},
    }
    measured.save(update_fields=["metrics"])
    shut = routing_model_train()
    shut.metrics = {**shut.metrics, "auto_dispatch": {"threshold": None, "measured_on": 74}}
    shut.save(update_fields=["metrics"])
    page = login(tree.people["admin"]).get(reverse("routing:dashboard")).content.decode()
    cells = re.findall(r'<td class="model-auto-dispatch">(.*?)</td>', page)  # newest first
    # the figures, whatever the page's language: share, decisions at or above the threshold, threshold, precision
    assert all(figure in cells[1] for figure in ("80%", "141 / 176", "≥ 96%", "99%"))
    assert "74" in cells[0] and "/" not in cells[0]  # no threshold: only how many decisions were measured


def test_model_notes_written_by_the_platform_are_shown_in_the_readers_language(tree, duty_list, login):
    from django.utils import translation

    from fuhe.routing.models import note_text, system_note

    model = routing_model_train(note="nightly retrain")  # as versions before this change stored it
    client = login(tree.people["admin"])
    page = client.get(reverse("routing:dashboard")).content.decode()
    assert "每晚自动重新训练" in page and "nightly retrain" not in page
    with translation.override("en"):
        assert note_text(system_note("requested", "hp-admin")) == "retrain requested by hp-admin"
        assert note_text("demo: duty-list keywords and the demo's dispatch history").startswith("demo: the duty list")
    assert note_text("导入2025年工单后重训") == "导入2025年工单后重训"  # a person's own note, as typed
    assert note_text("fuhe:unknown") == "fuhe:unknown" and model.note_text == "每晚自动重新训练"
