"""The place gazetteer's sheet: every row checked, each problem with its row and column (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fuhe.common.tables import TableReadError
from fuhe.org.core.gazetteer import parse_places, read_table


def test_good_rows_with_chinese_headers():
    parsed = parse_places(
        [
            ["名称", "所属区域", "纬度", "经度", "别名"],
            ["滨江道小区", "花园路社区", "39.12", "117.19", "滨江小区、老滨江"],
            ["第一中学", "120101001002", "", "", ""],
            ["", "", "", "", ""],  # blank lines are skipped
        ]
    )
    assert parsed.problems == []
    first, second = parsed.rows
    assert (first.row, first.name, first.region) == (2, "滨江道小区", "花园路社区")
    assert first.latitude == Decimal("39.120000") and first.aliases == ("滨江小区", "老滨江")
    assert second.latitude is None and second.region == "120101001002"


def test_every_problem_names_its_row_and_column():
    parsed = parse_places(
        [
            ["name", "region", "lat", "lon"],
            ["", "花园路社区", "", ""],
            ["A", "", "", ""],
            ["B", "", "north", "117"],
            ["C", "x", "95", "117"],
            ["D", "x", "39", ""],
            ["A2", "y", "", ""],
            ["A2", "y", "", ""],
        ]
    )
    found = {(p.row, p.field, p.code) for p in parsed.problems}
    assert found == {
        (2, "name", "required"),
        (3, "region", "region_or_point"),
        (4, "lat", "not_a_number"),
        (5, "lat", "out_of_range"),
        (6, "lon", "both_or_neither"),
        (8, "name", "row_twice"),
    }


@pytest.mark.parametrize(
    ("header", "problem"),
    [(["name", "colour"], (1, "colour", "unknown_column")), (["region"], (1, "name", "missing_column"))],
)
def test_header_problems(header, problem):
    parsed = parse_places([header, ["x"] * len(header)])
    assert problem in {(p.row, p.field, p.code) for p in parsed.problems}


def test_an_empty_sheet_is_a_problem():
    assert [p.code for p in parse_places([["name", "region"]]).problems] == ["empty"]


def test_read_table_csv_in_gbk_and_refused_files():
    assert read_table("名称,区域\n小区,花园路社区\n".encode("gb18030"), "places.csv") == [
        ["名称", "区域"],
        ["小区", "花园路社区"],
    ]
    for data, name, code in [(b"x", "places.pdf", "bad_suffix"), (b"not a zip", "p.xlsx", "bad_workbook")]:
        with pytest.raises(TableReadError) as raised:
            read_table(data, name)
        assert raised.value.code == code
