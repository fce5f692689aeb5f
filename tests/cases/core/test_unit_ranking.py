"""The dispatch picker's order: recommended, the case's street, the district's departments, the rest."""

from fuhe.cases.core.unit_ranking import (
    DEPARTMENT,
    OTHER,
    OWN_STREET,
    RECOMMENDED,
    UnitRow,
    matches,
    query_words,
    rank_units,
)

STREET = (120101001000000, 120101002000000)
UNITS = [
    UnitRow(1, "和平区交通运输局", "department", 120101000000000),
    UnitRow(2, "和平区城管委", "department", 120101000000000),
    UnitRow(3, "劝业场街道办事处", "street_office", 120101001000000),
    UnitRow(4, "花园路社区居委会", "residents_committee", 120101001001000),
    UnitRow(5, "小白楼街道办事处", "street_office", 120101002000000),
    UnitRow(6, "五大道社区居委会", "residents_committee", 120101002001000),
]
KINDS = ["street_office", "residents_committee", "department"]


def test_recommended_first_in_their_order_then_street_then_departments_then_the_rest():
    ranked = rank_units(UNITS, recommended=[4, 2], street=STREET, kinds=KINDS)
    assert [(tier, unit.id) for tier, unit in ranked] == [
        (RECOMMENDED, 4),
        (RECOMMENDED, 2),
        (OWN_STREET, 3),
        (DEPARTMENT, 1),
        (OTHER, 5),
        (OTHER, 6),
    ]


def test_without_recommendation_or_street_the_departments_lead():
    ranked = rank_units(UNITS, kinds=KINDS)
    assert [unit.id for _tier, unit in ranked][:2] == [1, 2]  # departments by name, then the rest by kind
    assert [unit.id for _tier, unit in ranked][2:] == [3, 5, 6, 4]  # by kind, then name (code points)


def test_every_word_of_the_query_must_be_in_the_name():
    assert query_words("  和平区   城管 ") == ["和平区", "城管"]
    assert matches("和平区城管委", ["和平区", "城管"]) and not matches("和平区交通运输局", ["城管"])
    assert matches("Heping Urban", ["urban"])
