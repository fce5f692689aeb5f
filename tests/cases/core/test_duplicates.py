"""Likely-duplicate suggestions at intake, on real hotline messages with light edits."""

from __future__ import annotations

import csv
import math
import random
import re
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuhe.cases.core.duplicates import (
    CaseSnapshot,
    DuplicateConfig,
    DuplicateIndex,
    find_duplicates,
    haversine_m,
    normalize_text,
    prefilter,
)

MESSAGES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "messages"
CST = timezone(timedelta(hours=8))
T0 = datetime(2025, 5, 6, 9, 30, tzinfo=CST)
HERE = (39.9087, 116.3975)
COMMUNITY = 110101001001000  # Fuhe keys: a grid is its community's key + 1…999
GRID = COMMUNITY + 1


def moved(point: tuple[float, float], north_m: float, east_m: float = 0.0) -> tuple[float, float]:
    lat, lon = point
    return lat + north_m / 111_194.9, lon + east_m / (111_194.9 * math.cos(math.radians(lat)))


@pytest.fixture(scope="module")
def messages() -> list[dict[str, str]]:
    path = MESSAGES / "labelled_train.csv"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def originals(messages) -> list[CaseSnapshot]:
    """Each message as a recent case, all in one grid, one hour apart: only text and category differ."""
    return [
        CaseSnapshot(row["text"], T0 - timedelta(hours=1 + i % 100), row["label"], HERE, GRID, case_id=int(row["id"]))
        for i, row in enumerate(messages)
    ]


@pytest.fixture(scope="module")
def index(originals) -> DuplicateIndex:
    return DuplicateIndex(originals)


# Light edits a second caller, or the same one calling again, produces.
def add_punctuation(text: str) -> str:
    return "！！" + text.replace("，", "， ").replace("。", "！") + "？"


def swap_clause(text: str) -> str:
    parts = [p for p in re.split(r"(?<=[，。！？；])", text) if p]
    if len(parts) > 2:
        parts[0], parts[1] = parts[1], parts[0]
    return "".join(parts)


