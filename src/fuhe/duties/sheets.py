"""The duty list as an Excel workbook (the same columns the importer reads)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from fuhe.duties.core.sheet import COLUMNS, header_label
from fuhe.duties.models import DutyList


def duty_list_workbook(duty_list: DutyList) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"v{duty_list.version}"
    sheet.append([header_label(key) for key in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in duty_list.items.select_related("category").order_by("code"):
        sheet.append(
            [
                item.code,
                item.matter,
                item.category.path if item.category_id else "",
                item.owner_level,
                item.lead_unit_kind,
                item.lead_department_type,
                ", ".join(item.assisting_department_types),
                item.basis,
                "、".join(item.keywords),
                item.admission,
                item.note,
            ]
        )
    info = workbook.create_sheet("list")
    for row in (
        ("name", duty_list.name),
        ("version", duty_list.version),
        ("region", duty_list.region.code),
        ("status", duty_list.status),
        ("effective_from", duty_list.effective_from.isoformat() if duty_list.effective_from else ""),
        ("effective_to", duty_list.effective_to.isoformat() if duty_list.effective_to else ""),
    ):
        info.append(list(row))
    return workbook
