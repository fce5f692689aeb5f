"""The dispatch picker (issue 14, item 3): no unit is chosen for the dispatcher, an empty choice is refused by
name, the search lists only the case's district's units to the case's own dispatcher, recommended first; the
caller's earlier cases are shown with the phone masked; a weak recommendation says why."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from fuhe.cases.models import Case
from fuhe.org.models import Unit, UnitKind
from tests.duties.factories import district_governments, make_list

pytestmark = pytest.mark.django_db


def _select(page: str, select_id: str) -> str:
    return re.search(rf'<select id="{select_id}".*?</select>', page, re.S).group(0)


def test_the_dispatch_select_preselects_nothing_and_is_required_and_grouped_by_kind(tree, login, new_case):
    case = new_case()
    page = login(tree.people["dispatcher"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    select = _select(page, "unit-dispatch")
    assert "required" in select.split(">")[0]
    assert re.search(r'<select[^>]*>\s*<option value="">', select)  # the empty first option
    assert "selected" not in select
    assert select.count("<optgroup") >= 3 and "和平区城管委" in select and "蓟州区城管委" not in select
    assert 'id="unit-dispatch-q"' in page and 'role="combobox"' in page and "web/picker.js" in page


def test_dispatching_without_a_unit_is_refused_and_the_case_waits(tree, login, new_case):
    case = new_case()
    client = login(tree.people["dispatcher"])
    response = client.post(reverse("cases:act", args=[case.pk]), {"action": "dispatch", "unit": ""}, follow=True)
    case.refresh_from_db()
    assert case.state == "received" and case.owner_unit is None
    messages = re.search(r'<ul class="messages".*?</ul>', response.content.decode(), re.S).group(0)
    assert 'role="alert"' in messages and "单位" in messages  # the field is named, in the reader's language


def test_bulk_dispatch_without_a_unit_names_the_field(tree, login, new_case):
    case = new_case()
    client = login(tree.people["dispatcher"])
    with translation.override("en"):
        response = client.post(
            reverse("cases:bulk_dispatch"), {"case": [case.pk], "unit": ""}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
        )
    case.refresh_from_db()
    assert case.state == "received"
    assert "派单至：请从列表中选择单位，系统不会替您预选。" in response.content.decode()
    client.post(reverse("cases:bulk_dispatch"), {"case": [case.pk], "unit": tree.units["和平区城管委"].pk})
    case.refresh_from_db()
    assert case.state == "dispatched" and case.owner_unit == tree.units["和平区城管委"]


def _search(client, case, q="", **extra):
    return client.get(reverse("cases:unit_search"), {"case": case.pk, "q": q, "picker": "unit-dispatch", **extra})


def test_search_lists_only_the_districts_units_by_name(tree, login, new_case):
    Unit.objects.create(name="和平区城管党委", kind=UnitKind.PARTY_ORG, region=tree.regions["和平区"])
    case = new_case()
    client = login(tree.people["dispatcher"])
    found = _search(client, case, "城管").content.decode()
    assert "和平区城管委" in found
    assert "蓟州区城管委" not in found  # another district's unit is never listed
    assert "和平区城管党委" not in found  # nor a unit no case is dispatched to
    everything = _search(client, case, "").content.decode()
    assert "蓟州区" not in everything and "渔阳镇" not in everything and "西关村" not in everything
    assert 'role="option"' in everything


def test_search_ranks_recommended_then_the_cases_street_then_departments(tree, login, new_case):
    case = new_case()  # in 花园路社区, 劝业场街道
    client = login(tree.people["dispatcher"])
    text = _search(client, case, "", recommended=[tree.units["新华社区居委会"].pk]).content.decode()
    order = [text.index(name) for name in ("新华社区居委会", "劝业场街道办事处", "和平区城管委", "小白楼街道办事处")]
    assert order == sorted(order)


def test_search_is_the_cases_dispatchers_alone(tree, login, new_case):
    case = new_case()
    for person in ("jz-dispatcher", "handler", "grid"):
        assert _search(login(tree.people[person]), case, "城管").status_code == 404
    assert _search(login(tree.people["dispatcher"]), Case(pk=999999), "城管").status_code == 404


def test_the_callers_earlier_cases_are_listed_with_the_phone_masked(tree, login, new_case):
    first = new_case(text="花园路3号楼前路灯不亮，晚上很黑")
    other_phone = new_case(text="新华路路面坑洼", reporter_phone="13700001111")
    elsewhere = new_case(text="西关村村口垃圾堆放", region=tree.regions["西关村"])
    case = new_case()
    page = login(tree.people["dispatcher"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    block = re.search(r'<section id="caller-cases".*?</section>', page, re.S).group(0)
    assert first.tracking_code in block and "139****5678" in block and "13912345678" not in block
    assert other_phone.tracking_code not in block  # another caller
    assert elsewhere.tracking_code not in block  # out of the dispatcher's scope
    assert case.tracking_code not in block  # not the case itself
    alone = new_case(reporter_phone="13600002222")
    page = login(tree.people["dispatcher"]).get(reverse("cases:detail", args=[alone.pk])).content.decode()
    assert 'id="caller-cases"' not in page


def test_the_recommended_unit_comes_first_with_its_confidence_and_a_weak_one_says_why(tree, login, new_case, settings):
    district_governments(tree)
    make_list(tree)
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "0.99"
    case = new_case(text="井盖丢了！")  # very short
    client = login(tree.people["dispatcher"])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    select = _select(page, "unit-dispatch")
    first_group = re.search(r'<optgroup label="([^"]+)">\s*<option value="(\d+)">([^<]+)</option>', select)
    assert first_group.group(1) == "推荐" and int(first_group.group(2)) == tree.units["和平区城管委"].pk
    assert re.search(r"和平区城管委 · \d+%", first_group.group(3))
    assert 'id="unit-dispatch-reasons"' in page and 'id="routing-weak"' in page
    with translation.override("en"):
        short = str(_("The case's text is very short: there is little to judge by."))
    reasons = html.unescape(re.search(r'<ul class="list small picker-reasons".*?</ul>', page, re.S).group(0))
    assert short in reasons or "诉求内容过短" in reasons  # said in plain words (the catalogue may translate it)
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "0.01"
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="unit-dispatch-reasons"' not in page and 'id="routing-weak"' not in page


def test_the_queues_bulk_picker_is_the_same_picker_with_nothing_chosen(tree, login, new_case):
    case = new_case()
    page = login(tree.people["dispatcher"]).get(reverse("cases:queue")).content.decode()
    select = _select(page, "bulk-unit")
    assert re.search(r'<select[^>]*required[^>]*>\s*<option value="">', select) and "selected" not in select
    assert "和平区城管委" in select and "蓟州区城管委" not in select
    assert f"?case={case.pk}&amp;picker=bulk-unit" in page and "web/picker.js" in page


@pytest.mark.parametrize("query", ["hpqcgw", "chengguan", "HPQ chengguan", "cgw", "和平 cgw"])
def test_search_finds_a_unit_by_pinyin_and_by_initials(tree, login, new_case, query):
    case = new_case()
    found = _search(login(tree.people["dispatcher"]), case, query).content.decode()
    assert "和平区城管委" in found and "劝业场街道办事处" not in found
    assert "蓟州区城管委" not in found  # the pinyin search keeps the scope of the name search


def test_a_renamed_unit_is_found_by_its_new_pinyin_only(tree, login, new_case):
    case = new_case()
    client = login(tree.people["dispatcher"])
    assert "和平区城管委" in _search(client, case, "cgw").content.decode()
    unit = tree.units["和平区城管委"]
    unit.name = "和平区城市管理委员会"
    unit.save()
    assert "和平区城市管理委员会" not in _search(client, case, "cgw").content.decode()
    assert "和平区城市管理委员会" in _search(client, case, "csglwyh").content.decode()
