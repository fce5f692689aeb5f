import csv
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from fuhe.audit.models import AuditEvent
from fuhe.cases.models import Case, Channel
from fuhe.cases.services.intake import categories_seed
from fuhe.cases.services.ticket_import import (
    LOCAL_TZ,
    TicketImportError,
    guess_mapping,
    parse_received_at,
    read_table,
    row_error_text,
    tickets_import,
)

HEADER = [
    "工单编号",
    "受理时间",
    "来电人",
    "联系电话",
    "诉求地址",
    "区划代码",
    "诉求内容",
    "来电类别",
    "紧急程度",
    "诉求类型",
]
ROWS = [
    [
        "GD2024050001",
        "2024-05-01 08:30",
        "王先生",
        "13912345678",
        "花园路3号楼",
        "120101001001",
        "楼前井盖缺失，夜里很危险",
        "城市管理/市政设施/井盖",
        "紧急",
        "求助",
    ],
    [
        "GD2024050002",
        "2024/5/2 9:15:00",
        "李女士",
        "022-23456789",
        "",
        "120101002001",
        "五大道小区垃圾清运不及时",
        "垃圾清运",
        "一般",
        "投诉",
    ],
    ["GD2024050003", "2024年5月3日 14:00", "", "", "新华社区7号楼", "", "咨询居住证办理流程", "", "", "咨询"],
]


@pytest.fixture
def categories(db):
    categories_seed([("城市管理", "市政设施", "井盖"), ("城市管理", "环境卫生", "垃圾清运")])


def write_csv(path, header, rows, encoding="utf-8-sig"):
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path, header, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_guess_mapping_recognises_chinese_headers():
    mapping = guess_mapping(
        [
            "工单编号",
            "主要内容",
            "标题",
            "诉求地址",
            "区划代码",
            "来电类别",
            "紧急程度",
            "来电人",
            "联系方式",
            "受理时间",
            "备注",
        ]
    )
    assert mapping == {
        "external_id": "工单编号",
        "text": "主要内容",
        "title": "标题",
        "address": "诉求地址",
        "region_code": "区划代码",
        "category": "来电类别",
        "urgency": "紧急程度",
        "reporter_name": "来电人",
        "reporter_phone": "联系方式",
        "received_at": "受理时间",
    }
    assert guess_mapping(["诉求内容", "联系电话", "分类"]) == {
        "text": "诉求内容",
        "reporter_phone": "联系电话",
        "category": "分类",
    }


def test_parse_received_at_formats_are_shanghai_local():
    expected = datetime(2024, 5, 1, 8, 30, tzinfo=LOCAL_TZ)
    for text in (
        "2024-05-01 08:30",
        "2024/5/1 8:30",
        "2024-05-01T08:30:00",
        "2024年5月1日 08:30",
        "20240501083000",
        "2024.05.01 08:30",
    ):
        assert parse_received_at(text) == expected, text
    assert parse_received_at("2024-05-01") == datetime(2024, 5, 1, tzinfo=LOCAL_TZ)
    with pytest.raises(ValueError, match="not a date"):
        parse_received_at("昨天下午")


def test_read_table_csv_encodings_and_bad_files(tmp_path):
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        path = write_csv(tmp_path / f"t-{encoding}.csv", HEADER, ROWS, encoding=encoding)
        header, rows = read_table(path, path.name)
        assert header == HEADER and rows[0][6] == "楼前井盖缺失，夜里很危险", encoding
    with pytest.raises(ValidationError, match=r"\.csv.*\.xlsx"):
        read_table(tmp_path / "t-utf-8.csv", "tickets.xls")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ValidationError, match="empty"):
        read_table(tmp_path / "empty.csv", "empty.csv")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ValidationError, match="xlsx"):
        read_table(tmp_path / "broken.xlsx", "broken.xlsx")


def test_import_creates_every_ticket(tree, categories, tmp_path):
    header, rows = read_table(write_csv(tmp_path / "t.csv", HEADER, ROWS), "t.csv")
    seen = []
    result = tickets_import(actor=tree.people["admin"], header=header, rows=rows, mapping=None, progress=seen.append)
    assert (result.created, result.skipped_existing, result.total) == (3, 0, 3)
    assert sum(seen) == 3
    first = Case.objects.get(idempotency_key="import:GD2024050001")
    assert first.channel == Channel.IMPORT and first.region == tree.regions["花园路社区"]
    assert first.category.path == "城市管理/市政设施/井盖"
    assert (first.urgency, first.request_type) == ("urgent", "help")
    assert first.reporter_name == "王先生" and first.reporter_phone == "13912345678"
    assert first.created_at == datetime(2024, 5, 1, 8, 30, tzinfo=LOCAL_TZ)
    assert first.created_by == tree.people["admin"]
    second = Case.objects.get(idempotency_key="import:GD2024050002")
    assert second.category.path == "城市管理/环境卫生/垃圾清运"  # a level-3 name is enough when unique
    assert second.region == tree.regions["五大道社区"] and second.request_type == "complaint"
    third = Case.objects.get(idempotency_key="import:GD2024050003")
    assert third.region == tree.regions["新华社区"]  # found from the address
    assert third.request_type == "consultation" and third.urgency == "normal" and third.category is None
    assert AuditEvent.objects.filter(action="case.tickets_imported").count() == 1