def shorten(text: str) -> str:
    return text[: max(30, len(text) * 3 // 5)]


def retell(text: str) -> str:
    return "你好，我再反映一下：" + shorten(swap_clause(text)) + "希望有关部门尽快处理，谢谢！"


EDITS = [add_punctuation, swap_clause, shorten, retell]


def test_normalize_text():
    assert normalize_text("Ａ市，“在水一方”大厦！ 12栋") == "a市在水一方大厦12栋"
    assert normalize_text("……  ！") == ""


def test_haversine():
    assert float(haversine_m(0.0, 0.0, 1.0, 0.0)) == pytest.approx(111_194.9, rel=1e-4)
    assert float(haversine_m(*HERE, *moved(HERE, 300))) == pytest.approx(300, abs=0.5)
    assert float(haversine_m(*HERE, *HERE)) == 0.0


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        CaseSnapshot("小区门口垃圾堆放", datetime(2025, 5, 6, 9, 30))  # naive on purpose


def test_config_validation():
    with pytest.raises(ValueError):
        DuplicateConfig(weight_text=0)
    with pytest.raises(ValueError):
        DuplicateConfig(radius_m=0)
    with pytest.raises(ValueError):
        DuplicateConfig(ngram_min=3, ngram_max=2)


@pytest.mark.parametrize("edit", EDITS, ids=lambda f: f.__name__)
def test_light_edits_find_the_original_first(edit, originals, index):
    rng = random.Random(edit.__name__)
    for original in rng.sample(originals, 40):
        new = CaseSnapshot(edit(original.text), T0, original.category_id, moved(HERE, 80, 40), GRID)
        found = index.query(new)
        assert found, (edit.__name__, original.text[:40])
        assert found[0].case_id == original.case_id
        assert found[0].text_similarity >= (0.5 if edit is not retell else 0.3)
        assert all(0.0 <= c.score <= 1.0 for c in found)
        assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_light_edits_without_place_or_category_still_match_on_text(originals, index):
    for original in originals[:60]:
        new = CaseSnapshot(add_punctuation(swap_clause(original.text)), T0)
        found = index.query(new)
        assert found and found[0].case_id == original.case_id
        assert found[0].distance_m is None


def test_distinct_messages_in_the_same_grid_and_category_are_not_suggested(originals, index):
    """Worst placement for the negatives: same category, same grid, 90 m, hours apart. Among 330 distinct
    messages only one pair is suggested, and it is a genuine repeat complaint of one resident."""
    pairs = set()
    for original in originals:
        new = replace(original, case_id=None, point=moved(HERE, 90), created_at=T0)
        pairs |= {frozenset((original.case_id, c.case_id)) for c in index.query(new) if c.case_id != original.case_id}
    assert pairs <= {frozenset((19040, 19234))}  # 开元路和通超市违章建筑, the same user twice


def test_different_text_same_place_is_not_a_duplicate():
    here = [
        CaseSnapshot(
            "小区东门垃圾桶满了好几天没人清运，臭味很大", T0 - timedelta(hours=2), "环境", HERE, GRID, case_id=1
        )
    ]
    new = CaseSnapshot("楼道里的声控灯坏了，晚上上下楼很不方便", T0, "环境", HERE, GRID)
    assert find_duplicates(new, here) == []


def _pair(text="幸福里小区3号楼下水道堵塞，污水漫到路面，请尽快疏通", **changes):
    old = CaseSnapshot(text, T0 - timedelta(days=1), "排水", HERE, GRID, case_id="A-1")
    new = CaseSnapshot("幸福里小区3号楼下水道堵了，污水都漫到路面上了，请尽快疏通！", T0, "排水", moved(HERE, 50), GRID)
    return old, replace(new, **changes)


def test_reasons_name_every_signal_that_helped():
    old, new = _pair()
    (found,) = find_duplicates(new, [old])
    assert found.case_id == "A-1"
    assert found.reasons[0].startswith("文本相似度 ")
    assert found.reasons[1:] == ["同一诉求类别", "相距约 50 米", "同一网格", "受理时间相隔 24 小时"]
    assert found.reasons_en[1:] == ["same category", "about 50 m apart", "same grid", "received 24 h apart"]
    assert found.distance_m == pytest.approx(50, abs=0.5)
    assert found.hours_apart == pytest.approx(24)


def test_reasons_same_community_and_days():
    old, new = _pair()
    old = replace(old, region_key=COMMUNITY + 7, category_id="市政", created_at=T0 - timedelta(days=3))
    (found,) = find_duplicates(new, [old])
    assert "同一社区" in found.reasons and "同一网格" not in found.reasons
    assert "同一诉求类别" not in found.reasons
    assert found.reasons[-1] == "受理时间相隔 3 天"
    assert found.reasons_en[-1] == "received 3 days apart"


def test_each_signal_moves_the_score():
    old, new = _pair()
    best = find_duplicates(new, [old])[0].score
    for change in (
        {"category_id": "道路"},
        {"region_key": COMMUNITY + 2},
        {"point": moved(HERE, 250)},
        {"created_at": T0 + timedelta(days=5)},
    ):
        assert find_duplicates(replace(new, **change), [old])[0].score < best, change


@pytest.mark.parametrize(("north_m", "expected"), [(0, True), (299, True), (301, False), (5_000, False)])
def test_distance_cut_off(north_m, expected):
    old, new = _pair()
    new = replace(new, point=moved(HERE, north_m))
    assert bool(find_duplicates(new, [old])) is expected


def test_distance_radius_is_configurable_and_unknown_points_pass():
    old, new = _pair()
    far = replace(new, point=moved(HERE, 450))
    assert find_duplicates(far, [old]) == []
    assert find_duplicates(far, [old], DuplicateConfig(radius_m=500))
    assert find_duplicates(replace(far, point=None), [old])[0].distance_m is None
    assert find_duplicates(far, [replace(old, point=None)])


@pytest.mark.parametrize(("days", "expected"), [(0, True), (6.9, True), (7.1, False), (-6.9, True), (-7.1, False)])
def test_time_window(days, expected):
    old, new = _pair()
    new = replace(new, created_at=old.created_at + timedelta(days=days))
    assert bool(find_duplicates(new, [old])) is expected
    assert bool(find_duplicates(new, [old], DuplicateConfig(window_days=10))) is True


def test_time_zones_do_not_matter():
    old, new = _pair()
    (a,) = find_duplicates(new, [old])
    (b,) = find_duplicates(replace(new, created_at=new.created_at.astimezone(UTC)), [old])
    assert a.hours_apart == pytest.approx(b.hours_apart)


def test_identical_case_scores_one_even_without_place():
    old = CaseSnapshot("路灯不亮", T0, None, None, None, case_id=9)
    (found,) = find_duplicates(replace(old, case_id=None), [old])
    assert found.score == pytest.approx(1.0)


def test_empty_inputs():
    old, new = _pair()
    assert find_duplicates(new, []) == []
    assert DuplicateIndex([]).query(new) == []
    assert find_duplicates(replace(new, text="。。。"), [old]) == []
    assert prefilter(new, [replace(old, created_at=T0 - timedelta(days=30))]) == []


def test_limit_and_threshold_are_respected(originals):
    text = originals[0].text
    many = [replace(originals[0], case_id=i, point=moved(HERE, i)) for i in range(25)]
    new = CaseSnapshot(text, T0, originals[0].category_id, HERE, GRID)
    assert len(find_duplicates(new, many)) == 10
    assert [c.case_id for c in find_duplicates(new, many, DuplicateConfig(limit=3))] == [0, 1, 2]
    assert find_duplicates(new, many, DuplicateConfig(threshold=1.01)) == []


# ---------------------------------------------------------------- speed


@pytest.fixture(scope="module")
def five_thousand(messages) -> list[CaseSnapshot]:
    """5,000 cases that all survive the pre-filter: within 250 m and 6 days, so the text is scored for each."""
    rng = random.Random(5)
    return [
        CaseSnapshot(
            messages[i % len(messages)]["text"][rng.randrange(8) :] + f"（第{i}号）",
            T0 - timedelta(hours=rng.uniform(0, 144)),
            messages[i % len(messages)]["label"],
            moved(HERE, rng.uniform(-170, 170), rng.uniform(-170, 170)),
            COMMUNITY + rng.randrange(1, 4),
            case_id=i,
        )
        for i in range(5_000)
    ]


@pytest.mark.slow
def test_query_against_5000_candidates_is_fast(five_thousand):
    index = DuplicateIndex(five_thousand)
    probe = five_thousand[1234]
    new = CaseSnapshot(retell(probe.text), T0, probe.category_id, moved(probe.point, 20), probe.region_key)
    timings = []
    for _ in range(15):
        start = time.perf_counter()
        found = index.query(new)
        timings.append(time.perf_counter() - start)
    assert found[0].text_similarity > 0.3
    assert probe.case_id in {c.case_id for c in found}
    assert statistics.median(timings) < 0.050, f"median {statistics.median(timings) * 1000:.1f} ms"


def test_prefilter_keeps_the_one_shot_form_cheap(five_thousand):
    """Spread over a district and a month, 5,000 recent cases leave a handful for text scoring."""
    rng = random.Random(9)
    spread = [
        replace(
            c,
            point=moved(HERE, rng.uniform(-5_000, 5_000), rng.uniform(-5_000, 5_000)),
            created_at=T0 - timedelta(days=rng.uniform(0, 30)),
        )
        for c in five_thousand
    ]
    new = replace(spread[0], case_id=None, created_at=spread[0].created_at + timedelta(hours=1))
    assert len(prefilter(new, spread)) < 100
    start = time.perf_counter()
    found = find_duplicates(new, spread)
    elapsed = time.perf_counter() - start
    assert found[0].case_id == 0
    assert elapsed < 0.2, f"{elapsed * 1000:.1f} ms"


# ---------------------------------------------------------------- properties

HANZI = "小区物业停水电梯故障噪音扰民垃圾清运路灯不亮违章建筑占道经营油烟污染学校收费医院挂号公交线路"
small_config = DuplicateConfig(n_features=2**16, limit=1_000)


@st.composite
def snapshots(draw, case_id=None):
    return CaseSnapshot(
        text=draw(
            st.text(alphabet=HANZI + "，。！ ", min_size=2, max_size=40).filter(lambda t: len(normalize_text(t)) >= 2)
        ),
        created_at=T0 + timedelta(hours=draw(st.floats(-240, 240))),
        category_id=draw(st.sampled_from([None, 1, 2])),
        point=draw(st.one_of(st.none(), st.tuples(st.floats(39.905, 39.912), st.floats(116.394, 116.401)))),
        region_key=draw(st.sampled_from([None, GRID, GRID + 1, COMMUNITY + 1000 + 1])),
        case_id=case_id,
    )


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_case_is_its_own_best_match(data):
    others = data.draw(st.lists(snapshots(), max_size=12))
    others = [replace(o, case_id=i) for i, o in enumerate(others)]
    me = data.draw(snapshots(case_id="me"))
    position = data.draw(st.integers(0, len(others)))
    candidates = [*others[:position], me, *others[position:]]
    found = find_duplicates(replace(me, case_id=None), candidates, small_config)
    assert found
    scores = {c.case_id: c.score for c in found}
    assert scores["me"] == pytest.approx(1.0)
    assert scores["me"] >= max(scores.values()) - 1e-9
    assert all(0.0 <= c.score <= 1.0 and 0.0 <= c.text_similarity <= 1.0 for c in found)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots(), st.lists(snapshots(), max_size=12))
def test_index_and_one_shot_agree_on_who_passes_the_filters(new, candidates):
    candidates = [replace(c, case_id=i) for i, c in enumerate(candidates)]
    cfg = replace(small_config, threshold=0.0, min_text_similarity=0.0)
    kept = {c.case_id for c in prefilter(new, candidates, cfg)}
    scored = {c.case_id for c in DuplicateIndex(candidates, cfg).query(new)}
    assert scored == kept
    assert all(0.0 <= c.score <= 1.0 for c in find_duplicates(new, candidates, cfg))
