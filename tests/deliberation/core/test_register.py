"""The household register's sheet: the ID column found under a title line, other columns left unread, each
problem named with its row, no number twice, and a keyed digest that is no plain hash."""

from __future__ import annotations

import hashlib
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from fuhe.deliberation.core.register import MAX_ROWS, id_digest, id_problem, normalise, parse_register

TODAY = date(2026, 12, 3)
A = "12010119800315123X"
B = "120101199012240021"


def codes(parsed) -> list[tuple[int, str, str]]:
    return [(p.row, p.field, p.code) for p in parsed.problems]


def test_a_roll_as_exported_is_read_by_its_id_column_only():
    table = [
        ["花园路社区户籍名册（2026年11月）"],
        ["户号", "姓名", "与户主关系", "公民身份号码", "住址"],
        ["0001", "张三", "户主", A, "花园路3号楼"],
        ["0001", "李四", "配偶", B.lower(), "花园路3号楼"],
        ["", "", "", "", ""],
    ]
    parsed = parse_register(table, today=TODAY)
    assert parsed.problems == [] and parsed.numbers == [A, B]


def test_every_bad_row_is_named_and_a_number_given_twice_points_to_its_first_row():
    table = [
        ["身份证号"],
        [A],
        ["12345"],
        ["120101202802300011"],  # 2028-02-30: no such day
        [""],  # a blank row is skipped, not an error
        ["120101203001010011"],  # born in the future
        [f"{A[:6]} {A[6:]}"],  # the same as row 2 once spaces are dropped
    ]
    assert codes(parse_register(table, today=TODAY)) == [
        (3, "id_number", "not_an_id"),
        (4, "id_number", "bad_birth_date"),
        (6, "id_number", "bad_birth_date"),
        (7, "id_number", "row_twice"),
    ]
    assert parse_register(table, today=TODAY).problems[-1].values == (("row", "2"),)


def test_a_row_without_its_number_is_an_error_not_skipped():
    parsed = parse_register([["姓名", "身份证号码"], ["张三", ""], ["李四", A]], today=TODAY)
    assert codes(parsed) == [(2, "id_number", "required")]


def test_a_sheet_without_an_id_column_or_without_people_says_so():
    assert codes(parse_register([["姓名", "住址"], ["张三", "x"]], today=TODAY)) == [(1, "id_number", "missing_column")]
    assert codes(parse_register([["ID number"]], today=TODAY)) == [(1, "*", "empty")]
    assert codes(parse_register([], today=TODAY)) == [(1, "id_number", "missing_column")]


def test_more_rows_than_the_limit_is_refused_whole():
    table = [["身份证号"]] + [[A]] * (MAX_ROWS + 1)
    assert codes(parse_register(table, today=TODAY)) == [(1, "*", "too_many_rows")]


def test_the_digest_needs_the_key_and_ignores_spacing():
    key = b"k" * 32
    assert id_digest(A, key) == id_digest(f" {A[:6]}-{A[6:].lower()} ", key)
    assert id_digest(A, key) != id_digest(A, b"other key")
    assert id_digest(A, key) != hashlib.sha256(A.encode()).hexdigest()


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY), st.integers(0, 999), st.sampled_from("0123456789X"))
def test_every_well_formed_number_born_by_today_is_accepted(born, sequence, last):
    number = f"120101{born:%Y%m%d}{sequence:03d}{last}"
    assert id_problem(normalise(number.lower()), TODAY) == ""
