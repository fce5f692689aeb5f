"""The builders moved out of the views: the chart series, the three-rates workbook, the definitions page."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.http import Http404
from openpyxl import load_workbook

from fuhe.cases.core.rates import RATE_SPECS, CaseOutcome, compute_rates_by
from fuhe.cases.exports import rates_workbook, rates_workbook_name
from fuhe.cases.metrics import RATE_ORDER, RatesReport, rates_chart, rates_table
from fuhe.cases.reports import markdown_blocks, metric_definitions

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
    assert markdown_blocks(text) == [
        {"kind": "h", "level": 2, "text": "三率", "id": "三率"},
        {"kind": "p", "text": "引言第一行\n引言第二行"},
        {"kind": "h", "level": 3, "text": "response-rate 响应率", "id": "response-rate"},
        {"kind": "p", "text": "| 分子 | 分母 |\n|---|---|"},
        {"kind": "h", "level": 4, "text": "deep", "id": "deep"},
        {"kind": "p", "text": "末段"},
    ]


def test_metric_definitions_reads_the_installed_file_and_404s_without_it(tmp_path):
    ids = [block["id"] for block in metric_definitions() if block["kind"] == "h"]
    assert {"response-rate", "resolution-rate", "satisfaction-rate"} <= set(ids)
    with pytest.raises(Http404):
        metric_definitions(path=tmp_path / "metrics.md")


def test_the_workbook_counts_the_unrated_cases_of_each_group():
    unrated = CaseOutcome(responded=True, replied=True, rating_window_over=True)
    waiting = CaseOutcome(responded=True, replied=True)
    rows = _rows({"甲": [*_outcomes(40, responded=40, resolved=30, satisfied=30), unrated, unrated, waiting]})
    report = RatesReport(by="unit", days=30, rows=rows, specs=SPECS, chart=rates_chart(rows=rows, specs=SPECS))
    buffer = BytesIO()
    rates_workbook(report=report).save(buffer)
    first = list(load_workbook(BytesIO(buffer.getvalue())).active.iter_rows(values_only=True))[1]
    assert first[-2:] == (2, 1)