def test_one_bad_row_imports_nothing(tree, categories, tmp_path):
    rows = [list(row) for row in ROWS]
    rows[1][3] = "call me maybe"  # row 3 in the spreadsheet
    rows[2][6] = ""  # row 4: no text
    rows.insert(2, [""] * len(HEADER))  # a blank row is skipped but still counts for numbering
    rows[3][5] = "999999999999"  # row 5 (former row 4): unknown region
    rows[3][7] = "不存在的分类"
    header, table = read_table(write_csv(tmp_path / "t.csv", HEADER, rows), "t.csv")
    with pytest.raises(TicketImportError) as info:
        tickets_import(actor=None, header=header, rows=table, mapping=None)
    found = {(e.row, e.field) for e in info.value.errors}
    assert found == {(3, "reporter_phone"), (5, "text"), (5, "region_code"), (5, "category")}
    assert "row 3, field 'reporter_phone'" in str(info.value.errors[0])
    assert not Case.objects.exists()


def test_duplicate_ticket_numbers_and_missing_text_column(tree, tmp_path):
    rows = [list(ROWS[2]), list(ROWS[2])]
    header, table = read_table(write_csv(tmp_path / "t.csv", HEADER, rows), "t.csv")
    with pytest.raises(TicketImportError) as info:
        tickets_import(actor=None, header=header, rows=table, mapping=None)
    assert [(e.row, e.field) for e in info.value.errors] == [(3, "external_id")]
    with pytest.raises(ValidationError, match="text"):
        tickets_import(actor=None, header=header, rows=table, mapping={"title": "诉求内容"})
    with pytest.raises(ValidationError, match="no column '备注'"):
        tickets_import(actor=None, header=header, rows=table, mapping={"text": "备注"})


def test_reimport_skips_existing_tickets(tree, categories, tmp_path):
    header, rows = read_table(write_csv(tmp_path / "t.csv", HEADER, ROWS), "t.csv")
    tickets_import(actor=None, header=header, rows=rows, mapping=None)
    more = [*ROWS, ["GD2024050004", "", "", "", "花园路社区5号楼", "", "路灯不亮", "", "", ""]]
    header, rows = read_table(write_csv(tmp_path / "t2.csv", HEADER, more), "t2.csv")
    result = tickets_import(actor=None, header=header, rows=rows, mapping=None)
    assert (result.created, result.skipped_existing, result.total) == (1, 3, 4)
    assert Case.objects.count() == 4
    changed = [list(row) for row in ROWS]
    changed[0][6] = "内容被改过了"
    header, rows = read_table(write_csv(tmp_path / "t3.csv", HEADER, changed), "t3.csv")
    with pytest.raises(TicketImportError) as info:
        tickets_import(actor=None, header=header, rows=rows, mapping=None)
    assert [(e.row, e.field) for e in info.value.errors] == [(2, "external_id")]
    assert Case.objects.count() == 4


def test_xlsx_import_with_typed_cells_and_custom_mapping(tree, categories, tmp_path):
    header = ["单号", "时间", "电话", "区划", "问题", "备注"]
    rows = [
        ["A-1", datetime(2024, 5, 1, 8, 30), 13912345678, 120101001001, "井盖缺失", "x"],
        ["A-2", "2024-05-02", None, "120101001002", "路灯不亮", None],
        [None, None, None, None, None, None],
    ]
    path = write_xlsx(tmp_path / "t.xlsx", header, rows)
    read_header, table = read_table(path, "t.xlsx")
    assert read_header == header and table[0][:4] == ["A-1", "2024-05-01 08:30:00", "13912345678", "120101001001"]
    mapping = {
        "external_id": "单号",
        "received_at": "时间",
        "reporter_phone": "电话",
        "region_code": "区划",
        "text": "问题",
    }
    result = tickets_import(actor=None, header=read_header, rows=table, mapping=mapping)
    assert (result.created, result.total) == (2, 2)
    case = Case.objects.get(idempotency_key="import:A-1")
    assert case.reporter_phone == "13912345678" and case.region == tree.regions["花园路社区"]
    assert case.created_at == datetime(2024, 5, 1, 8, 30, tzinfo=LOCAL_TZ)
    with open(path, "rb") as handle:  # an uploaded file object works as well as a path
        assert read_table(handle, "upload.xlsx")[0] == header


