"""Hidden-assessment flags: every rule fires on its pattern and stays quiet on the near-miss next to it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuhe.burden.core import flags
from fuhe.burden.core.flags import Evidence, TaskFacts, Thresholds, evaluate, similarity

MONDAY = date(2026, 3, 2)
CATALOGUE = {
    "常住人口": "org.population",
    "人口数": "org.population",
    "独居老人人数": "pop.elderly_alone",
    "独居老人": "pop.elderly_alone",
    "网格数": "org.grids",
}
SURVEY = "请各社区对辖区独居老人逐户走访摸排，登记基本信息和生活状况。"

ORDINARY = TaskFacts(
    task_id=1,
    sender_id=10,
    kind="inspection",
    title="邻里纠纷排查",
    content="请各社区排查辖区邻里纠纷，及时化解矛盾。",
    issued=MONDAY,
    due=MONDAY + timedelta(days=11),
    target_ids=frozenset({1, 2}),
    fields=(("常住人口", "org.population"), ("本月调处件数", None)),
)


def facts(**changes) -> TaskFacts:
    return replace(ORDINARY, **changes)


def rules_of(task: TaskFacts, **options) -> set[str]:
    options.setdefault("catalogue_names", CATALOGUE)
    return {flag.rule for flag in evaluate(task, **options)}


def other(**changes) -> TaskFacts:
    """The same survey from another department, to overlapping units, two days earlier."""
    base = facts(task_id=2, sender_id=20, title="独居老人摸排", content=SURVEY, issued=MONDAY - timedelta(days=2))
    return replace(base, **changes)


def test_an_ordinary_task_raises_no_flag():
    assert (
        evaluate(
            ORDINARY, catalogue_names=CATALOGUE, recent=[other(content="组织居民参加消防演练。", title="消防演练")]
        )
        == []
    )


# --- positive cases: (rule, facts changes, evaluate options) ---------------------------------------------------

POSITIVE = [
    ("trace_evidence", {"evidence": frozenset({Evidence.PHOTO})}, {}),
    ("trace_evidence", {"evidence": frozenset({Evidence.LEDGER})}, {}),
    ("trace_evidence", {"content": "整治完成后上传整治前后照片。"}, {}),
    ("trace_evidence", {"content": "请录制入户走访视频备查。"}, {}),
    ("forbidden_metric", {"evidence": frozenset({Evidence.STUDY_TIME})}, {}),
    ("forbidden_metric", {"kind": "check_in"}, {}),
    ("forbidden_metric", {"content": "网格员每日上路巡查并打卡。"}, {}),
    ("forbidden_metric", {"content": "报送辖区居民政务APP安装率。"}, {}),
    ("forbidden_metric", {"content": "统计政务app使用率。"}, {}),
    ("forbidden_metric", {"content": "要求党员转发朋友圈并统计转发量。"}, {}),
    ("ranking", {"kind": "ranking"}, {}),
    ("ranking", {"content": "按月打分，通报排名。"}, {}),
    ("pledge", {"kind": "pledge"}, {}),
    ("pledge", {"content": "各社区与街道签订安全生产责任书。"}, {}),
    ("duplicate_collection", {"fields": (("独居老人", None),)}, {}),
    ("duplicate_collection", {"fields": (("常住 人口：", None),)}, {}),  # spacing and punctuation do not hide it
    ("same_content", {"title": "独居老人摸排", "content": SURVEY}, {"recent": [other()]}),
    ("short_deadline", {"due": MONDAY + timedelta(days=2)}, {}),
    ("short_deadline", {"issued": MONDAY + timedelta(days=4), "due": MONDAY + timedelta(days=8)}, {}),  # Fri→Tue
    ("rest_day_deadline", {"due": MONDAY + timedelta(days=12)}, {}),  # Saturday
    ("frequent_recurrence", {"interval_days": 1}, {}),
]


@pytest.mark.parametrize(("rule", "changes", "options"), POSITIVE)
def test_the_rule_fires_on_its_pattern_with_an_explanation(rule, changes, options):
    raised = {flag.rule: flag for flag in evaluate(facts(**changes), **{"catalogue_names": CATALOGUE, **options})}
    assert rule in raised
    assert raised[rule].explanation


def test_every_rule_has_a_positive_and_a_negative_case():
    assert {rule for rule, _c, _o in POSITIVE} == set(flags.RULES)
    assert {rule for rule, _c, _o in NEGATIVE} == set(flags.RULES)


# --- near misses: (rule, facts changes, evaluate options) -----------------------------------------------------

NEGATIVE = [
    ("trace_evidence", {"evidence": frozenset({Evidence.SIGNED_RECEIPT})}, {}),
    ("trace_evidence", {"kind": "meeting", "content": "请各社区书记参加视频会议。"}, {}),
    ("forbidden_metric", {"evidence": frozenset({Evidence.PHOTO, Evidence.SIGNED_RECEIPT})}, {}),
    ("forbidden_metric", {"content": "现将《关于做好防汛工作的通知》转发给你们，请认真贯彻落实。"}, {}),
    ("forbidden_metric", {"content": "统计养老驿站使用率和床位数。"}, {}),
    ("ranking", {"content": "按网格排序整理走访名单。"}, {}),
    ("pledge", {"content": "对照社区责任清单开展工作。"}, {}),
    ("duplicate_collection", {"fields": (("独居老人", "pop.elderly_alone"),)}, {}),  # mapped to the catalogue
    ("duplicate_collection", {"fields": (("已签约人数", None),)}, {}),
    ("same_content", {"title": "独居老人摸排", "content": SURVEY}, {"recent": [other(sender_id=10)]}),
    ("same_content", {"title": "独居老人摸排", "content": SURVEY}, {"recent": [other(target_ids=frozenset({3, 4}))]}),
    (
        "same_content",
        {"title": "独居老人摸排", "content": SURVEY},
        {"recent": [other(issued=MONDAY - timedelta(days=31))]},
    ),
    ("same_content", {"title": "独居老人摸排", "content": SURVEY}, {"recent": [other(task_id=1)]}),
    ("short_deadline", {"due": MONDAY + timedelta(days=3)}, {}),  # exactly 3 working days
    ("rest_day_deadline", {"due": MONDAY + timedelta(days=11)}, {}),  # Friday
    (
        "rest_day_deadline",
        {"due": MONDAY + timedelta(days=12)},
        {"is_workday": lambda day: day.weekday() < 6},
    ),  # a make-up working Saturday (调休)
    ("frequent_recurrence", {"interval_days": 7}, {}),  # exactly the threshold
    ("frequent_recurrence", {"interval_days": None}, {}),
]


@pytest.mark.parametrize(("rule", "changes", "options"), NEGATIVE)
def test_the_near_miss_does_not_fire(rule, changes, options):
    assert rule not in rules_of(facts(**changes), **options)


# --- thresholds and edges --------------------------------------------------------------------------------------


def test_same_content_fires_at_exactly_the_similarity_threshold_and_not_just_below():
    mine = facts(title="独居老人摸排", content="请各社区对辖区独居老人逐户走访，登记生活状况。")
    theirs = other()
    score = similarity(mine.text, theirs.text)
    assert 0.2 < score < 1
    assert "same_content" in rules_of(mine, recent=[theirs], thresholds=Thresholds(similarity=score))
    assert "same_content" not in rules_of(mine, recent=[theirs], thresholds=Thresholds(similarity=score + 1e-9))


def test_same_content_window_is_inclusive_and_configurable():
    mine = facts(title="独居老人摸排", content=SURVEY)
    assert "same_content" in rules_of(mine, recent=[other(issued=MONDAY - timedelta(days=30))])
    assert "same_content" in rules_of(mine, recent=[other(issued=MONDAY + timedelta(days=30))])
    narrow = Thresholds(same_content_window_days=1)
    assert "same_content" not in rules_of(mine, recent=[other()], thresholds=narrow)


def test_same_content_names_every_other_sender():
    mine = facts(title="独居老人摸排", content=SURVEY)
    raised = {
        f.rule: f
        for f in evaluate(mine, recent=[other(), other(task_id=3, sender_id=30), other(task_id=4, sender_id=10)])
    }
    assert raised["same_content"].detail["senders"] == [20, 30]
    assert raised["same_content"].detail["tasks"] == [2, 3]


def test_short_deadline_threshold_and_working_day_count_are_configurable():
    thursday = facts(due=MONDAY + timedelta(days=3))
    assert "short_deadline" in rules_of(thursday, thresholds=Thresholds(min_working_days=4))
    # a holiday on Tuesday leaves two working days
    assert "short_deadline" in rules_of(thursday, is_workday=lambda d: d.weekday() < 5 and d != MONDAY + timedelta(1))
    assert "short_deadline" in rules_of(thursday, working_days_between=lambda first, last: 0)
    flag = next(f for f in evaluate(facts(due=MONDAY + timedelta(days=1))) if f.rule == "short_deadline")
    assert flag.detail == {"working_days": 1}


def test_recurrence_threshold_is_configurable():
    weekly = facts(interval_days=7)
    assert "frequent_recurrence" in rules_of(weekly, thresholds=Thresholds(min_interval_days=14))


def test_duplicate_collection_lists_only_the_catalogued_labels():
    task = facts(fields=(("独居老人", None), ("已签约人数", None), ("人口数", None), ("网格数", "org.grids")))
    flag = next(f for f in evaluate(task, catalogue_names=CATALOGUE) if f.rule == "duplicate_collection")
    assert flag.detail == {"fields": ["独居老人", "人口数"]}
    assert "org.population" in flag.explanation


def test_forbidden_demands_feed_the_gate_sorted_and_once():
    task = facts(
        kind="check_in", evidence=frozenset({Evidence.CHECK_IN, Evidence.PHOTO}), content="每日签到打卡，统计学习时长"
    )
    assert flags.forbidden_demands(task) == (Evidence.CHECK_IN, Evidence.STUDY_TIME)
    assert flags.forbidden_demands(ORDINARY) == ()


@given(st.text(max_size=40), st.text(max_size=40))
def test_similarity_is_symmetric_and_bounded(a, b):
    score = similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert score == similarity(b, a)


@given(st.text(alphabet="社区独居老人走访摸排登记，。 ", min_size=1, max_size=40))
def test_a_text_is_wholly_similar_to_itself(text):
    assert similarity(text, text) == 1.0
