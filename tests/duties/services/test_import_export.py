import io

import pytest
from openpyxl import Workbook, load_workbook

from fuhe.duties.models import DutyList, ListStatus
from fuhe.duties.services import DutyImportError, duty_list_import_xlsx
from fuhe.duties.sheets import duty_list_workbook


def workbook_bytes(workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "list.xlsx"
    return buffer


def test_export_then_import_round_trips_as_a_new_draft(tree, duty_list):
    item = duty_list.items.order_by("code").first()
    item.examples = [
        {"title": "楼顶违建", "text": "顶楼住户在楼顶加盖了一间房"},
        {"title": "", "text": "院里有人私搭棚子"},
    ]
    item.save(update_fields=["examples"])
    exported = workbook_bytes(duty_list_workbook(duty_list))
    sheet = load_workbook(exported).worksheets[0]
    assert sheet.cell(1, 1).value == "code (编码)" and sheet.max_row == 1 + duty_list.items.count()
    exported.seek(0)
    imported = duty_list_import_xlsx(
        actor=tree.people["admin"], region=tree.regions["天津市"], name="再导入", file=exported
    )
    assert imported.status == ListStatus.DRAFT and imported.version == 2 and imported.source == "import: list.xlsx"
    original = {
        i.code: (
            i.matter,
            i.category_id,
            i.owner_key,
            i.keywords,
            i.assisting_department_types,
            i.admission,
            i.basis,
            i.examples,
        )
        for i in duty_list.items.all()
    }
    copied = {
        i.code: (
            i.matter,
            i.category_id,
            i.owner_key,
            i.keywords,
            i.assisting_department_types,
            i.admission,
            i.basis,
            i.examples,
        )
        for i in imported.items.all()
    }
    assert copied == original
    assert copied[item.code][-1] == item.examples


def test_a_bad_sheet_imports_nothing_and_names_every_row_and_field(tree, duty_list):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "matter", "owner_level", "lead_department_type", "category"])
    sheet.append(["X-1", "好的事项", "district", "housing", ""])
    sheet.append(["X-2", "", "county", "", ""])
    sheet.append(["X-3", "事项", "district", "police", "没有/这个"])
    with pytest.raises(DutyImportError) as caught:
        duty_list_import_xlsx(actor=None, region=tree.regions["天津市"], name="坏", file=workbook_bytes(workbook))
    messages = [str(e) for e in caught.value.errors]
    assert messages[0] == "row 3, field 'matter': required"
    assert {(e.row, e.field) for e in caught.value.errors} == {
        (3, "matter"),
        (3, "owner_level"),
        (4, "lead_department_type"),
        (4, "category"),
    }
    assert DutyList.objects.count() == 1


def test_a_file_that_is_not_a_workbook_is_refused(tree, duty_list):
    with pytest.raises(DutyImportError, match="不是 Excel 工作簿"):
        duty_list_import_xlsx(actor=None, region=tree.regions["天津市"], name="x", file=io.BytesIO(b"plain text"))


def test_a_sheet_may_name_its_choices_by_their_chinese_or_english_labels(tree, duty_list):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编码", "事项", "承担层级", "牵头单位类型", "牵头部门", "协助部门", "社区准入"])
    sheet.append(["L-1", "占道经营", "区级", "职能部门", "城市管理（城管）", "城市管理（城管）", "社区禁入"])
    sheet.append(["L-2", "楼道堆物", "街道/乡镇", "街道办事处", "", "", "非社区事项"])
    sheet.append(["L-3", "Street lights", "community/village", "residents' committee", "", "", "none"])
    imported = duty_list_import_xlsx(
        actor=None, region=tree.regions["天津市"], name="中文", file=workbook_bytes(workbook)
    )
    items = {
        i.code: (i.owner_level, i.lead_unit_kind, i.lead_department_type, i.assisting_department_types, i.admission)
        for i in imported.items.all()
    }
    assert items == {
        "L-1": ("district", "department", "urban_management", ["urban_management"], "excluded"),
        "L-2": ("street", "street_office", "", [], "none"),
        "L-3": ("community", "residents_committee", "", [], "none"),
    }