@pytest.fixture
def english():
    """The administrator reads English: every line of the command is translated."""
    with translation.override("en"):
        yield


def test_command_imports_and_reports(tree, categories, tmp_path, capsys, english):
    path = write_xlsx(tmp_path / "t.xlsx", HEADER, ROWS)
    call_command("import_tickets", str(path), "--dry-run", "--no-progress")
    assert "Dry run (nothing written): 3 tickets" in capsys.readouterr().out and not Case.objects.exists()
    call_command("import_tickets", str(path), "--user", "admin")
    captured = capsys.readouterr()
    assert "3 tickets: 3 created, 0 skipped" in captured.out
    assert "import" in captured.err  # the tqdm bar
    call_command("import_tickets", str(path), "--no-progress")
    assert "3 tickets: 0 created, 3 skipped" in capsys.readouterr().out


def test_command_errors(tree, categories, tmp_path, english):
    rows = [list(row) for row in ROWS] + [
        [f"X{i}", "", "", "bad phone", "某地", "", "内容", "", "", ""] for i in range(30)
    ]
    rows[0][8] = "十万火急"
    path = write_csv(tmp_path / "t.csv", HEADER, rows)
    with pytest.raises(CommandError) as info:
        call_command("import_tickets", str(path), "--no-progress")
    message = str(info.value)
    assert "31 errors, nothing was imported" in message
    assert "Row 2, column “Urgency”: '十万火急' is not an urgency (一般/紧急/特急)" in message
    assert "Row 5, column “Phone”: 'bad phone' is not a phone number" in message
    assert "… and 11 more" in message and not Case.objects.exists()
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_tickets", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="--map"):
        call_command("import_tickets", str(path), "--map", "nonsense")
    with pytest.raises(CommandError, match="no column '没有'"):
        call_command("import_tickets", str(path), "--map", "text=没有", "--no-progress")
    # remapping the phone to an empty column makes the file valid except for the urgency
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_tickets", str(path), "--map", "reporter_phone=", "--no-progress")


def test_row_errors_are_said_in_the_reader_s_language(tree, categories, tmp_path):
    rows = [list(row) for row in ROWS]
    rows[0][8] = "十万火急"  # row 2: not an urgency
    rows[1][6] = ""  # row 3: no text (the intake's own check)
    with pytest.raises(TicketImportError) as info:
        tickets_import(actor=None, header=HEADER, rows=rows, mapping=None)
    urgency, text = info.value.errors
    assert (urgency.code, urgency.reason) == ("not_an_urgency", "'十万火急' is not an urgency (一般/紧急/特急)")
    assert text.reason == "describe the problem"  # English for the logs, whatever the reader's language
    assert row_error_text(text) == "第 3 行，“诉求内容”：请描述问题"  # the reader is Chinese (the default)
    with translation.override("en"):
        assert row_error_text(text) == "Row 3, column “Request”: describe the problem"
        assert row_error_text(urgency.as_dict()) == "Row 2, column “Urgency”: " + urgency.reason  # stored as JSON
    assert row_error_text("row 9, field 'text': stored before") == "row 9, field 'text': stored before"


def test_a_file_that_cannot_be_read_is_refused_in_the_readers_language(tmp_path):
    """Before the shared reader, these refusals were English sentences whatever the reader's language."""
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    (tmp_path / "bad.csv").write_bytes("名称\n".encode("utf-16"))
    (tmp_path / "empty.csv").write_bytes(b"  \n")
    cases = [
        ("broken.xlsx", "broken.xlsx", "broken.xlsx：不是可读取的 .xlsx 工作簿"),
        ("bad.csv", "bad.csv", "bad.csv：文件既不是 UTF-8 也不是 GB18030（GBK）编码的文本"),
        ("empty.csv", "empty.csv", "empty.csv：文件为空"),
        ("empty.csv", "tickets.xls", "tickets.xls：只能导入 .csv 和 .xlsx 文件（请先另存为 .xlsx）"),
    ]
    with translation.override("zh-hans"):
        for path, name, said in cases:
            with pytest.raises(ValidationError) as raised:
                read_table(tmp_path / path, name)
            assert raised.value.messages == [said], raised.value.messages
