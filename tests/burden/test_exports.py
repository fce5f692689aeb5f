"""The audit report exported to Excel and PDF: headings through the translation machinery (Chinese by default),
numbers formatted, the PDF set in an embedded CJK font, and a missing font answered with a page, never a 500."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from fuhe.burden import exports
from fuhe.burden.charts import rule_label
from fuhe.burden.core.flags import RULES
from fuhe.burden.exports import (
    MissingFontError,
    bundled_font,
    cjk_font,
    count_text,
    hours_text,
    ratio_text,
    report_pdf,
    report_xlsx,
    share_text,
)
from fuhe.burden.reports import audit_report
from tests.burden.pdf_text import embedded_fonts, pdf_text
from tests.burden.test_reports import FIRST, LAST, quarter  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(burden, quarter):  # noqa: F811
    return audit_report(region=burden.regions["和平区"], first=FIRST, last=LAST)


@pytest.fixture
def no_font(monkeypatch, settings):
    monkeypatch.setattr(exports, "CJK_FONTS", ())
    monkeypatch.setattr(exports, "bundled_font", lambda: None)
    settings.FUHE_PDF_FONT = "/nonexistent/font.ttf"


def test_the_workbook_has_the_summary_senders_overloaded_and_load_sheets(report):
    with translation.override("en"):
        book = load_workbook(io.BytesIO(report_xlsx(report)))
        labels = [str(rule_label(rule)) for rule in RULES]
    assert book.sheetnames == ["Summary", "Senders", "Overloaded units", "Unit load"]
    summary = {row[0].value: row[1] for row in book["Summary"].iter_rows()}
    assert summary["Tasks issued"].value == 5 and summary["Refused"].value == 1
    assert summary["Prefilled share"].value == 0.25 and summary["Prefilled share"].number_format == "0.0%"
    assert summary["Hours demanded"].number_format == "#,##0.0"
    assert summary["Overloaded units"].value == 1 and summary["Overloaded units"].number_format == "#,##0"
    assert summary["Emergency actions filed late"].value == 0
    senders = list(book["Senders"].iter_rows(values_only=True))
    assert list(senders[0][-len(RULES) :]) == labels  # the rules by their names, not their codes
    assert [row[0] for row in senders[1:]] == ["和平区城管委", "劝业场街道办事处"]
    assert senders[1][len(senders[0]) - len(RULES) + RULES.index("ranking")] == 1
    overloaded = list(book["Overloaded units"].iter_rows(values_only=True))
    assert [row[0] for row in overloaded[1:]] == ["花园路社区居委会"] and overloaded[1][3] > 1
    load = {row[0].value: row for row in book["Unit load"].iter_rows(min_row=2)}
    assert load["新华社区居委会"][5].value is None  # no capacity: no load factor
    assert load["新华社区居委会"][1].number_format == "#,##0.0"


def test_the_workbook_reads_in_chinese_by_default(report):
    with translation.override("zh-hans"):
        book = load_workbook(io.BytesIO(report_xlsx(report)))
    assert book.sheetnames[1:3] == ["下派单位", "超负荷单位"]
    summary = [row[0] for row in book.worksheets[0].iter_rows(values_only=True)]
    assert summary[0] == "区划" and "下派任务数" in summary and "已准入" in summary
    assert "Tasks issued" not in summary and not any("Region" in label for label in summary)
    assert book.worksheets[2]["A1"].value == "单位" and book.worksheets[2]["D1"].value == "负荷系数"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (count_text(1234567), "1,234,567"),
        (hours_text(12345.678), "12,345.7"),
        (hours_text(0.04), "0.0"),
        (share_text(0.2512), "25.1%"),
        (ratio_text(1.2345), "1.23"),
        (ratio_text(None), "—"),
    ],
)
def test_numbers_are_formatted(text, expected):
    assert text == expected


def test_the_pdf_embeds_a_cjk_font_and_its_text_reads_in_chinese(report):
    with translation.override("zh-hans"):
        data = report_pdf(report)
    assert data.startswith(b"%PDF")
    assert embedded_fonts(data), "the CJK font's program is embedded, so the PDF opens anywhere"
    text = pdf_text(data)
    assert "和平区" in text and "下派任务数" in text and "已准入" in text and "超负荷单位" in text
    assert "25.0%" in text  # the prefilled share as a percentage
    assert "Tasks issued" not in text and "?" not in text.replace("??", "")  # every glyph maps back to a character


def test_the_bundled_font_is_used_when_nothing_is_configured(settings, monkeypatch):
    pytest.importorskip("pylopdf_fonts_zh_cn")
    settings.FUHE_PDF_FONT = ""
    monkeypatch.setattr(exports, "CJK_FONTS", ())
    font = cjk_font()
    assert font == bundled_font() and font.name == "NotoSansSC-Regular.otf" and font.is_file()


def test_a_configured_font_comes_first(settings, tmp_path):
    font = tmp_path / "font.ttf"
    font.write_bytes(b"")
    settings.FUHE_PDF_FONT = str(font)
    assert cjk_font() == font


def test_a_missing_font_is_named(no_font):
    with pytest.raises(MissingFontError, match="fonts-wqy-microhei"):
        cjk_font()


def test_without_a_font_the_pdf_export_answers_with_a_page_that_offers_the_workbook(burden, quarter, login, no_font):  # noqa: F811
    client = login(burden.people["leader"])
    query = {"region": burden.regions["和平区"].pk, "first": FIRST.isoformat(), "last": LAST.isoformat()}
    response = client.get(reverse("burden:report"), {**query, "format": "pdf"})
    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'role="alert"' in html and "fonts-wqy-microhei" in html
    assert "format=xlsx" in html and 'id="export-xlsx"' in html
    workbook = client.get(reverse("burden:report"), {**query, "format": "xlsx"})
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")


def test_the_setup_script_installs_a_debian_cjk_font():
    script = Path(__file__).resolve().parents[2] / "scripts" / "ensure-cjk-font"
    text = script.read_text()
    assert "fonts-wqy-microhei" in text and "apt-get install" in text
    makefile = (script.parents[1] / "Makefile").read_text()
    assert "scripts/ensure-cjk-font" in makefile
