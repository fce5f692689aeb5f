import io
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook

from fuhe.common.tables import TableReadError, cell_text, csv_rows, decode_text, table_rows, table_suffix, xlsx_rows


def _workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_cells_read_as_the_user_typed_them():
    assert cell_text(None) == ""
    assert cell_text(datetime(2026, 1, 1)) == "2026-01-01"  # a date cell: no midnight time
    assert cell_text(datetime(2026, 1, 1, 8, 30)) == "2026-01-01 08:30:00"
    assert cell_text(date(2026, 10, 1)) == "2026-10-01"
    assert cell_text(time(9, 5)) == "09:05:00"
    assert cell_text(13800138000.0) == "13800138000"  # a phone number typed into a numeric cell
    assert cell_text(39.12) == "39.12"
    assert cell_text("  花园路社区 ") == "花园路社区"


def test_text_in_utf8_with_or_without_a_mark_and_in_gbk():
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        assert decode_text("名称,区域".encode(encoding)) == "名称,区域"
    with pytest.raises(TableReadError) as raised:
        decode_text("名称".encode("utf-16"))
    assert raised.value.code == "bad_encoding"


def test_the_delimiter_is_sniffed_and_cells_are_stripped():
    assert list(csv_rows(b"a;b\n1; 2\n")) == [["a", "b"], ["1", "2"]]
    assert list(csv_rows(b"a\tb\n1\t2\n")) == [["a", "b"], ["1", "2"]]
    # a caller whose text has full-width commas keeps them out of the delimiters
    assert list(csv_rows("标题,内容\n井盖,夜里很黑，很危险\n".encode(), delimiters=",\t;"))[1] == [
        "井盖",
        "夜里很黑，很危险",
    ]


def test_a_workbook_first_sheet_as_text():
    data = _workbook([["名称", "日期"], ["国庆", datetime(2026, 10, 1)]])
    assert list(xlsx_rows(data)) == [["名称", "日期"], ["国庆", "2026-10-01"]]
    assert list(table_rows(data, "calendar.XLSX")) == [["名称", "日期"], ["国庆", "2026-10-01"]]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"x", "places.pdf", "bad_suffix"),
        (b"x", "places.xls", "bad_suffix"),
        (b"not a zip", "p.xlsx", "bad_workbook"),
        (b" \n ", "p.csv", "empty"),
    ],
)
def test_files_that_cannot_be_read_name_their_problem(data, name, code):
    with pytest.raises(TableReadError) as raised:
        list(table_rows(data, name))
    assert raised.value.code == code


def test_suffixes():
    assert table_suffix("a/b/Tickets.CSV") == ".csv" and table_suffix("x.txt") == ".txt"
