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
