"""Scoring and awarding of a call (公益创投评审), framework-free.

The rule (docs/funding.md):

1. A member's score of an application on a criterion is a whole number 0–100; the member's *current* score is the
   latest entry (a correction is a new entry, never an edit).
2. A member's total for an application is Σ score × weight / 100 over the criteria (weights sum to 100), so it is
   again on 0–100.
3. An application is *ranked* only when every panel member who may score it (not from the applicant's unit) has
   scored every criterion, and at least one member may score it. Others are listed as "scoring incomplete".
4. The application's total is the mean of its members' totals (exact fractions, no rounding before comparing).
5. Ranking: higher total first; ties broken by the earlier submission, then by the lower id (deterministic).
6. Award: walk the ranking; an application is awarded its requested amount in full if it fits in what is left of
   the budget, otherwise it is passed over ("over budget") and the walk goes on (a smaller one further down may
   still fit). Applications below ``minimum_total`` are not awarded. Nothing is awarded in part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

MAX_SCORE = 100
WEIGHT_TOTAL = 100


class RankingError(ValueError):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True)
class Criterion:
    id: int
    weight: int


@dataclass(frozen=True)
class Candidate:
    id: int
    requested_fen: int
    submitted_at: datetime
    eligible_members: frozenset[int]  # the panel members who may score it (conflicts removed)


@dataclass(frozen=True)
class ScoreEntry:
    application_id: int
    criterion_id: int
    member_id: int
    score: int
    sequence: int  # later entries supersede earlier ones for the same (application, criterion, member)


@dataclass(frozen=True)
class Ranked:
    application_id: int
    total: Fraction | None  # None: scoring incomplete
    rank: int | None
    awarded_fen: int
    outcome: str  # "awarded" | "over_budget" | "below_minimum" | "incomplete"
    member_totals: Mapping[int, Fraction] = field(default_factory=dict)


def check_weights(weights: Iterable[int]) -> None:
    weights = list(weights)
    if not weights:
        raise RankingError("criteria", "empty")
    if any(isinstance(w, bool) or not isinstance(w, int) or w <= 0 for w in weights):
        raise RankingError("criteria", "weight")
    if sum(weights) != WEIGHT_TOTAL:
        raise RankingError("criteria", "sum")


def current_scores(entries: Iterable[ScoreEntry]) -> dict[tuple[int, int, int], int]:
    """(application, criterion, member) → the latest score."""
    latest: dict[tuple[int, int, int], ScoreEntry] = {}
    for entry in entries:
        key = (entry.application_id, entry.criterion_id, entry.member_id)
        if key not in latest or entry.sequence > latest[key].sequence:
            latest[key] = entry
    return {key: entry.score for key, entry in latest.items()}


def member_totals(
    candidate: Candidate, criteria: Sequence[Criterion], scores: Mapping[tuple[int, int, int], int]
) -> dict[int, Fraction] | None:
    """Each eligible member's weighted total, or None while any of them has not scored every criterion."""
    if not candidate.eligible_members or not criteria:
        return None
    totals: dict[int, Fraction] = {}
    for member in sorted(candidate.eligible_members):
        total = Fraction(0)
        for criterion in criteria:
            score = scores.get((candidate.id, criterion.id, member))
            if score is None:
                return None
            total += Fraction(score * criterion.weight, WEIGHT_TOTAL)
        totals[member] = total
    return totals


def rank_and_award(
    *,
    budget_fen: int,
    criteria: Sequence[Criterion],
    candidates: Sequence[Candidate],
    entries: Iterable[ScoreEntry],
    minimum_total: int = 0,
) -> list[Ranked]:
    """The ranking with each application's outcome, best first, incomplete ones last (by submission)."""
    if budget_fen < 0:
        raise RankingError("budget", "negative")
    check_weights([c.weight for c in criteria])
    scores = current_scores(entries)
    complete: list[tuple[Candidate, Fraction, dict[int, Fraction]]] = []
    incomplete: list[Candidate] = []
    for candidate in candidates:
        if candidate.requested_fen < 0:
            raise RankingError("requested_amount", "negative")
        totals = member_totals(candidate, criteria, scores)
        if totals is None:
            incomplete.append(candidate)
        else:
            complete.append((candidate, sum(totals.values(), Fraction(0)) / len(totals), totals))
    complete.sort(key=lambda row: (-row[1], row[0].submitted_at, row[0].id))
    left = budget_fen
    result: list[Ranked] = []
    for rank, (candidate, total, totals) in enumerate(complete, start=1):
        if total < minimum_total:
            outcome, amount = "below_minimum", 0
        elif candidate.requested_fen <= left:
            outcome, amount = "awarded", candidate.requested_fen
            left -= amount
        else:
            outcome, amount = "over_budget", 0
        result.append(Ranked(candidate.id, total, rank, amount, outcome, totals))
    for candidate in sorted(incomplete, key=lambda c: (c.submitted_at, c.id)):
        result.append(Ranked(candidate.id, None, None, 0, "incomplete"))
    return result
