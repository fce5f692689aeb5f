"""The rates workbook survives labels holding characters a workbook cannot carry."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from fuhe.cases.exports import rates_workbook
from fuhe.cases.metrics import rates_report


def test_a_label_with_a_control_character_still_makes_a_workbook(tree, new_case):
    new_case(region=tree.regions["花园路社区"])
    report = rates_report(user=tree.people["dispatcher"], by="street", days=30)
    assert report.rows
    report.rows[0]["label"] = "劝业场\x0b街道\x1b"  # a name stored before intake dropped such characters
    buffer = io.BytesIO()
    rates_workbook(report=report).save(buffer)  # openpyxl raises IllegalCharacterError on \x0b
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet.cell(row=2, column=2).value == "劝业场街道"
