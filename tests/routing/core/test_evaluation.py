"""The owning-unit measures: owner ranking, top-k, per-owner figures, reliability, ECE, the threshold, Platt."""

import math

import pytest

from fuhe.routing.core.evaluation import (
    PlattScaling,
    ThresholdChoice,
    expected_calibration_error,
    out_of_fold_measure,
    owners_ranked,
    precision_lower_bound,
    reliability,
    stable_halves,
    threshold_for_precision,
    unit_report,
)


def test_an_owner_is_as_likely_as_its_items_together():
    scores = {"GA-01": 0.3, "GA-02": 0.25, "SQ-02": 0.45}
    owners = {"GA-01": "department:public_security", "GA-02": "department:public_security", "SQ-02": "community"}
    ranked = owners_ranked(scores, owners)
    assert ranked[0][0] == "department:public_security" and ranked[0][1] == pytest.approx(0.55)
    assert ranked[1] == ("community", 0.45)


def test_unit_report_counts_top_k_precision_recall_and_confusions():
    expected = ["a", "a", "b", "c"]
    ranked = [["a", "b"], ["b", "a", "c"], ["b"], ["a", "b", "c"]]
    report = unit_report(expected, ranked)
    assert report.top1 == 0.5 and report.top3 == 1.0
    per = {m.owner: m for m in report.per_owner}
    assert (per["a"].precision, per["a"].recall) == (0.5, 0.5)  # a predicted twice, right once
    assert (per["b"].precision, per["b"].recall) == (0.5, 1.0)
    assert (per["c"].precision, per["c"].recall, per["c"].support) == (0.0, 0.0, 1)
    assert report.confusions() == [("a", "b", 1), ("c", "a", 1)]


def test_reliability_bins_and_ece():
    confidences = [0.95, 0.95, 0.15, 0.15]
    correct = [True, False, False, False]
    bins = [b for b in reliability(confidences, correct) if b.count]
    assert [(b.count, b.accuracy) for b in bins] == [(2, 0.0), (2, 0.5)]
    assert expected_calibration_error(confidences, correct) == pytest.approx(0.5 * 0.15 + 0.5 * 0.45)
    assert expected_calibration_error([1.0, 0.0], [True, False]) == 0.0  # the last bin holds 1.0


def test_the_threshold_is_the_lowest_whose_precision_bound_keeps_the_goal():
    confidences = [0.99] * 100 + [0.9] * 20 + [0.5] * 10
    correct = [True] * 100 + [True] * 19 + [False] + [False] * 10
    choice = threshold_for_precision(confidences, correct, goal=0.95, minimum=20)
    assert choice.threshold == 0.9 and choice.cases == 120 and choice.precision == pytest.approx(119 / 120)
    assert choice.share == pytest.approx(120 / 130)
    assert choice.lower_bound == pytest.approx(precision_lower_bound(119, 120)) and choice.lower_bound >= 0.95
    assert choice.as_json()["rule"] == "clopper-pearson" and choice.as_json()["level"] == 0.95


def test_a_measured_precision_over_the_goal_is_not_enough_on_a_small_sample():
    # 40 of 40 right: measured precision 1.0, but 95 % sure only of ≥ 0.928 — the gate stays shut
    assert threshold_for_precision([0.9] * 40, [True] * 40, goal=0.95, minimum=20) is None
    # 59 of 59 is the smallest flawless sample that certifies 0.95 (0.05 ** (1 / 59) ≥ 0.95)
    assert threshold_for_precision([0.9] * 58, [True] * 58, minimum=20) is None
    assert threshold_for_precision([0.9] * 59, [True] * 59, minimum=20).threshold == 0.9


def test_the_clopper_pearson_bound():
    assert precision_lower_bound(0, 10) == 0.0
    assert precision_lower_bound(10, 10) == pytest.approx(0.05 ** (1 / 10))  # all right: α^(1/n)
    assert precision_lower_bound(92, 93) == pytest.approx(0.95, abs=1e-3)
    assert precision_lower_bound(57, 60) < 57 / 60 < precision_lower_bound(570, 600) + 0.02
    with pytest.raises(ValueError):
        precision_lower_bound(5, 4)


def test_no_threshold_when_the_goal_is_never_reached_or_too_few_cases():
    assert threshold_for_precision([0.9] * 30, [True, False] * 15) is None
    assert threshold_for_precision([0.9] * 5, [True] * 5, minimum=20) is None
    assert threshold_for_precision([0.9] * 300, [True] * 284 + [False] * 16) is None  # 0.947 measured


def test_a_lucky_stretch_below_a_dip_opens_the_gate_only_as_far_as_the_bound_allows():
    confidences = [0.99] * 20 + [0.8] * 20 + [0.7] * 200
    correct = [True] * 20 + [False] * 20 + [True] * 200  # overall precision 220/240 < 0.95
    assert threshold_for_precision(confidences, correct, goal=0.95, minimum=20) is None
    confidences = [0.99] * 100 + [0.8] * 3 + [0.7] * 100
    correct = [True] * 100 + [False] * 3 + [True] * 100  # the 3 mistakes are drowned by 200 right cases
    choice = threshold_for_precision(confidences, correct, goal=0.95, minimum=20)
    assert choice.threshold == 0.7 and choice.lower_bound >= 0.95 and choice.precision == pytest.approx(200 / 203)


