import pytest

from fuhe.cases.services.intake import case_create
from fuhe.duties.services import duty_item_save, duty_list_activate, duty_list_copy
from fuhe.routing.services import case_route, recommend

TEXT = "花园路3号楼前井盖缺失，夜里很危险"


@pytest.fixture
def make_case(tree):
    def make(text=TEXT, region="花园路社区", **fields):
        return case_create(actor=None, channel="hotline", text=text, region=tree.regions[region], **fields).case

    return make


def test_recommends_the_duty_item_and_the_owner_of_that_district(tree, duty_list, make_case):
    here = recommend(make_case())
    assert here.top.item.code == "CG-01" and here.top.resolution.unit == tree.units["和平区城管委"]
    assert "井盖" in here.top.keywords and here.model.kind == "cold_start"
    assert len(here.candidates) == 4 and here.candidates[0].score >= here.candidates[1].score
    there = recommend(make_case(region="西关村"))
    assert there.top.item.code == "CG-01" and there.top.resolution.unit == tree.units["蓟州区城管委"]
    community = recommend(make_case(text="小区物业不管楼道电梯，电梯经常坏"))
    assert community.top.item.code == "SQ-01" and community.top.resolution.unit == tree.units["花园路社区居委会"]


def test_the_category_given_with_the_case_is_a_prior(tree, duty_list, make_case):
    from fuhe.cases.models import Category

    text = "这里的问题一直没人管"
    without = recommend(make_case(text=text))
    noise = Category.objects.get(path="环境保护/环境污染")
    with_category = recommend(make_case(text=text, category=noise))
    assert with_category.category_used and not without.category_used
    assert with_category.top.item.code == "ST-01"


def test_assisting_departments_are_suggested_for_a_summons(tree, duty_list, make_case):
    routing = case_route(case=make_case(text="村里有人私搭乱建违章建筑", region="西关村"), allow_auto=False)
    assert routing["item"]["code"] == "JD-01" and routing["unit"]["name"] == "渔阳镇人民政府"
    assert [u["name"] for u in routing["assisting"]] == ["蓟州区城管委"]


def test_a_case_routed_under_an_old_list_version_keeps_its_explanation(tree, duty_list, make_case):
    old_case = make_case()
    case_route(case=old_case, allow_auto=False)
    draft = duty_list_copy(actor=tree.people["admin"], source=duty_list)
    item = draft.items.get(code="CG-01")
    item.matter, item.keywords, item.basis = "道路设施", ["路面塌陷"], "新依据"
    duty_item_save(actor=None, item=item)
    duty_list_activate(actor=None, duty_list=draft, retrain=False)
    old_case.refresh_from_db()
    assert old_case.routing["duty_list"] == {"id": duty_list.pk, "version": 1, "name": "测试清单"}
    assert old_case.routing["item"]["matter"] == "市政设施维护"
    assert old_case.routing["item"]["basis"].startswith("《城市")
    assert "井盖" in old_case.routing["matched_keywords"]
    new_routing = case_route(case=make_case(text="花园路3号楼前路面塌陷"), allow_auto=False)
    assert new_routing["duty_list"]["version"] == 2 and new_routing["item"]["matter"] == "道路设施"


def test_no_list_in_force_means_no_recommendation(tree, make_case):
    case = make_case()
    assert recommend(case) is None and case_route(case=case) is None


def _facts(recommendation):
    if recommendation is None:
        return None
    return (
        [(c.item.code, round(c.score, 9), c.keywords, c.resolution) for c in recommendation.candidates],
        recommendation.similar,
        [u.pk for u in recommendation.assisting],
        recommendation.category_used,
        recommendation.duty_list.pk,
    )


def test_a_batch_recommends_exactly_what_one_case_at_a_time_does(tree, duty_list, make_case):
    from fuhe.cases.services.lifecycle import case_dispatch
    from fuhe.routing.services import recommend_many, routing_examples_collect

    past = case_dispatch(
        actor=tree.people["dispatcher"], case=make_case("花园路5号楼井盖丢了，很危险"), unit=tree.units["和平区城管委"]
    )
    assert routing_examples_collect() == 1
    cases = [
        make_case(),
        make_case(region="西关村"),
        make_case(text="小区物业不管楼道电梯，电梯经常坏"),
        make_case(text="村里有人私搭乱建违章建筑", region="西关村"),
        past,
    ]
    one_at_a_time = [_facts(recommend(case)) for case in cases]
    assert [_facts(r) for r in recommend_many(cases)] == one_at_a_time
    first = one_at_a_time[0]
    assert first[1] and first[1][0]["case_id"] == past.pk  # the similar past case, found in the batch too
    assert not one_at_a_time[4][1]  # a case is never similar to itself


