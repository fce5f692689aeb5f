import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuhe.org.core.divisions import (
    DivisionImportError,
    Kind,
    Level,
    Selection,
    ancestor_keys,
    grid_key,
    key_from_code,
    kind_from_urban_rural_code,
    official_code,
    parse_directory,
    subtree_range,
)


def test_keys_nest_by_level():
    district = key_from_code("120101", Level.DISTRICT)
    street = key_from_code("120101001", Level.STREET)
    community = key_from_code("120101001001", Level.COMMUNITY)
    low, high = subtree_range(district, Level.DISTRICT)
    assert low <= street < high and low <= community < high
    assert not low <= key_from_code("120102001", Level.STREET) < high
    assert official_code(community, Level.COMMUNITY) == "120101001001"
    assert ancestor_keys(grid_key(community, 3), Level.GRID) == [
        key_from_code("12", Level.PROVINCE),
        key_from_code("1201", Level.CITY),
        district,
        street,
        community,
    ]


@pytest.mark.parametrize(
    "code,level",
    [("12a", Level.PROVINCE), ("1", Level.PROVINCE), ("120101001", Level.CITY), ("1201010011111111", Level.COMMUNITY)],
)
def test_bad_codes_are_refused(code, level):
    with pytest.raises(ValueError, match="code"):
        key_from_code(code, level)


@given(
    st.integers(min_value=10, max_value=99),
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 999),
    st.integers(0, 999),
    st.integers(1, 999),
)
def test_every_descendant_lies_in_every_ancestor_range(province, city, district, street, community, grid):
    code = f"{province:02d}{city:02d}{district:02d}{street:03d}{community:03d}"
    key = grid_key(key_from_code(code, Level.COMMUNITY), grid)
    for level in [Level.PROVINCE, Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY]:
        ancestor = key_from_code(
            code[: {Level.PROVINCE: 2, Level.CITY: 4, Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12}[level]],
            level,
        )
        low, high = subtree_range(ancestor, level)
        assert low <= key < high


def test_kind_from_class_code_or_name():
    assert kind_from_urban_rural_code(111, "x村委会") is Kind.URBAN
    assert kind_from_urban_rural_code(220, "x居委会") is Kind.RURAL
    assert kind_from_urban_rural_code(None, "花园路社区居委会") is Kind.URBAN
    assert kind_from_urban_rural_code(None, "西关村村委会") is Kind.RURAL


def write_tree(directory: Path, villages: str, *, gz=False):
    (directory / "provinces.csv").write_text('code,name\n12,"天津市"\n', encoding="utf-8")
    (directory / "cities.csv").write_text('code,name,provinceCode\n1201,"市辖区",12\n', encoding="utf-8")
    (directory / "areas.csv").write_text(
        'code,name,cityCode,provinceCode\n120101,"和平区",1201,12\n120119,"蓟州区",1201,12\n', encoding="utf-8"
    )
    (directory / "streets.csv").write_text(
        'code,name,areaCode,provinceCode,cityCode\n120101001,"劝业场街道",120101,12,1201\n'
        '120119100,"渔阳镇",120119,12,1201\n',
        encoding="utf-8",
    )
    if gz:
        with gzip.open(directory / "villages.csv.gz", "wt", encoding="utf-8") as handle:
            handle.write(villages)
    else:
        (directory / "villages.csv").write_text(villages, encoding="utf-8")


VILLAGES = (
    "code,name,streetCode,provinceCode,cityCode,areaCode,urbanRuralCode\n"
    '120101001001,"花园路社区居委会",120101001,12,1201,120101,111\n'
    '120119100201,"西关村村委会",120119100,12,1201,120119,\n'
)


def test_parse_directory_reads_all_levels(tmp_path):
    write_tree(tmp_path, VILLAGES, gz=True)
    rows = parse_directory(tmp_path).rows
    assert [r.level for r in rows] == [
        Level.PROVINCE,
        Level.CITY,
        Level.DISTRICT,
        Level.DISTRICT,
        Level.STREET,
        Level.STREET,
        Level.COMMUNITY,
        Level.COMMUNITY,
    ]
    village = rows[-1]
    assert village.kind is Kind.RURAL and village.urban_rural_code is None
    assert rows[-2].urban_rural_code == 111 and rows[-2].kind is Kind.URBAN


def test_selection_keeps_ancestors_and_drops_others(tmp_path):
    write_tree(tmp_path, VILLAGES)
    codes = [r.code for r in parse_directory(tmp_path, Selection(("120119",))).rows]
    assert codes == ["120000000000", "120100000000", "120119000000", "120119100000", "120119100201"]


def test_errors_name_file_line_and_field(tmp_path):
    bad = (
        VILLAGES + '12010100100X,"坏码",120101001,12,1201,120101,\n120101009001,"孤儿",120101009,12,1201,120101,\n'
        '120101001002,"",120101001,12,1201,120101,\n120101001003,"类码",120101001,12,1201,120101,9\n'
    )
    write_tree(tmp_path, bad)
    with pytest.raises(DivisionImportError) as caught:
        parse_directory(tmp_path)
    messages = [str(e) for e in caught.value.errors]
    assert any("villages.csv, line 4, field 'code'" in m for m in messages)
    assert any("villages.csv, line 5, field 'streetCode'" in m and "120101009" in m for m in messages)
    assert any("line 6, field 'name': is empty" in m for m in messages)
    assert any("line 7, field 'urbanRuralCode'" in m for m in messages)


def test_missing_column_is_reported(tmp_path):
    write_tree(tmp_path, "code,name\n120101001001,x\n")
    with pytest.raises(DivisionImportError, match="field 'streetCode': missing column"):
        parse_directory(tmp_path)


def test_placeholder_rows_fold_into_their_parent(tmp_path):
    write_tree(tmp_path, VILLAGES)
    streets = (tmp_path / "streets.csv").read_text() + '120119000,"蓟州区",120119,12,1201\n'
    (tmp_path / "streets.csv").write_text(streets)
    parsed = parse_directory(tmp_path)
    assert parsed.placeholders == ["streets.csv:4 120119000 蓟州区"]
    assert len({r.key for r in parsed.rows}) == len(parsed.rows)
