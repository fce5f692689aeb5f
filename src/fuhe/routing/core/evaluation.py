"""What a dispatcher decides, measured: the owning unit of a message, its confidence and when to dispatch alone
(no Django).

* ``owners_ranked`` turns the item probabilities of the classifier into owner probabilities: the chance that a
  unit is the right one is the sum of the chances of the items it owns (two items of the same department are
  not a doubt about where the case goes).
* ``unit_report``: top-1 and top-3 accuracy over owners, per-owner precision and recall, the confusion table.
* ``reliability`` and ``expected_calibration_error``: does a confidence of 0.8 come true eight times in ten?
* ``threshold_for_precision``: the lowest confidence above which the precision's one-sided 95 % lower confidence
  bound (Clopper–Pearson) still reaches the goal (0.95 by default), so the goal holds on unseen cases and not only
  on the ones the threshold was chosen on — the auto-dispatch threshold is taken from this measurement, never
  guessed.
* ``PlattScaling``: a one-feature logistic map from raw owner confidence to a calibrated probability, fitted on
  held-out decisions.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import betaincinv, expit

PRECISION_GOAL = 0.95
MIN_AUTO_CASES = 20  # fewer held-out cases above a threshold than this measure nothing
BOUND_LEVEL = 0.95  # the one-sided confidence level of the precision's lower bound


def owners_ranked(scores: Mapping[str, float], owners: Mapping[str, str]) -> list[tuple[str, float]]:
    """Owner keys with the summed scores of their items, best first (ties by name). Items with no owner count
    under the empty key, which is what a dispatcher would call "nobody leads"."""
    summed: dict[str, float] = defaultdict(float)
    for code, score in scores.items():
        summed[owners.get(code, "")] += score
    return sorted(summed.items(), key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True)
class OwnerMetrics:
    owner: str
    precision: float
    recall: float
    support: int
    predicted: int


@dataclass(frozen=True)
class UnitReport:
    cases: int
    top1: float
    top3: float
    per_owner: tuple[OwnerMetrics, ...]
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)  # (expected, predicted) → count

    def confusions(self, limit: int = 15) -> list[tuple[str, str, int]]:
        """The most frequent mistakes, (expected, predicted, count)."""
        wrong = [(a, b, n) for (a, b), n in self.confusion.items() if a != b]
        return sorted(wrong, key=lambda row: (-row[2], row[0], row[1]))[:limit]


def unit_report(expected: Sequence[str], ranked: Sequence[Sequence[str]]) -> UnitReport:
    """``ranked[i]``: the owners recommended for case ``i``, best first."""
    if len(expected) != len(ranked):
        raise ValueError(f"{len(expected)} expected owners but {len(ranked)} rankings")
    if not expected:
        raise ValueError("nothing to evaluate")
    top = [owners[0] if owners else "" for owners in ranked]
    top1 = sum(a == b for a, b in zip(expected, top, strict=True)) / len(expected)
    top3 = sum(a in list(owners)[:3] for a, owners in zip(expected, ranked, strict=True)) / len(expected)
    confusion = Counter(zip(expected, top, strict=True))
    support, predicted = Counter(expected), Counter(top)
    per_owner = []
    for owner in sorted(set(support) | set(predicted)):
        hits = confusion[(owner, owner)]
        per_owner.append(
            OwnerMetrics(
                owner,
                hits / predicted[owner] if predicted[owner] else 0.0,
                hits / support[owner] if support[owner] else 0.0,
                support[owner],
                predicted[owner],
            )
        )
    return UnitReport(len(expected), top1, top3, tuple(per_owner), dict(confusion))


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


def reliability(confidences: Sequence[float], correct: Sequence[bool], *, bins: int = 10) -> list[Bin]:
    """Equal-width confidence bins (the last one closed): how many cases, their mean confidence, how many right."""
    if len(confidences) != len(correct):
        raise ValueError(f"{len(confidences)} confidences but {len(correct)} outcomes")
    found = []
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        inside = [
            (c, ok)
            for c, ok in zip(confidences, correct, strict=True)
            if low <= c < high or (index == bins - 1 and c == high)
        ]
        if inside:
            found.append(
                Bin(
                    low,
                    high,
                    len(inside),
                    sum(c for c, _ in inside) / len(inside),
                    sum(ok for _, ok in inside) / len(inside),
                )
            )
        else:
            found.append(Bin(low, high, 0, 0.0, 0.0))
    return found


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], *, bins: int = 10) -> float:
    """Σ over bins of (share of cases) × |accuracy − mean confidence|."""
    total = len(confidences)
    if not total:
        raise ValueError("nothing to evaluate")
    return sum(
        b.count / total * abs(b.accuracy - b.mean_confidence) for b in reliability(confidences, correct, bins=bins)
    )


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    precision: float  # of the cases at or above the threshold
    share: float  # of all cases, the share at or above it
    cases: int  # how many cases are at or above it
    measured_on: int  # how many cases were measured
    goal: float
    lower_bound: float = 0.0  # one-sided lower confidence bound of the precision (Clopper–Pearson)
    level: float = BOUND_LEVEL  # its confidence level

    def as_json(self) -> dict:
        return {
            # rounded up, never down: a threshold stored lower than measured would take cases it was not measured on
            "threshold": math.ceil(self.threshold * 10_000) / 10_000,
            "precision": round(self.precision, 4),
            "lower_bound": round(self.lower_bound, 4),
            "level": self.level,
            "rule": "clopper-pearson",
            "share": round(self.share, 4),
            "cases": self.cases,
            "measured_on": self.measured_on,
            "goal": self.goal,
        }


def precision_lower_bound(right: int, cases: int, *, level: float = BOUND_LEVEL) -> float:
    """The one-sided Clopper–Pearson lower confidence bound of a proportion: the true precision is at least this
    with probability ``level``, whatever it is (exact, never optimistic). ``right`` of ``cases`` were right."""
    if not 0 <= right <= cases:
        raise ValueError(f"{right} right of {cases} cases")
    if right == 0:
        return 0.0
    return float(betaincinv(right, cases - right + 1, 1 - level))


def threshold_for_precision(
    confidences: Sequence[float],
    correct: Sequence[bool],
    *,
    goal: float = PRECISION_GOAL,
    minimum: int = MIN_AUTO_CASES,
    level: float = BOUND_LEVEL,
) -> ThresholdChoice | None:
    """The lowest confidence ``t`` such that, among the cases with confidence ≥ ``t``, the one-sided ``level``
    lower confidence bound of the share of right ones (Clopper–Pearson, ``precision_lower_bound``) still reaches
    ``goal``, with at least ``minimum`` cases at or above it. ``None`` when no threshold qualifies (then nobody is
    dispatched automatically).

    Why a bound and not the measured share: a threshold chosen where the measured precision just touches the goal
    is chosen on the luck of that sample, and on new cases it falls short about half the time (the 176 held-out
    messages: 0.947 cross-fitted). The bound asks for evidence in proportion to the sample: with no mistake at
    all 59 cases are needed (0.05^(1/59) ≥ 0.95), with one mistake about 93, with two about 124. Fewer held-out
    cases therefore mean a higher threshold or none — never a guess. Cases of equal confidence are taken or left
    together."""
    if len(confidences) != len(correct):
        raise ValueError(f"{len(confidences)} confidences but {len(correct)} outcomes")
    order = sorted(zip(confidences, correct, strict=True), key=lambda pair: -pair[0])
    best: ThresholdChoice | None = None
    right = 0
    for position, (confidence, ok) in enumerate(order, start=1):
        right += bool(ok)
        if position < len(order) and order[position][0] == confidence:
            continue  # a threshold takes every case of the same confidence
        if position < minimum or right / position < goal:
            continue  # the bound is below the measured share: no need to compute it
        bound = precision_lower_bound(right, position, level=level)
        if bound >= goal:
            best = ThresholdChoice(
                confidence, right / position, position / len(order), position, len(order), goal, bound, level
            )
    return best


@dataclass
class PlattScaling:
    """``p = 1 / (1 + exp(a·x + b))`` fitted by Newton's method on (raw confidence, right or not) pairs — Platt's
    method with his prior-corrected targets, so a perfect separation does not run to infinity, and, as in his
    pseudo-code, a backtracking line search: a full Newton step is only taken when it lowers the loss. Without it
    the fit diverged when the mistakes sat at one raw confidence (copies of one disputed message): the slope ran
    to −39,000 and every calibrated confidence saturated at 0 or 1, their order lost."""

    a: float = -1.0
    b: float = 0.0
    fitted: bool = False

    def fit(self, confidences: Sequence[float], correct: Sequence[bool], *, iterations: int = 100) -> PlattScaling:
        x = np.asarray(confidences, dtype=float)
        y = np.asarray(correct, dtype=bool)
        positives, negatives = int(y.sum()), int((~y).sum())
        if not positives or not negatives:
            return self  # nothing to learn from: the identity stays
        high, low = (positives + 1) / (positives + 2), 1 / (negatives + 2)
        target = np.where(y, high, low)

        def loss(a: float, b: float) -> float:  # the cross-entropy, computed without overflow
            z = a * x + b
            return float(np.sum(target * np.logaddexp(0, z) + (1 - target) * np.logaddexp(0, -z)))

        a, b = 0.0, math.log((negatives + 1) / (positives + 1))
        current = loss(a, b)
        for _ in range(iterations):
            p = expit(-(a * x + b))
            gradient_a, gradient_b = float(np.sum((target - p) * x)), float(np.sum(target - p))
            weight = p * (1 - p) + 1e-12
            h_aa, h_ab, h_bb = float(np.sum(weight * x * x)), float(np.sum(weight * x)), float(np.sum(weight))
            determinant = h_aa * h_bb - h_ab * h_ab
            if abs(determinant) < 1e-12:
                break
            step_a = (h_bb * gradient_a - h_ab * gradient_b) / determinant
            step_b = (h_aa * gradient_b - h_ab * gradient_a) / determinant
            scale = 1.0
            while scale >= 1e-10:  # halve the step until the loss falls
                trial = loss(a - scale * step_a, b - scale * step_b)
                if trial < current + 1e-4 * scale * (gradient_a * -step_a + gradient_b * -step_b):
                    break
                scale /= 2
            else:
                break  # no step lowers the loss: at the minimum (to rounding)
            a, b, current = a - scale * step_a, b - scale * step_b, trial
            if abs(scale * step_a) < 1e-9 and abs(scale * step_b) < 1e-9:
                break
        self.a, self.b, self.fitted = a, b, True
        return self

    def __call__(self, confidence: float) -> float:
        if not self.fitted:
            return confidence
        return 1 / (1 + math.exp(max(-30.0, min(30.0, self.a * confidence + self.b))))

    def as_json(self) -> dict:
        return {"a": round(self.a, 6), "b": round(self.b, 6)} if self.fitted else {}

    @classmethod
    def from_json(cls, data: Mapping | None) -> PlattScaling:
        if not data or "a" not in data:
            return cls()
        return cls(float(data["a"]), float(data["b"]), True)


def stable_halves(
    keys: Sequence[str], strata: Sequence[str], *, halves: tuple[str, str] = ("dev", "test")
) -> list[str]:
    """Split labelled rows into two halves by a stable hash, stratified: within each stratum (an owner) the rows are
    ordered by the SHA-256 of their key (the message text, never a row id or a position in a file) and dealt
    alternately to the two halves, the stratum's own hash deciding which half gets the odd row. A stratum with two
    rows or more has rows in both halves; adding a row to one stratum moves rows of that stratum only."""
    if len(keys) != len(strata):
        raise ValueError("keys and strata differ in length")
    digest = {key: hashlib.sha256(key.encode()).hexdigest() for key in keys}
    by_stratum: dict[str, list[int]] = defaultdict(list)
    for index, stratum in enumerate(strata):
        by_stratum[stratum].append(index)
    assigned = [""] * len(keys)
    for stratum, indices in by_stratum.items():
        start = int(hashlib.sha256(stratum.encode()).hexdigest(), 16) % 2
        for position, index in enumerate(sorted(indices, key=lambda i: (digest[keys[i]], i))):
            assigned[index] = halves[(start + position) % 2]
    return assigned


CROSS_FIT_FOLDS = 5  # out-of-fold predictions over the whole dispatch history


@dataclass(frozen=True)
class OutOfFold:
    """What the out-of-fold predictions of the dispatch history say about the confidence of the model trained on
    all of it: the Platt scaling it is deployed with (fitted on every out-of-fold prediction), the calibration
    check (reliability and ECE of confidences calibrated by a Platt scaling fitted on the *other* folds, so no
    prediction is calibrated by a map that saw it) and the auto-dispatch threshold chosen over every decision."""

    calibration: PlattScaling
    calibrated: tuple[float, ...]  # per decision, cross-fitted: the figures of the reliability diagram
    correct: tuple[bool, ...]
    ece_raw: float
    ece_calibrated: float
    choice: ThresholdChoice | None

    @property
    def accuracy(self) -> float:
        return sum(self.correct) / len(self.correct)

    def as_json(self) -> dict:
        bins = [
            {
                "low": b.low,
                "high": b.high,
                "cases": b.count,
                "confidence": round(b.mean_confidence, 4),
                "accuracy": round(b.accuracy, 4),
            }
            for b in reliability(self.calibrated, self.correct)
            if b.count
        ]
        return {
            "method": "out-of-fold",
            "decisions": len(self.correct),
            "ece_raw": round(self.ece_raw, 4),
            "ece_calibrated": round(self.ece_calibrated, 4),
            "reliability": bins,
        }


def out_of_fold_measure(
    raw: Sequence[float], correct: Sequence[bool], fold_of: Sequence[int], *, goal: float = PRECISION_GOAL
) -> OutOfFold:
    """Calibration and threshold from out-of-fold predictions: ``raw[i]`` is decision ``i``'s unit confidence by a
    model that did not learn fold ``fold_of[i]``, ``correct[i]`` whether its unit was the dispatcher's.

    Every decision counts toward the Clopper–Pearson bound of ``threshold_for_precision`` (rather than a fifth of
    them), so a history of a few hundred decisions can open the gate that a 20 % hold-out keeps shut. The threshold
    is chosen on the confidences as deployed (Platt fitted on all out-of-fold predictions); Platt is increasing, so
    which decisions lie above a threshold does not depend on the map, only the threshold's value does. The
    reliability diagram and the ECE use a Platt scaling fitted without the fold at hand."""
    if not len(raw) == len(correct) == len(fold_of):
        raise ValueError("raw, correct and fold_of differ in length")
    if not raw:
        raise ValueError("nothing to measure")
    calibration = PlattScaling().fit(raw, correct)
    calibrated = [0.0] * len(raw)
    for fold in sorted(set(fold_of)):
        others = [i for i in range(len(raw)) if fold_of[i] != fold]
        platt = PlattScaling().fit([raw[i] for i in others], [correct[i] for i in others]) if others else calibration
        for i in range(len(raw)):
            if fold_of[i] == fold:
                calibrated[i] = platt(raw[i])
    choice = threshold_for_precision([calibration(value) for value in raw], correct, goal=goal)
    return OutOfFold(
        calibration,
        tuple(calibrated),
        tuple(bool(ok) for ok in correct),
        expected_calibration_error(raw, correct),
        expected_calibration_error(calibrated, correct),
        choice,
    )
