"""The audit report as Excel (openpyxl) and PDF (fpdf2, with a CJK font found on the machine at run time)."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font

from fuhe.burden.core.flags import RULES
from fuhe.burden.reports import AuditReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: CJK fonts tried in order; FUHE_PDF_FONT names another. Debian: fonts-wqy-microhei (scripts/ensure-chromium).
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


class MissingFontError(RuntimeError):
    pass


def cjk_font() -> Path:
    configured = settings.FUHE_PDF_FONT
    for candidate in ([configured] if configured else []) + list(CJK_FONTS):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise MissingFontError(
        "PDF export needs a CJK font: install Debian's fonts-wqy-microhei "
        "(apt-get install fonts-wqy-microhei) or set FUHE_PDF_FONT to a .ttf/.ttc file."
    )


def _summary_rows(report: AuditReport) -> list[tuple[str, object]]:
    totals = report.totals
    return [
        ("区域 Region", report.region.name),
        ("期间 Period", f"{report.first} – {report.last}"),
        ("下发任务 Tasks issued", totals.get("issued", 0)),
        ("准入 Admitted", totals.get("admitted", 0)),
        ("审批通过 Approved", totals.get("approved", 0)),
        ("拒绝 Refused", totals.get("refused", 0)),
        ("待审批 Pending", totals.get("pending", 0)),
        ("请求字段 Fields requested", report.fields_requested),
        ("预填字段 Fields prefilled", report.fields_prefilled),
        ("预填比例 Prefilled share", f"{report.prefill_share:.1%}"),
        ("需求工时 Hours demanded", round(report.hours_demanded, 1)),
        ("预填节省工时 Hours saved", round(report.hours_saved, 1)),
        ("拒绝削减工时 Hours cut by refusals", round(report.hours_refused, 1)),
        ("超负荷单位 Overloaded units", len(report.load.overloaded)),
        (
            "紧急事项/已备案/逾期 Emergency/filed/overdue",
            f"{report.bypasses['declared']}/{report.bypasses['filed']}/{report.bypasses['overdue']}",
        ),
    ]


def _sender_rows(report: AuditReport) -> tuple[list[str], list[list]]:
    header = ["发送单位 Sender", "下发 Issued", "准入 Admitted", "通过 Approved", "拒绝 Refused", "工时 Hours", *RULES]
    rows = [
        [
            s.name,
            s.issued,
            s.admitted,
            s.approved,
            s.refused,
            round(s.hours_demanded, 1),
            *[n for _rule, n in s.flag_cells],
        ]
        for s in report.senders
    ]
    return header, rows


def _overloaded_rows(report: AuditReport) -> tuple[list[str], list[list]]:
    header = ["单位 Unit", "需求 h/wk", "能力 h/wk", "负荷系数 Load factor"]
    rows = [
        [u.name, round(u.row.demanded_hours, 1), round(u.row.capacity_hours, 1), round(u.factor or 0, 2)]
        for u in report.top_overloaded
    ]
    return header, rows


def report_xlsx(report: AuditReport) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "summary"
    for row in _summary_rows(report):
        sheet.append(list(row))
    for title, (header, rows) in (("senders", _sender_rows(report)), ("overloaded", _overloaded_rows(report))):
        ws = book.create_sheet(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
    units = book.create_sheet("load")
    units.append(["单位 Unit", "任务 h/wk", "诉求 h/wk", "需求 h/wk", "能力 h/wk", "负荷系数 Load factor"])
    for u in report.load.units:
        units.append(
            [
                u.name,
                round(u.row.task_hours, 2),
                round(u.row.case_hours, 2),
                round(u.row.demanded_hours, 2),
                round(u.row.capacity_hours, 1),
                None if u.factor is None else round(u.factor, 3),
            ]
        )
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
    pdf.cell(
        text=f"穿透式审计报告 · {report.region.name} · {report.first} – {report.last}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(2)
    pdf.set_font("cjk", size=9)
    with pdf.table(col_widths=(70, 60), first_row_as_headings=False, width=130, align="LEFT") as table:
        for label, value in _summary_rows(report):
            table.row([label, str(value)])
    for title, (header, rows) in (
        ("发送单位 Senders", _sender_rows(report)),
        ("超负荷单位 Top overloaded units", _overloaded_rows(report)),
    ):
        pdf.ln(4)
        pdf.set_font("cjk", size=12)
        pdf.cell(text=title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=7 if len(header) > 6 else 9)
        with pdf.table() as table:
            table.row([str(h) for h in header])
            for row in rows or [["—"] + [""] * (len(header) - 1)]:
                table.row([str(v) for v in row])
    pdf.ln(3)
    pdf.set_font("cjk", size=7)
    pdf.multi_cell(0, text=f"Generated {report.generated_at:%Y-%m-%d %H:%M} by Fuhe. Flags: {', '.join(RULES)}.")
    return bytes(pdf.output())