def test_a_case_with_no_list_in_force_is_noted_once(tree, make_case):
    from fuhe.routing.services import cases_route

    case = make_case()
    assert cases_route([case.pk]) == 1
    case.refresh_from_db()
    assert case.routing["decision"] == "no_duty_list" and "item" not in case.routing
    assert cases_route() == 0  # not looked at again


def test_a_batch_writes_its_routing_notes_together_and_never_over_a_decision(tree, duty_list, make_case):
    """One commit per case made the notes a large share of routing's time; a batch writes them in a few short
    transactions, and only on cases still without a note (a dispatcher's decision in between stays)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fuhe.cases.models import Case
    from fuhe.routing.services import _store_routings, cases_route

    cases = [make_case() for _ in range(4)] + [make_case(region="西关村"), make_case(text="小区电梯经常坏")]
    with CaptureQueriesContext(connection) as queries:
        assert cases_route([case.pk for case in cases]) == len(cases)
    updates = [q["sql"] for q in queries.captured_queries if 'UPDATE "cases_case"' in q["sql"]]
    assert len(updates) == 1
    notes = dict(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "routing"))
    assert all(note["decision"] == "queued" and note["item"]["code"] for note in notes.values())
    assert notes[cases[4].pk]["unit"]["id"] == tree.units["蓟州区城管委"].pk
    _store_routings([(cases[0].pk, {"decision": "stale"})])
    assert Case.objects.get(pk=cases[0].pk).routing == notes[cases[0].pk]


def test_a_chunk_of_notes_that_cannot_be_stored_leaves_only_its_cases_for_the_next_sweep(
    tree, duty_list, make_case, monkeypatch
):
    from fuhe.cases.models import Case
    from fuhe.routing import services

    cases = [make_case() for _ in range(5)]
    monkeypatch.setattr(services, "NOTES_PER_TRANSACTION", 2)
    field = Case._meta.get_field("routing")
    real = field.get_db_prep_save

    def failing(value, connection):
        if isinstance(value, dict) and value.get("decision") and value is marked[0]:
            raise ValueError("cannot serialise")
        return real(value, connection)

    marked: list = []
    notes = [(case.pk, {"decision": "queued", "n": i}) for i, case in enumerate(cases)]
    marked.append(notes[2][1])  # the second chunk (cases 2 and 3) fails
    monkeypatch.setattr(field, "get_db_prep_save", failing)
    assert services._store_routings(notes) == 2
    stored = dict(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "routing"))
    assert [bool(stored[c.pk]) for c in cases] == [True, True, False, False, True]


def test_the_lists_typical_cases_teach_an_item_its_residents_words(tree, duty_list, make_case):
    """A message with none of the list's keywords: the cold-start model knows only the keywords and routes it
    elsewhere; once the item carries typical cases (the 12345 knowledge base) in those words, it finds the item."""
    text = "顶楼邻居在楼顶上偷偷盖了一间小屋，还往外伸出一大块"
    before = recommend(make_case(text=text))
    assert before.top.item.code != "JD-01" and not before.keywords_found
    draft = duty_list_copy(actor=tree.people["admin"], source=duty_list)
    item = draft.items.get(code="JD-01")
    item.examples = [
        {"title": "楼顶盖房", "text": "顶楼住户在楼顶盖了一间小屋"},
        {"title": "楼顶小屋", "text": "有人在楼顶偷偷盖房子"},
        {"title": "往外伸", "text": "一楼邻居把屋子往外伸出一大块"},
    ]
    duty_item_save(actor=None, item=item)
    duty_list_activate(actor=None, duty_list=draft, retrain=False)
    after = recommend(make_case(text=text))
    assert after.top.item.code == "JD-01" and after.top.resolution.unit == tree.units["劝业场街道办事处"]
