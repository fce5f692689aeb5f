"""The builders moved out of the views: the chart series, the three-rates workbook, the definitions page."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from django.http import Http404
from django.utils import translation
from openpyxl import load_workbook

from fuhe.cases.core.rates import RATE_SPECS, CaseOutcome, compute_rates_by
from fuhe.cases.exports import rates_workbook, rates_workbook_name
from fuhe.cases.metrics import RATE_ORDER, RatesReport, rates_chart, rates_table
from fuhe.cases.reports import inline_html, join_lines, markdown_blocks, metric_definitions, metric_definitions_path

SPECS = [RATE_SPECS[name] for name in RATE_ORDER]


def _outcomes(n: int, *, responded: int, resolved: int, satisfied: int) -> list[CaseOutcome]:
    return [
        CaseOutcome(responded=i < responded, replied=True, resolved=i < resolved, satisfied=i < satisfied)
        for i in range(n)
    ]


def _rows(groups: dict[str, list[CaseOutcome]]) -> list[dict]:
    rows = rates_table(compute_rates_by((key, outcome) for key, outcomes in groups.items() for outcome in outcomes))
    for row in rows:
        row["label"] = f"{row['key']}单位"
    return rows


def test_the_chart_shows_the_ranked_groups_and_the_three_rates_in_percent():
    rows = _rows(
        {
            "甲": _outcomes(40, responded=30, resolved=20, satisfied=36),  # 75%, 50%, 90%
            "乙": _outcomes(40, responded=40, resolved=40, satisfied=10),  # 100%, 100%, 25%
            "丙": _outcomes(5, responded=5, resolved=5, satisfied=5),  # a small sample: in the table, not the chart
        }
    )
    chart = rates_chart(rows=rows, specs=SPECS)
    assert chart == {
        "groups": ["甲单位", "乙单位"],  # ranked by the satisfaction rate's lower bound
        "series": [
            {"name": "响应率", "data": [75.0, 100.0]},
            {"name": "解决率", "data": [50.0, 100.0]},
            {"name": "满意率", "data": [90.0, 25.0]},
        ],
    }


def test_the_chart_keeps_the_first_fifteen_groups():
    rows = _rows({f"G{n:02d}": _outcomes(40, responded=40, resolved=40, satisfied=39 - n) for n in range(17)})
    chart = rates_chart(rows=rows, specs=SPECS)
    assert chart["groups"] == [f"G{n:02d}单位" for n in range(15)]
    assert all(len(series["data"]) == 15 for series in chart["series"])


def test_the_workbook_has_a_row_per_group_with_counts_intervals_and_the_small_sample_flag():
    rows = _rows(
        {
            "甲": _outcomes(40, responded=30, resolved=20, satisfied=36),
            "丙": _outcomes(5, responded=5, resolved=5, satisfied=5),
        }
    )
    report = RatesReport(by="unit", days=30, rows=rows, specs=SPECS, chart=rates_chart(rows=rows, specs=SPECS))
    assert rates_workbook_name(report=report) == "three-rates-unit-30d.xlsx"
    buffer = BytesIO()
    rates_workbook(report=report).save(buffer)
    sheet = load_workbook(BytesIO(buffer.getvalue())).active
    header, first, second, blank, note = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "三率"
    assert header[:8] == (
        "排名",
        "单位",
        "响应率",
        "响应率 分子",
        "响应率 分母",
        "响应率 95%下限",
        "响应率 95%上限",
        "响应率 样本不足",
    )
    assert len(header) == 2 + 6 * len(RATE_ORDER) + 2 and header[-2:] == ("未评价", "待评价")
    assert first[:8] == (
        1,
        "甲单位",
        0.75,
        30,
        40,
        pytest.approx(rows[0]["rates"][0].low),
        rows[0]["rates"][0].high,
        None,
    )
    satisfaction = 2 + 6 * RATE_ORDER.index("satisfaction")
    assert first[satisfaction : satisfaction + 3] == (0.9, 36, 40)
    assert second[:2] == (None, "丙单位") and second[7] == "是"  # unranked: no position, flagged
    assert set(blank) <= {None} and note[0] == "口径见“指标口径”说明；统计期：最近 30 天"


def test_markdown_blocks_gives_anchored_headings_and_paragraphs():
    text = "# 三率\n\n引言第一行\n引言第二行\n\n## response-rate 响应率\n| 分子 | 分母 |\n|---|---|\n\n#### deep\n末段"
    blocks = markdown_blocks(text)
    assert [{k: v for k, v in b.items() if k != "html"} for b in blocks] == [
        {"kind": "h", "level": 2, "text": "三率", "id": "三率"},
        {"kind": "p", "text": "引言第一行引言第二行"},  # a Chinese line break is no space
        {"kind": "h", "level": 3, "text": "response-rate 响应率", "id": "response-rate"},
        {"kind": "p", "text": "| 分子 | 分母 | |---|---|"},
        {"kind": "h", "level": 4, "text": "deep", "id": "deep"},
        {"kind": "p", "text": "末段"},
    ]


def test_markdown_blocks_reads_explicit_anchors_lists_and_code():
    text = (
        "## Response rate {#response-rate}\n\n* numerator: cases **signed\n  for** in time;\n* see [unrated](#unrated)"
        "\n\n    centre = p\n    width = z\n\nUses `RateConfig` <b>"
    )
    heading, items, code, paragraph = markdown_blocks(text)
    assert heading == {"kind": "h", "level": 3, "text": "Response rate", "id": "response-rate"}
    assert items["kind"] == "ul" and items["items"] == [
        "numerator: cases <strong>signed for</strong> in time;",
        'see <a href="#unrated">unrated</a>',
    ]
    assert code == {"kind": "pre", "text": "centre = p\nwidth = z"}
    assert paragraph["html"] == "Uses <code>RateConfig</code> &lt;b&gt;"  # the rest is escaped


def test_inline_html_links_only_within_the_page():
    assert inline_html("[x](https://example.com) [y](#roll-up)") == '[x](https://example.com) <a href="#roll-up">y</a>'


def test_join_lines_puts_a_space_between_english_lines_only():
    assert join_lines(["a rate", "is shown"]) == "a rate is shown"
    assert join_lines(["分子是", "分母的子集"]) == "分子是分母的子集"
    assert join_lines(["见 `x`；", "分母"]) == "见 `x`；分母"
    assert join_lines(["计数；", "`tests/x.py` 核对"]) == "计数；`tests/x.py` 核对"
    assert join_lines(["the 派单", "queue"]) == "the 派单 queue"


def test_metric_definitions_reads_the_installed_file_and_404s_without_it(tmp_path):
    ids = [block["id"] for block in metric_definitions() if block["kind"] == "h"]
    assert {"response-rate", "resolution-rate", "satisfaction-rate"} <= set(ids)
    with pytest.raises(Http404):
        metric_definitions(path=tmp_path / "metrics.md")


def test_the_definitions_are_read_in_the_reader_language():
    assert metric_definitions_path("zh-hans").name == "metrics.zh-Hans.md"
    assert metric_definitions_path("en").name == "metrics.md"
    with translation.override("en"):
        english = metric_definitions()
    with translation.override("zh-hans"):
        chinese = metric_definitions()
    assert english[0]["text"].startswith("Case metrics") and chinese[0]["text"].startswith("工单指标")


def _headings(path: Path) -> list[tuple[int, str]]:
    return [(b["level"], b["id"]) for b in metric_definitions(path=path) if b["kind"] == "h"]


def test_the_chinese_and_english_definitions_have_the_same_headings_and_anchors():
    english, chinese = metric_definitions_path("en"), metric_definitions_path("zh-hans")
    assert english != chinese
    assert _headings(english) == _headings(chinese)
    for path in (english, chinese):  # every anchor is written out, so a translated title keeps its link
        text = path.read_text(encoding="utf-8")
        assert all(line.rstrip().endswith("}") for line in text.splitlines() if line.startswith("#")), path
        links = set(re.findall(r"\]\(#([a-z0-9-]+)\)", text))
        assert links <= {anchor for _, anchor in _headings(path)}, path


def test_the_workbook_counts_the_unrated_cases_of_each_group():
    unrated = CaseOutcome(responded=True, replied=True, rating_window_over=True)
    waiting = CaseOutcome(responded=True, replied=True)
    rows = _rows({"甲": [*_outcomes(40, responded=40, resolved=30, satisfied=30), unrated, unrated, waiting]})
    report = RatesReport(by="unit", days=30, rows=rows, specs=SPECS, chart=rates_chart(rows=rows, specs=SPECS))
    buffer = BytesIO()
    rates_workbook(report=report).save(buffer)
    first = list(load_workbook(BytesIO(buffer.getvalue())).active.iter_rows(values_only=True))[1]
    assert first[-2:] == (2, 1)
