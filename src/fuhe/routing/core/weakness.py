"""Why a routing recommendation is weak: the plain reasons shown beside a confidence below the auto-dispatch
threshold (no Django; the words are chosen and translated by ``routing.services.recommendation_weaknesses``).

=====================================  =====================================================================
reason                                 holds when
=====================================  =====================================================================
``NO_DUTY_LIST``                       no duty list is in force for the case's region (then no other reason)
``GAP``                                the list names no lead for the recommended matter (a gap in the list):
                                       the district government takes it, never automatically — given even
                                       above the threshold
``NO_KEYWORD``                         no keyword of the duty list occurs in the case's title or text
``TIE``                                the runner-up *unit*'s confidence is within ``TIE_MARGIN`` of the top's
``SHORT_TEXT``                         the case's text has fewer than ``SHORT_TEXT`` letters and digits
``LOW_CONFIDENCE``                     none of the above: the wording alone leaves the model unsure
=====================================  =====================================================================

Reasons are given only when the recommendation is weak: its confidence is below the threshold (or below
``WEAK_CONFIDENCE`` when auto-dispatch is off), or there is no recommendation at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

TIE_MARGIN = 0.05  # two items whose confidences differ by less than this tie
SHORT_TEXT = 10  # fewer letters and digits than this say too little to route by
WEAK_CONFIDENCE = 0.85  # the bar when auto-dispatch is off (the default threshold of FUHE_AUTO_DISPATCH_CONFIDENCE)


class Weakness(StrEnum):
    NO_DUTY_LIST = "no_duty_list"
    GAP = "gap"
    NO_KEYWORD = "no_keyword"
    TIE = "tie"
    SHORT_TEXT = "short_text"
    LOW_CONFIDENCE = "low_confidence"


@dataclass(frozen=True)
class Candidate:
    label: str  # what a dispatcher reads: the item's code and matter
    confidence: float


@dataclass(frozen=True)
class Evidence:
    has_duty_list: bool
    candidates: tuple[Candidate, ...] = ()  # best first: the top, then the best item of each other unit
    keyword_found: bool = False
    text: str = ""
    is_gap: bool = False  # the top item has no lead in the list


@dataclass(frozen=True)
class Reason:
    kind: Weakness
    names: tuple[str, ...] = ()  # the two tied items


def letters(text: str) -> int:
    """How many letters and digits (any script) ``text`` holds: spaces and punctuation say nothing."""
    return sum(1 for character in text if character.isalnum())


def is_weak(confidence: float | None, threshold: float | None) -> bool:
    bar = WEAK_CONFIDENCE if threshold is None else threshold
    return confidence is None or confidence < bar


def weak_reasons(evidence: Evidence, *, threshold: float | None) -> list[Reason]:
    """The reasons a recommendation is weak, in the table's order; empty when it is not weak."""
    if not evidence.has_duty_list or not evidence.candidates:
        return [Reason(Weakness.NO_DUTY_LIST)]
    top = evidence.candidates[0]
    gap = [Reason(Weakness.GAP)] if evidence.is_gap else []
    if not is_weak(top.confidence, threshold):
        return gap
    reasons: list[Reason] = [*gap]
    if not evidence.keyword_found:
        reasons.append(Reason(Weakness.NO_KEYWORD))
    if len(evidence.candidates) > 1 and top.confidence - evidence.candidates[1].confidence < TIE_MARGIN:
        reasons.append(Reason(Weakness.TIE, (top.label, evidence.candidates[1].label)))
    if letters(evidence.text) < SHORT_TEXT:
        reasons.append(Reason(Weakness.SHORT_TEXT))
    return reasons if len(reasons) > len(gap) else [*reasons, Reason(Weakness.LOW_CONFIDENCE)]
