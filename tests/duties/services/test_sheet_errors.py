"""The duty sheet's row errors reach the reader in their language (``duties.sheets.row_error_text``)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from fuhe.common.rows import RowError
from fuhe.duties.core.sheet import COLUMNS, PROBLEMS, parse_rows
from fuhe.duties.sheets import COLUMN_LABELS, PROBLEM_MESSAGES, column_label, row_error_text

CHOICES = {
    "owner_level": {"district", "street", "community"},
    "lead_unit_kind": {"department", "district_government"},
    "lead_department_type": {"housing"},
    "admission": {"owned", "none"},
}


def _errors(rows, header=("code", "matter", "owner_level", "category")):
    return parse_rows(list(header), rows, categories={"城乡建设/城乡规划"}, choices=CHOICES)[1]


def test_every_problem_and_column_has_its_words_with_the_same_placeholders():
    assert set(PROBLEM_MESSAGES) == set(PROBLEMS) and set(COLUMN_LABELS) == set(COLUMNS)
    for code, english in PROBLEMS.items():
        placeholders = set(re.findall(r"%\((\w+)\)s", english))
        with translation.override("en"):
            assert set(re.findall(r"%\((\w+)\)s", str(PROBLEM_MESSAGES[code]))) == placeholders, code


def test_an_english_reader_reads_row_column_and_reason():
    errors = _errors([["A-1", "", "county", "没有/这个"], ["A-1", "事项", "", ""]])
    with translation.override("en"):
        texts = [row_error_text(error) for error in errors]
    assert texts == [
        "Row 2, column “Matter”: required",
        "Row 2, column “Owner level”: 'county' is not one of community/village, district department, street/township",
        "Row 2, column “Category”: '没有/这个' is not a known category path",
        "Row 3, column “Code”: 'A-1' is also on row 2",
    ]


def test_a_chinese_reader_reads_the_row_and_the_sheet_s_chinese_column_name():
    errors = _errors([["A-1", "", "", ""], ["B" * 21, "事项", "", ""]])
    with translation.override("zh-hans"):
        required, too_long = (row_error_text(error) for error in errors)
    assert "2" in required and "“事项”" in required and "必填" in required  # 必填: the catalogue's "required"
    assert "3" in too_long and "“编码”" in too_long and "20" in too_long
    for text in (required, too_long):  # the row frame is a msgid of its own: test_language_complete reads it
        assert not re.search(r"\b(matter|code|required|characters)\b", text), text


def test_a_header_the_sheet_does_not_know_is_named_as_typed():
    errors = _errors([["A-1", "x"]], header=("code", "matter", "谁负责"))
    assert [(e.row, e.field, e.code) for e in errors] == [(1, "谁负责", "unknown_column")]
    with translation.override("en"):
        assert row_error_text(errors[0]) == "Row 1, column “谁负责”: unknown column"
    assert column_label("谁负责") == "谁负责"


def test_an_error_of_the_whole_file_names_the_file():
    with translation.override("en"):
        assert row_error_text(RowError(0, "file", "Not an Excel workbook (BadZipFile).")) == (
            "File: Not an Excel workbook (BadZipFile)."
        )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_problem_without_a_code_keeps_its_reason(language):
    with translation.override(language):
        assert row_error_text(RowError(4, "basis", "reason given elsewhere")).endswith("reason given elsewhere")


def test_a_wrong_choice_lists_the_choices_by_their_names_in_the_reader_s_language():
    (error,) = _errors([["A-1", "事项", "county", ""]])
    assert error.reason == "'county' is not one of community, district, street"  # the log keeps the codes
    with translation.override("zh-hans"):
        text = row_error_text(error)
    assert all(label in text for label in ("社区/村", "区级部门", "街道/乡镇")) and "district" not in text
