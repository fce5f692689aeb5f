"""The weak recommendation explained in plain, translated words (``recommendation_weaknesses``)."""

import pytest
from django.utils import translation

from fuhe.cases.services.intake import case_create
from fuhe.routing.services import case_route, recommendation_is_weak, recommendation_weaknesses


@pytest.fixture
def make_case(tree):
    def make(text, region="花园路社区"):
        return case_create(actor=None, channel="hotline", text=text, region=tree.regions[region]).case

    return make


def test_a_matching_text_with_a_clear_winner_gives_no_reason(tree, duty_list, make_case, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "0.01"
    case = make_case("花园路3号楼前井盖缺失，夜里很危险，请尽快处理")
    routing = case_route(case=case, allow_auto=False)
    assert not recommendation_is_weak(routing)
    assert recommendation_weaknesses(case=case, routing=routing, has_duty_list=True) == []


def test_no_keyword_and_a_short_text_are_said_in_plain_words(tree, duty_list, make_case, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "0.99"
    case = make_case("有点问题")
    routing = case_route(case=case, allow_auto=False)
    assert routing["keywords_found"] is False and recommendation_is_weak(routing)
    with translation.override("en"):
        english = recommendation_weaknesses(case=case, routing=routing, has_duty_list=True)
    assert "No keyword of the duty list occurs in the case's text." in english
    assert "The case's text is very short: there is little to judge by." in english


def test_two_tied_items_are_named(tree, duty_list, make_case, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "0.99"
    case = make_case("楼道里有人私搭乱建，物业不管，堆满杂物很久了")
    routing = case_route(case=case, allow_auto=False)
    other = next(a for a in routing["alternatives"] if a["unit"]["id"] != routing["unit"]["id"])
    routing["confidence"], other["unit_confidence"] = 0.41, 0.40  # two units tie, whatever the model says
    with translation.override("en"):
        reasons = recommendation_weaknesses(case=case, routing=routing, has_duty_list=True)
    tie = [r for r in reasons if r.startswith("Two duty items")]
    first = f"{routing['item']['code']} {routing['item']['matter']}"
    second = f"{other['code']} {other['matter']}"
    assert tie == [f"Two duty items are almost equally likely: {first} and {second}."]


def test_two_items_of_the_same_unit_do_not_tie(tree, duty_list, make_case, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "0.99"
    case = make_case("楼道里有人私搭乱建，物业不管，堆满杂物很久了")
    routing = case_route(case=case, allow_auto=False)
    for alternative in routing["alternatives"]:  # every other item: the same unit as the top, equally likely
        alternative["unit"], alternative["unit_confidence"] = routing["unit"], routing["confidence"]
    with translation.override("en"):
        reasons = recommendation_weaknesses(case=case, routing=routing, has_duty_list=True)
    assert not [r for r in reasons if r.startswith("Two duty items")]


def test_a_gap_in_the_list_is_said(tree, duty_list, make_case, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "0.01"
    case = make_case("共享单车乱停放堵住了路口共享单车")
    routing = case_route(case=case, allow_auto=False)
    assert routing["item"]["code"] == "QT-01" and routing["fallback"]
    with translation.override("en"):
        reasons = recommendation_weaknesses(case=case, routing=routing, has_duty_list=True)
    assert reasons[0].startswith("The duty list names no lead for this matter (a gap in the list)")


def test_a_region_without_a_duty_list_in_force(tree, make_case, settings):
    case = make_case("花园路3号楼前井盖缺失，夜里很危险")
    with translation.override("en"):
        reasons = recommendation_weaknesses(case=case, routing=None, has_duty_list=False)
    assert reasons == ["No duty list is in force for this case's region, so nothing can be matched."]
