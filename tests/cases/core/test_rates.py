"""The three rates and companions: definitions by hand-computed examples, the Wilson interval, ranking."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from fuhe.cases.core.rates import (
    RATE_NAMES,
    RATE_SPECS,
    Z95,
    CaseOutcome,
    Rate,
    RateConfig,
    RateCounts,
    combine,
    compute_rates,
    compute_rates_by,
    overall_rates,
    rank,
    rates_from_counts,
    wilson_interval,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "metrics.md"

# Ten cases of one unit, each written out so every rate can be counted by hand.
CASES = [
    # 1: model case: on time, resolved and satisfied at the first follow-up
    CaseOutcome(responded=True, replied=True, replied_on_time=True, resolved=True, satisfied=True),
    # 2: late contact, late reply, but resolved and satisfied
    CaseOutcome(responded=False, replied=True, replied_on_time=False, resolved=True, satisfied=True),
    # 3: returned once, then resolved; resident only "basically satisfied" → adapter maps to True
    CaseOutcome(responded=True, replied=True, replied_on_time=True, resolved=True, satisfied=True, return_count=1),
    # 4: not resolved, not satisfied, reopened once; rework going on, the old rating stands
    CaseOutcome(responded=True, replied=True, replied_on_time=True, resolved=False, satisfied=False, reopen_count=1),
    # 5: replied on time, resident unreachable at follow-up
    CaseOutcome(responded=True, replied=True, replied_on_time=True),
    # 6: resolved but not satisfied (the attitude, not the result)
    CaseOutcome(responded=True, replied=True, replied_on_time=True, resolved=True, satisfied=False),
    # 7: still inside both limits, nothing happened yet: in no denominator except the return rate
    CaseOutcome(responded=None, replied=False, replied_on_time=None),
    # 8: accepted on time, overdue without a reply
    CaseOutcome(responded=True, replied=False, replied_on_time=False, return_count=2),
    # 9: merged into case 1 as a duplicate: excluded everywhere
    CaseOutcome(merged=True, responded=False, replied=False, replied_on_time=False),
    # 10: answered directly at intake: excluded (no handling unit)
    CaseOutcome(dispatched=False, replied=True, replied_on_time=True, resolved=True, satisfied=True),
    # 11: dismissed as unreasonable after review: excluded
    CaseOutcome(dismissed_unreasonable=True, responded=True, replied=False, resolved=False, satisfied=False),
]

EXPECTED = {  # name: (numerator, denominator), counted by hand over cases 1–8
    "response": (6, 7),  # 1,3,4,5,6,8 of 1–6 and 8 (7 is undecided)
    "resolution": (4, 5),  # 1,2,3,6 of the rated 1,2,3,4,6
    "satisfaction": (3, 5),  # 1,2,3 of 1,2,3,4,6
    "on_time": (5, 7),  # 1,3,4,5,6 of 1–6 and 8
    "return": (2, 8),  # 3 and 8 of all eight assessed
    "reopen": (1, 6),  # 4 of the replied 1–6
    "first_time_resolution": (3, 5),  # 1,2,6 of the rated (3 was returned, 4 reopened)
    "follow_up": (5, 6),  # rated 1,2,3,4,6 of the replied 1–6
}


def test_each_rate_by_hand():
    rs = overall_rates(CASES)
    assert (rs.cases, rs.assessed, rs.excluded_merged, rs.excluded_direct, rs.excluded_unreasonable) == (11, 8, 1, 1, 1)
    got = {name: (rs[name].numerator, rs[name].denominator) for name in RATE_NAMES}
    assert got == EXPECTED
    assert rs.response.value == pytest.approx(6 / 7)
    assert rs.return_rate is rs["return"]
    assert rs.first_time_resolution.value == pytest.approx(0.6)
    assert rs.follow_up.value == pytest.approx(5 / 6)
    assert all(rate.small_sample for rate in rs.rates.values())  # ten cases are a small sample


def test_exclusions_count_once_in_priority_order():
    both = CaseOutcome(merged=True, dismissed_unreasonable=True, dispatched=False)
    rs = overall_rates([both])
    assert (rs.excluded_merged, rs.excluded_unreasonable, rs.excluded_direct, rs.assessed) == (1, 0, 0, 0)
    assert all(r.denominator == 0 and r.value is None for r in rs.rates.values())


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        CaseOutcome(return_count=-1)


def test_unrated_cases_leave_resolution_and_satisfaction_but_not_follow_up():
    rated = [CaseOutcome(replied=True, resolved=True, satisfied=True)] * 3
    unrated = [CaseOutcome(replied=True)] * 7
    rs = overall_rates(rated + unrated)
    assert (rs.resolution.numerator, rs.resolution.denominator) == (3, 3)
    assert (rs.satisfaction.numerator, rs.satisfaction.denominator) == (3, 3)
    assert (rs.follow_up.numerator, rs.follow_up.denominator) == (3, 10)  # selective follow-up shows here


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (1, 2, 0.0945, 0.9055),
        (50, 100, 0.4038, 0.5962),
        (630, 700, 0.8755, 0.9201),
    ],
)
def test_wilson_known_values(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=5e-4)
    assert hi == pytest.approx(high, abs=5e-4)


def test_wilson_edges():
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    with pytest.raises(ValueError):
        wilson_interval(-1, 2)
    assert abs(Z95 - norm.ppf(0.975)) < 1e-12
    # a 90 % interval is narrower
    lo90, hi90 = wilson_interval(8, 10, z=1.6448536269514722)
    lo95, hi95 = wilson_interval(8, 10)
    assert lo95 < lo90 < hi90 < hi95


def test_empty_input_and_empty_groups():
    assert compute_rates([]) == {}
    rs = overall_rates([])
    assert rs.cases == 0
    for rate in rs.rates.values():
        assert (rate.numerator, rate.denominator, rate.value, rate.interval) == (0, 0, None, None)
        assert rate.small_sample


def test_small_sample_threshold_is_configurable():
    cases = [CaseOutcome(responded=True)] * 29
    assert overall_rates(cases).response.small_sample
    assert not overall_rates([*cases, CaseOutcome(responded=False)]).response.small_sample
    assert not overall_rates(cases, RateConfig(min_n=10)).response.small_sample
    with pytest.raises(ValueError):
        RateConfig(min_n=-1)
    with pytest.raises(KeyError):
        Rate.of("speed", 1, 2)


def _unit(satisfied: int, total: int, *, returned: int = 0) -> list[CaseOutcome]:
    return [
        CaseOutcome(replied=True, resolved=True, satisfied=i < satisfied, return_count=int(i < returned))
        for i in range(total)
    ]


def _by_unit(units: dict[str, list[CaseOutcome]]):
    return compute_rates_by((name, outcome) for name, cases in units.items() for outcome in cases)


def test_grouping_by_key_function_and_by_pairs_agree():
    outcomes = [CaseOutcome(responded=i % 3 == 0, return_count=i % 2) for i in range(12)]
    by_key = compute_rates(outcomes, key=lambda o: o.return_count)
    by_pairs = compute_rates_by((o.return_count, o) for o in outcomes)
    assert list(by_key) == [0, 1]
    assert by_key == by_pairs
    assert by_key[1].return_rate.value == 1.0


def test_ranking_uses_lower_bound_and_puts_small_samples_last():
    sets = _by_unit(
        {
            "big": _unit(630, 700),  # 90 %, lower bound ≈ 0.876
            "mid": _unit(92, 100),  # 92 %, lower bound ≈ 0.850: a higher value, ranked lower
            "tiny": _unit(7, 7),  # 100 % of seven cases: shown after the ranked, without a position
            "few": _unit(20, 29),  # one case short of the threshold
            "none": [CaseOutcome(replied=True)] * 40,  # nobody rated: no data
        }
    )
    ranked = rank(sets, "satisfaction")
    assert [r.key for r in ranked] == ["big", "mid", "tiny", "few", "none"]
    assert [r.position for r in ranked] == [1, 2, None, None, None]
    assert [r.status for r in ranked] == ["ranked", "ranked", "small_sample", "small_sample", "no_data"]
    assert ranked[2].small_sample and ranked[2].note_zh == "样本不足，不参与排名"
    assert ranked[4].note_en == "no data"
    assert not ranked[0].small_sample and ranked[0].note_zh == ""
    assert ranked[0].rate_set is sets["big"]


def test_ranking_ties_share_a_position():
    sets = _by_unit({"a": _unit(40, 50), "b": _unit(40, 50), "c": _unit(45, 50)})
    ranked = rank(sets.values(), "satisfaction")
    assert [(r.key, r.position) for r in ranked] == [("c", 1), ("a", 2), ("b", 2)]


def test_ranking_lower_is_better_uses_upper_bound():
    assert not RATE_SPECS["return"].higher_is_better
    sets = _by_unit(
        {
            "steady": _unit(0, 400, returned=40),  # 10 % of 400, upper bound ≈ 0.133
            "lucky": _unit(0, 40, returned=2),  # 5 % of 40, upper bound ≈ 0.165
            "bad": _unit(0, 100, returned=30),
        }
    )
    assert [r.key for r in rank(sets, "return")] == ["steady", "lucky", "bad"]


@pytest.mark.parametrize("doc", [DOC, DOC.with_name("metrics.zh-Hans.md")], ids=["en", "zh-Hans"])
def test_every_rate_has_an_anchor_in_the_metrics_doc(doc):
    text = doc.read_text(encoding="utf-8")
    headings = set(re.findall(r"^## .*\{#([a-z0-9-]+)\}\s*$", text, flags=re.MULTILINE))
    for spec in RATE_SPECS.values():
        assert spec.anchor in headings, spec.anchor
        assert spec.doc_url == f"docs/metrics.md#{spec.anchor}"
        assert spec.zh in text


# ---------------------------------------------------------------- properties

tri = st.sampled_from([None, True, False])
outcomes = st.builds(
    CaseOutcome,
    dispatched=st.booleans(),
    merged=st.booleans(),
    dismissed_unreasonable=st.booleans(),
    responded=tri,
    replied=st.booleans(),
    replied_on_time=tri,
    resolved=tri,
    satisfied=tri,
    return_count=st.integers(0, 3),
    reopen_count=st.integers(0, 2),
    rating_window_over=st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(outcomes, max_size=60), st.integers(0, 40))
def test_rates_are_well_formed(cases, min_n):
    rs = overall_rates(cases, RateConfig(min_n=min_n))
    assert rs.cases == len(cases)
    assert rs.assessed + rs.excluded_direct + rs.excluded_merged + rs.excluded_unreasonable == len(cases)
    for rate in rs.rates.values():
        assert 0 <= rate.numerator <= rate.denominator <= rs.assessed
        assert rate.small_sample == (rate.denominator < min_n)
        if rate.denominator == 0:
            assert rate.value is None and rate.interval is None
        else:
            assert 0.0 <= rate.low <= rate.value <= rate.high <= 1.0
            assert math.isclose(rate.value, rate.numerator / rate.denominator)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.lists(outcomes, max_size=40), st.lists(outcomes, max_size=40))
def test_disjoint_sets_add_up(first, second):
    a, b, both = overall_rates(first), overall_rates(second), overall_rates(first + second)
    merged = combine([a, b])
    assert (both.cases, both.assessed) == (a.cases + b.cases, a.assessed + b.assessed)
    for name in RATE_NAMES:
        assert both[name].numerator == a[name].numerator + b[name].numerator
        assert both[name].denominator == a[name].denominator + b[name].denominator
    assert merged == both


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_the_estimate(kn):
    k, n = kn
    interval = wilson_interval(k, n)
    if n == 0:
        assert interval is None
        return
    lo, hi = interval
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    mirror = wilson_interval(n - k, n)
    assert lo == pytest.approx(1 - mirror[1], abs=1e-12)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=3), st.lists(outcomes, max_size=50), max_size=6))
def test_ranking_is_a_permutation_with_ranked_first(units):
    sets = _by_unit(units)
    for name in RATE_NAMES:
        ranked = rank(sets, name)
        assert sorted(map(str, (r.key for r in ranked))) == sorted(map(str, sets))
        statuses = [r.status for r in ranked]
        assert statuses == sorted(statuses, key=["ranked", "small_sample", "no_data"].index)
        bounds = [r.rate.pessimistic for r in ranked if r.status == "ranked"]
        if RATE_SPECS[name].higher_is_better:
            assert bounds == sorted(bounds, reverse=True)
        else:
            assert bounds == sorted(bounds)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), outcomes), max_size=60))
def test_counts_given_by_group_equal_the_per_case_rates(keyed):
    """What an adapter counting in the database hands over (``from_counts``, a group possibly split over several
    rows) gives the same rate sets as the cases one by one."""
    rows = []
    for key, outcome in keyed:
        one = RateCounts()
        one.add(outcome)
        rows.append(
            (
                key,
                RateCounts.from_counts(
                    cases=one.cases,
                    assessed=one.assessed,
                    excluded_direct=one.direct,
                    excluded_merged=one.merged,
                    excluded_unreasonable=one.unreasonable,
                    numerators=one.num,
                    denominators=one.den,
                    unrated=one.unrated,
                    awaiting_rating=one.awaiting,
                ),
            )
        )
    assert rates_from_counts(rows) == compute_rates_by(keyed)


@pytest.mark.parametrize(
    "change",
    [
        {"cases": 11},  # the exclusions and assessed no longer add up
        {"assessed": 4, "excluded_direct": 6},  # fewer assessed than a denominator
        {"numerators": {**dict.fromkeys(RATE_NAMES, 0), "response": 6}},  # numerator above its denominator
        {"denominators": dict.fromkeys(RATE_NAMES[:-1], 0)},  # a rate missing
        {"unrated": 3, "awaiting_rating": 3},  # more replied cases without a rating than replied and unrated
        {"unrated": -1},
    ],
)
def test_counts_that_cannot_come_from_cases_are_refused(change):
    counts = {
        "cases": 10,
        "assessed": 5,
        "excluded_direct": 5,
        "excluded_merged": 0,
        "excluded_unreasonable": 0,
        "numerators": dict.fromkeys(RATE_NAMES, 0),
        "denominators": dict.fromkeys(RATE_NAMES, 5),
    }
    RateCounts.from_counts(**counts)
    with pytest.raises(ValueError):
        RateCounts.from_counts(**{**counts, **change})
