"""The demo duty list (``duties/seed.py``): every department a 12345 centre dispatches to leads its matters, every
lead has a unit in the demo, every item has a basis and keywords, and the held-out routing set agrees with it."""

import csv
from pathlib import Path

import pytest

from fuhe.demo.services import DEPARTMENTS
from fuhe.duties.seed import DISPATCH_ITEMS, EXTRA_ITEMS, TAXONOMY_ITEMS, demo_items, owner_key_of

EVAL = Path(__file__).resolve().parents[2] / "src" / "fuhe" / "routing" / "data" / "eval_units.csv"


def rows():
    return [
        {"code": r[0], "level": r[3], "lead": r[4], "assisting": r[5], "basis": r[7], "keywords": r[8]}
        for r in TAXONOMY_ITEMS
    ] + [
        {"code": r[0], "level": r[3], "lead": r[4], "assisting": r[5], "basis": r[7], "keywords": r[8]}
        for r in EXTRA_ITEMS
    ]


def test_codes_are_unique():
    codes = [row["code"] for row in rows()]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(
    ("code", "owner"),
    [
        ("GA-01", "department:public_security"),  # noise at night
        ("GA-02", "department:public_security"),  # theft
        ("GA-03", "department:public_security"),  # 户籍
        ("GA-04", "department:public_security"),  # ID cards
        ("SW-01", "department:water"),  # supply
        ("SW-02", "department:water"),  # quality
        ("SW-03", "department:water"),  # drainage
        ("SC-01", "department:market_regulation"),  # lifts: special equipment
        ("ZJ-01", "department:housing"),  # lifts: retrofits and the maintenance fund
        ("WS-04", "department:market_regulation"),  # food
        ("SC-02", "department:market_regulation"),  # weights and measures
        ("CG-01", "department:urban_management"),  # streetlights
        ("JD-02", "street"),  # the street's comprehensive enforcement (执法下沉)
        ("NY-01", "department:agriculture"),  # the county's land contracts
    ],
)
def test_the_departments_a_12345_centre_dispatches_to_lead_their_matters(code, owner):
    row = next(row for row in rows() if row["code"] == code)
    assert owner_key_of(row["level"], row["lead"]) == owner
    assert row["basis"] and len(row["keywords"]) >= 3


def test_every_lead_and_assisting_department_has_a_unit_in_the_demo():
    demo_types = {str(department_type) for department_type, _suffix in DEPARTMENTS}
    named = {row["lead"] for row in rows() if row["lead"]} | {a for row in rows() for a in row["assisting"]}
    assert named <= demo_types, named - demo_types


def test_every_dispatch_item_has_a_basis_keywords_and_an_owner_except_the_deliberate_gap():
    for code, _matter, _category, level, lead, _assisting, basis, keywords in DISPATCH_ITEMS:
        assert basis and keywords, code
        assert owner_key_of(level, lead) or code == "QT-02", code


def test_the_held_out_set_names_items_and_owners_as_the_list_does():
    items = {item["code"]: item for item in demo_items({})}
    with EVAL.open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle))
    assert len(cases) >= 150 and {case["district"] for case in cases} == {"120101", "120119"}
    for case in cases:
        assert case["item"] in items, case["id"]
        assert case["owner"] == (items[case["item"]]["owner"] or "district_government"), case["id"]


def test_no_keyword_is_a_held_out_sentence():
    """Keywords are the list's own words, not the evaluation's messages copied in."""
    with EVAL.open(encoding="utf-8", newline="") as handle:
        # a short title may be a plain term ("电梯困人"); a sentence is a body or a longer title
        sentences = {t for case in csv.DictReader(handle) for t in (case["title"], case["text"]) if len(t) > 6}
    keywords = {word for item in demo_items({}) for word in item["keywords"]}
    assert not keywords & sentences
    assert max(len(word) for word in keywords) <= 12


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("GA-05", ["超速", "酒驾", "闯红灯"]),  # the commonest traffic offences are the traffic police's
        ("GA-07", ["出租房屋", "租客"]),  # 出租房屋治安管理: rented rooms are registered with the police
        ("WS-04", ["食品安全", "小作坊", "外卖", "过期食品"]),  # food workshops and delivered food: 市场监管
        ("JD-01", ["乱搭乱建", "圈占", "私自扩建"]),  # how an illegal structure is reported
        ("NY-05", ["山火", "野外用火"]),  # forest fire prevention is the forest's matter
        ("JT-02", ["农村公路", "村道"]),  # 《农村公路条例》: rural roads are the transport bureau's
        ("SC-03", ["预付卡"]),  # prepaid cards of a closed shop: a consumer dispute
        ("WS-01", ["疫苗接种", "预防接种"]),  # a child's vaccination is public health
    ],
)
def test_an_item_has_the_words_a_district_writes_for_it(code, words):
    keywords = next(item["keywords"] for item in demo_items({}) if item["code"] == code)
    assert set(words) <= set(keywords), set(words) - set(keywords)


def test_a_persons_vaccination_is_not_an_animal_epidemic():
    owners_of = {item["code"]: item for item in demo_items({}) if "疫苗接种" in item["keywords"]}
    assert set(owners_of) == {"WS-01"}
