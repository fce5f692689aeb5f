"""A volunteer's certificate of service (志愿服务记录证明) as PDF (fpdf2) and Excel (openpyxl): the signed service
records as they stand after corrections (who, what, when, where, hours), the total hours, and the statement that
the service was given free of charge. The PDF embeds the CJK font found by ``burden.exports.cjk_font`` (the
same font handling as the audit report: ``MissingFontError`` when none is installed, the view then offers the
workbook)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from fuhe.burden.exports import XLSX, MissingFontError, cjk_font
from fuhe.participation.selectors import RecordView

__all__ = ["XLSX", "Certificate", "MissingFontError", "certificate_pdf", "certificate_xlsx"]


@dataclass(frozen=True)
class Certificate:
    volunteer_name: str
    records: list[RecordView]  # signed records only (a record counts once the owner counter-signed it)

    @property
    def total_hours(self) -> Decimal:
        return sum((r.hours for r in self.records), Decimal(0))


def _header() -> list[str]:
    return [_("Date"), _("Service content"), _("Place"), _("Hours"), _("Organisation"), _("Counter-signed by")]


def _rows(certificate: Certificate) -> list[list[str]]:
    return [
        [
            f"{timezone.localtime(r.started_at):%Y-%m-%d %H:%M}",
            r.content,
            r.place,
            f"{r.hours:.1f}",
            r.record.request.unit.name,
            str(r.record.signed_by or ""),
        ]
        for r in certificate.records
    ]


def _statement(certificate: Certificate) -> str:
    return _(
        "%(name)s gave %(count)s volunteer services totalling %(hours)s hours, free of charge, as recorded and "
        "counter-signed above."
    ) % {
        "name": certificate.volunteer_name,
        "count": len(certificate.records),
        "hours": f"{certificate.total_hours:.1f}",
    }


def certificate_xlsx(certificate: Certificate) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Volunteer service")
    sheet.append([_("Certificate of volunteer service")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Volunteer"), certificate.volunteer_name])
    sheet.append([])
    sheet.append(_header())
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in _rows(certificate):
        sheet.append(row)
    sheet.append([_("Total hours"), "", "", f"{certificate.total_hours:.1f}"])
    sheet.append([_statement(certificate)])
    for column, width in zip("ABCDEF", (18, 40, 24, 8, 24, 16), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def certificate_pdf(certificate: Certificate) -> bytes:
    from fpdf import FPDF

    font = cjk_font()
    pdf = FPDF(orientation="P", format="A4")
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_font("cjk", fname=str(font))
    pdf.add_font("cjk", style="B", fname=str(font))  # the CJK font has no bold face
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.cell(w=0, text=_("Certificate of volunteer service"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("cjk", size=11)
    pdf.cell(text=f"{_('Volunteer')}: {certificate.volunteer_name}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("cjk", size=8)
    with pdf.table(col_widths=(24, 54, 36, 12, 36, 24)) as table:
        table.row(_header())
        for row in _rows(certificate) or [["—", "", "", "", "", ""]]:
            table.row(row)
        table.row([_("Total hours"), "", "", f"{certificate.total_hours:.1f}", "", ""])
    pdf.ln(5)
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, text=_statement(certificate))
    pdf.ln(3)
    pdf.set_font("cjk", size=7)
    pdf.multi_cell(
        0,
        text=_("Generated %(moment)s by Fuhe from the service records and their corrections.")
        % {"moment": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
    )
    return bytes(pdf.output())
