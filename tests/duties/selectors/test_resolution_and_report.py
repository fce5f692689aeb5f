from fuhe.cases.models import Category
from fuhe.cases.services.intake import case_create
from fuhe.duties.selectors import assisting_units, duty_report, owner_unit_resolve
from fuhe.routing.services import case_route


def test_the_owner_is_resolved_in_the_case_s_own_district_street_and_community(tree, duty_list):
    items = {i.code: i for i in duty_list.items.all()}
    grid, village = tree.regions["花园路社区第1网格"], tree.regions["西关村"]
    assert owner_unit_resolve(items["CG-01"], grid).unit == tree.units["和平区城管委"]
    assert owner_unit_resolve(items["CG-01"], village).unit == tree.units["蓟州区城管委"]
    assert owner_unit_resolve(items["JD-01"], grid).unit == tree.units["劝业场街道办事处"]
    assert owner_unit_resolve(items["JD-01"], village).unit == tree.units["渔阳镇人民政府"]
    assert owner_unit_resolve(items["SQ-01"], grid).unit == tree.units["花园路社区居委会"]
    assert owner_unit_resolve(items["SQ-01"], village).unit == tree.units["西关村委会"]
    street_only = owner_unit_resolve(items["SQ-01"], tree.regions["小白楼街道"])
    assert street_only.unit == tree.units["小白楼街道办事处"] and "no community" in street_only.how
    missing = owner_unit_resolve(items["ST-01"], grid)  # 和平区 has no ecology department in the tree
    assert missing.is_fallback and missing.unit.name == "和平区人民政府"
    no_lead = owner_unit_resolve(items["QT-01"], grid)
    assert no_lead.is_fallback and "no lead" in no_lead.how
    assert assisting_units(items["JD-01"], village) == [tree.units["蓟州区城管委"]]


def test_report_lists_overlaps_gaps_and_missing_units_with_the_cases_affected(tree, duty_list):
    Category.objects.get_or_create(path="教育文体", defaults={"name": "教育文体", "level": 1})
    case = case_create(
        actor=None, channel="hotline", text="小区门口有人私搭乱建违章建筑", region=tree.regions["花园路社区"]
    ).case
    case_route(case=case, allow_auto=False)
    report = duty_report(user=tree.people["admin"], duty_list=duty_list)
    overlaps = {(o.kind, o.key): (items, cases) for o, items, cases in report.overlaps}
    items, cases = overlaps[("matter", "违章建筑查处")]
    assert {i.code for i in items} == {"JD-01", "CG-02"} and cases == [case]
    gaps = {(g.kind, g.key): cases for g, _items, cases in report.gaps}
    assert set(gaps) == {("no_lead", "QT-01"), ("uncovered_category", "教育文体")}
    missing = {m.item.code: m for m in report.missing_units}
    assert set(missing) == {"ST-01"} and [r.name for r in missing["ST-01"].regions] == ["和平区"]
    # the dispatcher of another district sees none of these cases
    other = duty_report(user=tree.people["jz-dispatcher"], duty_list=duty_list)
    assert all(not cases for _o, _i, cases in other.overlaps)


def test_a_batch_memo_resolves_exactly_as_separate_calls_with_fewer_queries(
    tree, duty_list, django_assert_max_num_queries
):
    from fuhe.duties.selectors import assisting_units, owner_unit_resolve, owner_units_prefetch

    items = list(duty_list.items.all())
    regions = [*tree.regions.values(), None]
    alone = [(owner_unit_resolve(item, region), assisting_units(item, region)) for item in items for region in regions]
    memo: dict = {}
    with django_assert_max_num_queries(len(alone)):  # at most one look-up per unit, not per call
        batch = [
            (owner_unit_resolve(item, region, memo=memo), assisting_units(item, region, memo=memo))
            for item in items
            for region in regions
        ]
    assert batch == alone
    prefetched: dict = {}
    with django_assert_max_num_queries(1):  # all the units a batch can need, in one query
        owner_units_prefetch(prefetched, regions, items)
        batch = [
            (owner_unit_resolve(item, region, memo=prefetched), assisting_units(item, region, memo=prefetched))
            for item in items
            for region in regions
        ]
    assert batch == alone


def test_a_prefetched_memo_builds_no_query_at_all(tree, duty_list, monkeypatch):
    """Building a query costs more than the memo's answer (routing a batch built one per candidate: ~0.3 ms
    each); the district's units are queried only when the memo lacks them."""
    from fuhe.duties import selectors
    from fuhe.duties.selectors import assisting_units, owner_unit_resolve, owner_units_prefetch

    items = list(duty_list.items.all())
    regions = list(tree.regions.values())
    alone = [owner_unit_resolve(item, region) for item in items for region in regions]
    prefetched: dict = {}
    owner_units_prefetch(prefetched, regions, items)

    def no_query(*_args, **_kwargs):
        raise AssertionError("a query was built for a unit the memo holds")

    monkeypatch.setattr(selectors, "district_units", no_query)
    assert [owner_unit_resolve(item, region, memo=prefetched) for item in items for region in regions] == alone
    assert all(isinstance(assisting_units(item, region, memo=prefetched), list) for item in items for region in regions)
