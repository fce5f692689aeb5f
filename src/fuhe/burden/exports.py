"""The audit report as Excel (openpyxl) and PDF (fpdf2).

Headings go through the translation machinery, so they read in the active language (Chinese by default);
numbers are formatted (thousands separators, hours with one decimal, shares as percentages). The PDF embeds a
CJK font: ``FUHE_PDF_FONT`` when set, else the Noto Sans SC shipped by the ``pylopdf-fonts-zh-cn`` package (a
dependency, so present on every machine), else a Debian font (``make setup`` installs fonts-wqy-microhei). With
none of them the view answers with a page that offers the workbook instead (never a 500).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from fuhe.burden.charts import rule_label
from fuhe.burden.core.flags import RULES
from fuhe.burden.reports import AuditReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Debian's CJK fonts, tried after the configured and the bundled one (scripts/ensure-cjk-font installs the first)
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)

COUNT, HOURS, SHARE, RATIO = "#,##0", "#,##0.0", "0.0%", "0.00"


class MissingFontError(RuntimeError):
    pass


def bundled_font() -> Path | None:
    """Noto Sans SC (SIL Open Font Licence) from the ``pylopdf-fonts-zh-cn`` package, when installed."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return path if path.is_file() else None


def cjk_font() -> Path:
    configured = settings.FUHE_PDF_FONT
    if configured and Path(configured).is_file():
        return Path(configured)
    bundled = bundled_font()
    if bundled is not None:
        return bundled
    for candidate in CJK_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise MissingFontError(
        _(
            "PDF export needs a Chinese font: install the package pylopdf-fonts-zh-cn or Debian's "
            "fonts-wqy-microhei (apt-get install fonts-wqy-microhei), or set FUHE_PDF_FONT to a .ttf/.otf/.ttc file."
        )
    )


# --- numbers --------------------------------------------------------------------------------------------------


def count_text(value: int) -> str:
    return f"{value:,}"


def hours_text(value: float) -> str:
    return f"{value:,.1f}"


def share_text(value: float) -> str:
    return f"{value:.1%}"


def ratio_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


TEXT_OF: dict[str, Callable] = {COUNT: count_text, HOURS: hours_text, SHARE: share_text, RATIO: ratio_text}


@dataclass(frozen=True)
class Cell:
    """A value with its number format: a number in the workbook (formatted there), text in the PDF."""

    value: object
    number_format: str = ""

    @property
    def text(self) -> str:
        if self.value is None:
            return "—"
        if self.number_format:
            return TEXT_OF[self.number_format](self.value)
        return str(self.value)


# --- the tables -----------------------------------------------------------------------------------------------


def _summary_rows(report: AuditReport) -> list[tuple[str, Cell]]:
    totals, bypasses = report.totals, report.bypasses
    return [
        (_("Region"), Cell(report.region.name)),
        (_("Reporting period"), Cell(f"{report.first:%Y-%m-%d} – {report.last:%Y-%m-%d}")),
        (_("Tasks issued"), Cell(totals.get("issued", 0), COUNT)),
        (_("Admitted"), Cell(totals.get("admitted", 0), COUNT)),
        (_("Approved"), Cell(totals.get("approved", 0), COUNT)),
        (_("Refused"), Cell(totals.get("refused", 0), COUNT)),
        (_("Pending"), Cell(totals.get("pending", 0), COUNT)),
        (_("Fields requested"), Cell(report.fields_requested, COUNT)),
        (_("Fields prefilled"), Cell(report.fields_prefilled, COUNT)),
        (_("Prefilled share"), Cell(report.prefill_share, SHARE)),
        (_("Hours demanded"), Cell(report.hours_demanded, HOURS)),
        (_("Hours saved by prefill"), Cell(report.hours_saved, HOURS)),
        (_("Hours cut by refusals"), Cell(report.hours_refused, HOURS)),
        (_("Overloaded units"), Cell(len(report.load.overloaded), COUNT)),
        (_("Emergency actions declared"), Cell(bypasses.get("declared", 0), COUNT)),
        (_("Emergency actions filed"), Cell(bypasses.get("filed", 0), COUNT)),
        (_("Emergency actions filed late"), Cell(bypasses.get("late", 0), COUNT)),
        (_("Emergency actions not filed, overdue"), Cell(bypasses.get("overdue", 0), COUNT)),
    ]