def test_platt_scaling_calibrates_underconfident_scores():
    confidences = [0.3] * 50 + [0.6] * 50
    correct = [i < 15 for i in range(50)] + [i < 48 for i in range(50)]  # 30 % and 96 % right
    raw_ece = expected_calibration_error(confidences, correct)
    platt = PlattScaling().fit(confidences, correct)
    calibrated = [platt(c) for c in confidences]
    assert platt(0.6) > platt(0.3)  # monotonic: the threshold keeps its cases
    assert expected_calibration_error(calibrated, correct) < raw_ece / 3
    assert PlattScaling.from_json(platt.as_json())(0.6) == pytest.approx(platt(0.6))


def test_platt_scaling_without_both_outcomes_is_the_identity():
    platt = PlattScaling().fit([0.2, 0.4], [True, True])
    assert not platt.fitted and platt(0.4) == 0.4 and PlattScaling.from_json({})(0.3) == 0.3
    assert math.isfinite(PlattScaling().fit([0.0, 1.0], [False, True])(1.0))


def test_mistakes_at_one_confidence_do_not_make_the_platt_fit_diverge():
    """Copies of one disputed message share one raw confidence: without the line search the slope ran to
    −39,000 and every calibrated confidence saturated at 0 or 1."""
    raw = [0.3] * 80 + [0.9 + 0.001 * (n % 50) for n in range(360)]
    correct = [n % 2 == 0 for n in range(80)] + [True] * 360
    platt = PlattScaling().fit(raw, correct)
    assert -100 < platt.a < 0
    assert 0.4 < platt(0.3) < 0.6 and 0.97 < platt(0.92) < 1 and platt(0.92) < platt(0.95)


def test_a_threshold_is_stored_rounded_up():
    choice = ThresholdChoice(0.123401, 0.97, 0.5, 100, 200, 0.95, 0.951)
    assert choice.as_json()["threshold"] == 0.1235
    assert ThresholdChoice(1e-13, 1.0, 1.0, 100, 100, 0.95, 0.97).as_json()["threshold"] == 0.0001


def test_out_of_fold_every_decision_counts_and_the_check_is_cross_fitted():
    raw = [0.95] * 70 + [0.5] * 30
    correct = [True] * 70 + [n % 3 == 0 for n in range(30)]
    fold_of = [n % 5 for n in range(100)]
    measured = out_of_fold_measure(raw, correct, fold_of)
    assert measured.choice is not None and measured.choice.cases == 70 and measured.choice.measured_on == 100
    assert measured.choice.precision == 1.0 and measured.choice.lower_bound >= 0.95  # 70 right: 0.05^(1/70)
    assert measured.accuracy == pytest.approx(80 / 100)
    assert measured.ece_calibrated < measured.ece_raw  # the raw 0.95 and 0.5 are both over-confident
    data = measured.as_json()
    assert data["decisions"] == 100 and sum(b["cases"] for b in data["reliability"]) == 100
    # a fold's decisions are calibrated by a map fitted without them: change one fold's outcomes and only
    # the other folds' calibrated figures move
    flipped = [ok if fold_of[n] != 0 or n >= 70 else False for n, ok in enumerate(correct)]
    other = out_of_fold_measure(raw, flipped, fold_of)
    assert other.calibrated[0] == pytest.approx(measured.calibrated[0])  # fold 0: its map never saw fold 0
    assert other.calibrated[1] != pytest.approx(measured.calibrated[1])  # fold 1: its map saw fold 0
    with pytest.raises(ValueError):
        out_of_fold_measure([0.5], [True, False], [0])


def test_fewer_decisions_than_the_bound_needs_give_no_threshold_out_of_fold():
    measured = out_of_fold_measure([0.9] * 50, [True] * 50, [n % 5 for n in range(50)])
    assert measured.choice is None  # 50 right of 50: the lower bound is 0.942


def test_the_blind_halves_are_stable_stratified_and_keyed_by_the_words():
    keys = [f"message {n}" for n in range(40)]
    strata = ["a" if n < 30 else ("b" if n < 37 else "c") for n in range(40)]
    halves = stable_halves(keys, strata)
    for stratum in "abc":
        got = [h for h, s in zip(halves, strata, strict=True) if s == stratum]
        assert abs(got.count("dev") - got.count("test")) <= 1
    # the same rows in another order get the same halves: positions and ids play no part
    order = list(reversed(range(40)))
    again = stable_halves([keys[i] for i in order], [strata[i] for i in order])
    assert [again[order.index(i)] for i in range(40)] == halves
    with pytest.raises(ValueError):
        stable_halves(["x"], [])
