from fuhe.common.rows import RowError


def test_a_spreadsheet_row_error_names_row_field_and_reason():
    assert str(RowError(3, "phone", "is not a phone number")) == "row 3, field 'phone': is not a phone number"


def test_a_text_file_error_names_file_and_line():
    error = RowError(12, "code", "is empty", file="street.csv")
    assert str(error) == "street.csv, line 12, field 'code': is empty"


def test_every_importer_raises_the_same_row_error_type():
    from fuhe.cases.services import ticket_import
    from fuhe.duties.core import sheet
    from fuhe.org.core import divisions

    assert ticket_import.RowError is sheet.RowError is divisions.RowError is RowError


def test_an_error_with_a_code_is_said_in_the_words_given_for_it():
    error = RowError(4, "date", "x is not a date", code="not_a_date", values=(("value", "x"),))
    columns = {"date": "日期"}.get
    reasons = {"not_a_date": "%(value)s 不是日期"}
    in_row = "第 %(row)s 行，“%(column)s”：%(reason)s"
    assert error.text_in(reasons, lambda f: columns(f, f), in_row=in_row) == "第 4 行，“日期”：x 不是日期"
    assert error.text_in({}, str, in_row=in_row) == "第 4 行，“date”：x is not a date"  # no words: the English


def test_an_error_on_the_whole_row_is_said_without_a_column():
    error = RowError(7, "*", "too many cells", code="extra_cells")
    said = error.text_in(
        {"extra_cells": "多余的单元格"}, str, in_row="%(row)s %(column)s", in_whole_row="行 %(row)s：%(reason)s"
    )
    assert said == "行 7：多余的单元格"
    assert error.text_in({}, str, in_row="%(row)s/%(column)s/%(reason)s") == "7/*/too many cells"


def test_an_error_stored_as_json_reads_back_the_same():
    import json

    error = RowError(3, "phone", "'1' is not a phone number", code="not_a_phone", values=(("value", "'1'"),))
    assert RowError.from_dict(json.loads(json.dumps(error.as_dict()))) == error
