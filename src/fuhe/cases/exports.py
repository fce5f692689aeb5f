"""Workbooks for download, built from the scoped reads (``metrics``); the views only send them.

No workbook carries a case's free text; a label (a unit, category or street name) loses the characters a workbook
cannot hold (``fuhe.common.text``: openpyxl refuses a vertical tab), so one stray character cannot break a download.
Free text added to an export later passes through ``fuhe.audit.core.masking.redact`` first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fuhe.cases.core.rates import RATE_SPECS
from fuhe.cases.metrics import RATE_ORDER, RatesReport
from fuhe.common.text import without_control_characters

if TYPE_CHECKING:
    from openpyxl import Workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rates_workbook_name(*, report: RatesReport) -> str:
    return f"three-rates-{report.by}-{report.days}d.xlsx"


def rates_workbook(*, report: RatesReport) -> Workbook:
    """One sheet, 三率: a row per group in rank order, each rate with its counts, 95% interval and small-sample
    flag, and a closing line naming the definitions and the period."""
    from openpyxl import Workbook  # heavy: loaded only when a workbook is asked for

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "三率"
    header = ["排名", report.by]
    for name in RATE_ORDER:
        spec = RATE_SPECS[name]
        header += [
            f"{spec.zh}",
            f"{spec.zh} 分子",
            f"{spec.zh} 分母",
            f"{spec.zh} 95%下限",
            f"{spec.zh} 95%上限",
            f"{spec.zh} 样本不足",
        ]
    header += ["未评价", "待评价"]
    sheet.append(header)
    for row in report.rows:
        line = [row["position"] or "", without_control_characters(str(row["label"]))]
        for rate in row["rates"]:
            flag = "是" if rate.small_sample else ""
            line += [rate.value, rate.numerator, rate.denominator, rate.low, rate.high, flag]
        line += [row["set"].unrated, row["set"].awaiting_rating]
        sheet.append(line)
    sheet.append([])
    sheet.append([f"口径见 docs/metrics.md；统计期：最近 {report.days} 天"])
    return workbook
