"""The audit report exported to Excel and PDF."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from fuhe.burden.core.flags import RULES
from fuhe.burden.exports import MissingFontError, cjk_font, report_pdf, report_xlsx
from fuhe.burden.reports import audit_report
from tests.burden.test_reports import FIRST, LAST, quarter  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(burden, quarter):  # noqa: F811
    return audit_report(region=burden.regions["和平区"], first=FIRST, last=LAST)


def test_the_workbook_has_the_summary_senders_overloaded_and_load_sheets(report):
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    assert book.sheetnames == ["summary", "senders", "overloaded", "load"]
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(values_only=True)}
    assert summary["下发任务 Tasks issued"] == 5 and summary["拒绝 Refused"] == 1
    assert summary["预填比例 Prefilled share"] == "25.0%"
    assert summary["超负荷单位 Overloaded units"] == 1
    senders = list(book["senders"].iter_rows(values_only=True))
    assert list(senders[0][-len(RULES) :]) == list(RULES)
    assert [row[0] for row in senders[1:]] == ["和平区城管委", "劝业场街道办事处"]
    assert senders[1][len(senders[0]) - len(RULES) + RULES.index("ranking")] == 1
    overloaded = list(book["overloaded"].iter_rows(values_only=True))
    assert [row[0] for row in overloaded[1:]] == ["花园路社区居委会"] and overloaded[1][3] > 1
    load = {row[0]: row for row in book["load"].iter_rows(min_row=2, values_only=True)}
    assert load["新华社区居委会"][5] is None  # no capacity: no load factor


def test_the_pdf_is_a_pdf(report):
    try:
        cjk_font()
    except MissingFontError:
        pytest.skip("no CJK font on this machine")
    data = report_pdf(report)
    assert data.startswith(b"%PDF") and len(data) > 1000


def test_a_missing_font_is_named(monkeypatch, tmp_path, settings):
    monkeypatch.setattr("fuhe.burden.exports.CJK_FONTS", ())
    settings.FUHE_PDF_FONT = "/nonexistent/font.ttf"
    with pytest.raises(MissingFontError, match="fonts-wqy-microhei"):
        cjk_font()
    font = tmp_path / "font.ttf"
    font.write_bytes(b"")
    settings.FUHE_PDF_FONT = str(font)
    assert cjk_font() == font
