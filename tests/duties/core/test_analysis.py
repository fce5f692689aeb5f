from fuhe.duties.core.analysis import Gap, ItemFacts, gaps, overlaps


def item(id_, code, matter, category="", owner="department:housing", keywords=()):
    return ItemFacts(id_, code, matter, category, owner, tuple(keywords))


def test_same_matter_or_category_with_different_leads_is_an_overlap():
    items = [
        item(1, "A", "违章建筑查处", "城乡建设/城乡规划", "street"),
        item(2, "B", "违章 建筑查处", "", "department:urban_management"),
        item(3, "C", "房屋质量", "城乡建设/城乡规划", "department:housing"),
        item(4, "D", "房屋质量", "", "department:housing"),
    ]  # same matter, same lead: no overlap
    found = {(o.kind, o.key): o for o in overlaps(items, with_keywords=False)}
    assert set(found) == {("matter", "违章建筑查处"), ("category", "城乡建设/城乡规划")}
    assert found[("matter", "违章建筑查处")].owner_keys == ("department:urban_management", "street")
    assert found[("category", "城乡建设/城乡规划")].item_ids == (1, 3)


def test_shared_keywords_of_different_leads_are_reported():
    items = [
        item(1, "A", "x", keywords=["物业", "电梯"], owner="community"),
        item(2, "B", "y", keywords=["物业"], owner="department:housing"),
    ]
    assert [(o.kind, o.key) for o in overlaps(items)] == [("keyword", "物业")]


def test_gaps_are_items_without_lead_and_the_highest_uncovered_categories():
    items = [
        item(1, "A", "a", "城乡建设/城乡规划"),
        item(2, "B", "b", "城乡建设/住房保障"),
        item(3, "C", "c", "", owner=""),
    ]
    paths = [
        "城乡建设",
        "城乡建设/城乡规划",
        "城乡建设/住房保障",
        "城乡建设/城乡规划/违章建筑",
        "教育文体",
        "教育文体/考试招生",
        "教育文体/体育",
    ]
    assert gaps(items, paths) == [Gap("no_lead", "C", (3,)), Gap("uncovered_category", "教育文体")]
    # a level-1 category is covered when all its subcategories are; a missing one is reported alone
    assert gaps(items[:1], paths[:4]) == [Gap("uncovered_category", "城乡建设/住房保障")]


def test_an_item_without_lead_does_not_cover_its_category():
    assert gaps([item(1, "A", "a", "教育文体", owner="")], ["教育文体"]) == [
        Gap("no_lead", "A", (1,)),
        Gap("uncovered_category", "教育文体"),
    ]