def _sender_rows(report: AuditReport) -> tuple[list[str], list[list[Cell]]]:
    header = [
        _("Sender"),
        _("Issued"),
        _("Admitted"),
        _("Approved"),
        _("Refused"),
        _("Hours demanded"),
        *[str(rule_label(rule)) for rule in RULES],
    ]
    rows = [
        [
            Cell(s.name),
            Cell(s.issued, COUNT),
            Cell(s.admitted, COUNT),
            Cell(s.approved, COUNT),
            Cell(s.refused, COUNT),
            Cell(s.hours_demanded, HOURS),
            *[Cell(n, COUNT) for _rule, n in s.flag_cells],
        ]
        for s in report.senders
    ]
    return header, rows


def _overloaded_rows(report: AuditReport) -> tuple[list[str], list[list[Cell]]]:
    header = [_("Unit"), _("Demanded h/wk"), _("Capacity h/wk"), _("Load factor")]
    rows = [
        [
            Cell(u.name),
            Cell(u.row.demanded_hours, HOURS),
            Cell(u.row.capacity_hours, HOURS),
            Cell(u.factor, RATIO),
        ]
        for u in report.top_overloaded
    ]
    return header, rows


def _load_rows(report: AuditReport) -> tuple[list[str], list[list[Cell]]]:
    header = [_("Unit"), _("Tasks h/wk"), _("Cases h/wk"), _("Demanded h/wk"), _("Capacity h/wk"), _("Load factor")]
    rows = [
        [
            Cell(u.name),
            Cell(u.row.task_hours, HOURS),
            Cell(u.row.case_hours, HOURS),
            Cell(u.row.demanded_hours, HOURS),
            Cell(u.row.capacity_hours, HOURS),
            Cell(u.factor, RATIO),
        ]
        for u in report.load.units
    ]
    return header, rows


def _sheet_rows(sheet, header: list[str], rows: list[list[Cell]]) -> None:
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([c.value for c in row])
        for written, c in zip(sheet[sheet.max_row], row, strict=True):
            if c.number_format:
                written.number_format = c.number_format


def report_xlsx(report: AuditReport) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")
    for label, c in _summary_rows(report):
        sheet.append([label, c.value])
        if c.number_format:
            sheet.cell(row=sheet.max_row, column=2).number_format = c.number_format
    sheet.column_dimensions["A"].width = 28
    for title, (header, rows) in (
        (_("Senders"), _sender_rows(report)),
        (_("Overloaded units"), _overloaded_rows(report)),
        (_("Unit load"), _load_rows(report)),
    ):
        _sheet_rows(book.create_sheet(title), header, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_pdf(report: AuditReport) -> bytes:
    from fpdf import FPDF

    font = cjk_font()
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_font("cjk", fname=str(font))
    pdf.add_font("cjk", style="B", fname=str(font))  # table headings are bold; the CJK font has no bold face
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    title = _("Penetrating audit report")
    pdf.cell(
        text=f"{title} · {report.region.name} · {report.first:%Y-%m-%d} – {report.last:%Y-%m-%d}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("cjk", size=9)
    with pdf.table(col_widths=(70, 60), first_row_as_headings=False, width=130, align="LEFT") as table:
        for label, c in _summary_rows(report):
            table.row([label, c.text])
    for heading, (header, rows) in (
        (_("Senders"), _sender_rows(report)),
        (_("Top overloaded units"), _overloaded_rows(report)),
    ):
        pdf.ln(4)
        pdf.set_font("cjk", size=12)
        pdf.cell(text=heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=7 if len(header) > 6 else 9)
        with pdf.table() as table:
            table.row(header)
            for row in rows or [[Cell("—")] + [Cell("")] * (len(header) - 1)]:
                table.row([c.text for c in row])
    pdf.ln(3)
    pdf.set_font("cjk", size=7)
    pdf.multi_cell(
        0,
        text=_("Generated %(moment)s by Fuhe.")
        % {"moment": f"{timezone.localtime(report.generated_at):%Y-%m-%d %H:%M}"},
    )
    return bytes(pdf.output())
