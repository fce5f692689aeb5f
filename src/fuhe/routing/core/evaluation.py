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

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import betaincinv

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
            "threshold": round(self.threshold, 4),
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
    method with his prior-corrected targets, so a perfect separation does not run to infinity."""

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
        a, b = 0.0, math.log((negatives + 1) / (positives + 1))
        for _ in range(iterations):
            p = 1 / (1 + np.exp(np.clip(a * x + b, -30, 30)))
            gradient_a, gradient_b = float(np.sum((target - p) * x)), float(np.sum(target - p))
            weight = p * (1 - p) + 1e-12
            h_aa, h_ab, h_bb = float(np.sum(weight * x * x)), float(np.sum(weight * x)), float(np.sum(weight))
            determinant = h_aa * h_bb - h_ab * h_ab
            if abs(determinant) < 1e-12:
                break
            step_a = (h_bb * gradient_a - h_ab * gradient_b) / determinant
            step_b = (h_aa * gradient_b - h_ab * gradient_a) / determinant
            a, b = a - step_a, b - step_b
            if abs(step_a) < 1e-9 and abs(step_b) < 1e-9:
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
