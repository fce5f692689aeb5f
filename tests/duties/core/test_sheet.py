from fuhe.duties.core.sheet import (
    MAX_EXAMPLE_LENGTH,
    MAX_EXAMPLES,
    examples_text,
    header_label,
    parse_rows,
    split_examples,
)

CHOICES = {
    "owner_level": {"district", "street", "community"},
    "lead_unit_kind": {"department", "street_office", "district_government"},
    "lead_department_type": {"housing", "urban_management"},
    "admission": {"owned", "assists", "excluded", "none"},
}
HEADER = [
    header_label("code"),
    "事项",
    "category",
    "owner_level",
    "lead_department_type",
    "assisting_department_types",
    "keywords",
    "admission",
]


def parse(rows, header=HEADER):
    return parse_rows(header, rows, categories={"城乡建设/城乡规划"}, choices=CHOICES)


def test_valid_rows_with_chinese_aliases_and_lists():
    items, errors = parse(
        [
            [
                "A-1",
                "违章建筑查处",
                "城乡建设 › 城乡规划",
                "街道",
                "",
                "housing, urban_management",
                "违章建筑、违建",
                "依法履职",
            ],
            [None] * 8,
        ]
    )
    assert errors == []
    assert items[0].owner_level == "street" and items[0].admission == "owned" and items[0].row == 2
    assert items[0].keywords == ["违章建筑", "违建"] and items[0].category == "城乡建设/城乡规划"
    assert items[0].assisting_department_types == ["housing", "urban_management"]


def test_every_problem_is_named_by_row_and_field():
    _items, errors = parse(
        [
            ["A-1", "", "", "district", "police", "", "", ""],
            ["A-1", "事项", "不存在/类别", "county", "", "army", "", "maybe"],
        ]
    )
    assert [(e.row, e.field) for e in errors] == [
        (2, "matter"),
        (2, "lead_department_type"),
        (3, "code"),
        (3, "owner_level"),
        (3, "admission"),
        (3, "assisting_department_types"),
        (3, "category"),
    ]
    assert str(errors[0]) == "row 2, field 'matter': required"


def test_header_problems_stop_before_rows():
    _items, errors = parse([["x"]], header=["code", "colour"])
    assert {(e.row, e.field, e.reason) for e in errors} == {
        (1, "colour", "unknown column"),
        (1, "matter", "missing required column"),
    }


def test_every_problem_carries_its_code_and_values_for_the_translating_layer():
    _items, errors = parse([["A-1", "", "", "county", "", "", "", ""], ["A-1", "事项", "", "", "", "", "", ""]])
    assert [(e.code, dict(e.values)) for e in errors] == [
        ("required", {}),
        ("not_a_choice", {"value": "'county'", "choices": "community, district, street"}),
        ("code_twice", {"value": "'A-1'", "row": "2"}),
    ]
    assert errors[2].reason == "'A-1' is also on row 2"
    assert errors[2].reason_in({"code_twice": "%(value)s 在第 %(row)s 行已出现"}) == "'A-1' 在第 2 行已出现"
    assert errors[2].reason_in({}) == errors[2].reason


def test_a_choice_may_be_given_by_one_of_its_names():
    choices = {
        "owner_level": {"district", "street", "community"},
        "lead_unit_kind": {"department"},
        "lead_department_type": {"housing", "health"},
        "admission": {"owned", "none"},
    }
    aliases = {"lead_unit_kind": {"Functional Department": "department"}, "lead_department_type": {"住建": "housing"}}
    header = ["code", "matter", "owner_level", "lead_unit_kind", "lead_department_type", "assisting_department_types"]
    items, errors = parse_rows(
        header,
        [
            ["A-1", "事项", "区级", "functional department", "住建", "住建、health"],
            ["A-2", "事项", "县级", "", "", "卫健"],
        ],
        categories=set(),
        choices=choices,
        aliases=aliases,
    )
    assert [(i.owner_level, i.lead_unit_kind, i.lead_department_type, i.assisting_department_types) for i in items] == [
        ("district", "department", "housing", ["housing", "health"])
    ]
    assert [(e.row, e.field, e.code) for e in errors] == [
        (3, "owner_level", "not_a_choice"),
        (3, "assisting_department_types", "not_a_department"),
    ]


def test_typical_cases_are_read_one_per_line_as_title_and_text():
    header = [header_label("code"), "事项", "典型案例"]
    items, errors = parse_rows(
        header,
        [["GA-01", "噪声", "楼上半夜吵｜楼上每天半夜拖椅子\n\n  只有正文，没有标题  \n对面酒吧 | 音乐太响"]],
        categories=set(),
        choices=CHOICES,
    )
    assert errors == []
    assert items[0].examples == [
        {"title": "楼上半夜吵", "text": "楼上每天半夜拖椅子"},
        {"title": "", "text": "只有正文，没有标题"},
        {"title": "对面酒吧", "text": "音乐太响"},
    ]
    assert split_examples(examples_text(items[0].examples)) == items[0].examples


def test_too_many_or_too_long_typical_cases_name_the_row_and_the_case():
    header = [header_label("code"), "事项", "examples"]
    long_case = "标题｜" + "很" * (MAX_EXAMPLE_LENGTH + 1)
    items, errors = parse_rows(
        header,
        [["A-1", "甲", "\n".join(["一条"] * (MAX_EXAMPLES + 1))], ["A-2", "乙", f"好的｜正常\n{long_case}"]],
        categories=set(),
        choices=CHOICES,
    )
    assert items == []
    assert [(e.row, e.field, e.code) for e in errors] == [
        (2, "examples", "too_many_examples"),
        (3, "examples", "example_too_long"),
    ]
    assert dict(errors[1].values) == {"number": "2", "limit": str(MAX_EXAMPLE_LENGTH)}
