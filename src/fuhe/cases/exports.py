"""Workbooks for download, built from the scoped reads (``metrics``); the views only send them.

No workbook carries a case's free text; a label (a unit, category or street name) loses the characters a workbook
cannot hold (``fuhe.common.text``: openpyxl refuses a vertical tab), so one stray character cannot break a download.
Free text added to an export later passes through ``fuhe.audit.core.masking.redact`` first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhe.cases import labels
from fuhe.cases.core.rates import RATE_SPECS, RateSpec
from fuhe.cases.metrics import RATE_ORDER, RatesReport
from fuhe.common.text import without_control_characters

if TYPE_CHECKING:
    from openpyxl import Workbook

#: the column of the groups, by what the report groups
GROUP_LABELS = {
    "unit": gettext_lazy("Unit"),
    "street": gettext_lazy("Street / township"),
    "category": gettext_lazy("Category"),
    "month": gettext_lazy("Month"),
}


def rate_label(spec: RateSpec) -> str:
    """A rate's name in the reader's language (``fuhe.cases.labels``)."""
    return labels.rate_label(spec)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rates_workbook_name(*, report: RatesReport) -> str:
    return f"three-rates-{report.by}-{report.days}d.xlsx"


def rates_workbook(*, report: RatesReport) -> Workbook:
    """One sheet, 三率: a row per group in rank order, each rate with its counts, 95% interval and small-sample
    flag, and a closing line naming the definitions and the period."""
    from openpyxl import Workbook  # heavy: loaded only when a workbook is asked for

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Three rates")[:31]
    header = [_("Rank"), str(GROUP_LABELS.get(report.by, report.by))]
    for name in RATE_ORDER:
        label = rate_label(RATE_SPECS[name])
        header += [
            label,
            _("%(rate)s numerator") % {"rate": label},
            _("%(rate)s denominator") % {"rate": label},
            _("%(rate)s 95%% lower bound") % {"rate": label},
            _("%(rate)s 95%% upper bound") % {"rate": label},
            _("%(rate)s small sample") % {"rate": label},
        ]
    header += [_("Not rated"), _("Awaiting rating")]
    sheet.append(header)
    yes = _("yes")
    for row in report.rows:
        line = [row["position"] or "", without_control_characters(str(row["label"]))]
        for rate in row["rates"]:
            flag = yes if rate.small_sample else ""
            line += [rate.value, rate.numerator, rate.denominator, rate.low, rate.high, flag]
        line += [row["set"].unrated, row["set"].awaiting_rating]
        sheet.append(line)
    sheet.append([])
    sheet.append([_("Definitions: docs/metrics.md; period: the last %(days)d days") % {"days": report.days}])
    return workbook
