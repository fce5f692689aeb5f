"""The duty list as an Excel workbook (the same columns the importer reads), and the importer's row errors in the
reader's language."""

from __future__ import annotations

import re
from dataclasses import replace

from django.db.models import Choices
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from fuhe.common.rows import RowError
from fuhe.duties.core.sheet import COLUMNS, examples_text, header_label
from fuhe.duties.models import Admission, DutyList, OwnerLevel
from fuhe.org.models import DepartmentType, UnitKind

#: the sheet's columns as a reader names them; in Chinese the sheet's own Chinese header (``COLUMNS``)
COLUMN_LABELS = {
    "code": pgettext_lazy("duty sheet column", "Code"),
    "matter": pgettext_lazy("duty sheet column", "Matter"),
    "category": pgettext_lazy("duty sheet column", "Category"),
    "owner_level": pgettext_lazy("duty sheet column", "Owner level"),
    "lead_unit_kind": pgettext_lazy("duty sheet column", "Lead unit type"),
    "lead_department_type": pgettext_lazy("duty sheet column", "Lead department"),
    "assisting_department_types": pgettext_lazy("duty sheet column", "Assisting departments"),
    "basis": pgettext_lazy("duty sheet column", "Legal basis"),
    "keywords": pgettext_lazy("duty sheet column", "Keywords"),
    "examples": pgettext_lazy("duty sheet column", "Typical cases"),
    "admission": pgettext_lazy("duty sheet column", "Community admission"),
    "note": pgettext_lazy("duty sheet column", "Note"),
}
#: the problems of ``core.sheet.PROBLEMS`` in the reader's language (the same placeholders)
PROBLEM_MESSAGES = {
    "unknown_column": gettext_lazy("unknown column"),
    "column_twice": gettext_lazy("this column is given twice"),
    "missing_column": gettext_lazy("missing column"),
    "required": gettext_lazy("required"),
    "code_twice": gettext_lazy("%(value)s is also on row %(row)s"),
    "not_a_choice": gettext_lazy("%(value)s is not one of %(choices)s"),
    "not_a_department": gettext_lazy("%(value)s is not a department"),
    "unknown_category": gettext_lazy("%(value)s is not a known category path"),
    "district_lead": gettext_lazy(
        "a district-level lead is a department (fill in the lead department) or the district government"
    ),
    "too_long": gettext_lazy("longer than %(limit)s characters"),
    "example_too_long": gettext_lazy("typical case %(number)s is longer than %(limit)s characters"),
    "too_many_examples": gettext_lazy("more than %(limit)s typical cases"),
    "no_items": gettext_lazy("the sheet has no duty items"),
}
_CJK = re.compile(r"[\u3400-\u9fff]")
#: the columns whose cells name a choice: the choices whose labels an error lists
CHOICE_COLUMNS: dict[str, type[Choices]] = {
    "owner_level": OwnerLevel,
    "lead_unit_kind": UnitKind,
    "lead_department_type": DepartmentType,
    "assisting_department_types": DepartmentType,
    "admission": Admission,
}


def _choices_text(key: str, codes: str) -> str:
    """The choices an error lists ("district, street"), as their labels in the reader's language."""
    choices = CHOICE_COLUMNS.get(key)
    if choices is None:
        return codes
    labels = dict(choices.choices)
    return gettext(", ").join(str(labels.get(code, code)) for code in codes.split(", "))


def column_label(key: str) -> str:
    """A column as the reader names it; a header the sheet does not know is shown as it was typed."""
    if key not in COLUMN_LABELS:
        return key
    label = str(COLUMN_LABELS[key])
    if (get_language() or "").startswith("zh") and not _CJK.search(label):
        return COLUMNS[key]  # the catalogue has no Chinese for it yet: the sheet's own Chinese header
    return label


def row_error_text(error: RowError) -> str:
    """One problem of an imported duty sheet, in the reader's language: "第 3 行，“事项”：必填"."""
    if error.code == "not_a_choice":
        values = dict(error.values)
        values["choices"] = _choices_text(error.field, values.get("choices", ""))
        error = replace(error, values=tuple(values.items()))
    if error.row <= 0:  # the file as a whole
        reason = error.reason_in(PROBLEM_MESSAGES)
        return gettext("%(field)s: %(message)s") % {"field": gettext("File"), "message": reason}
    return error.text_in(PROBLEM_MESSAGES, column_label, in_row=gettext("Row %(row)s, column “%(column)s”: %(reason)s"))


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
                examples_text(item.examples),
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
