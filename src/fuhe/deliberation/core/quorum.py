"""Quorum and adoption rules per kind of deliberative body (no Django).

The rules, one row per kind (docs/deliberation.md; the legal source in brackets):

- 居民议事会 (residents' council): quorum more than half of the members; adopted by more than half of those present.
- 村民代表会议 (villagers' representatives): quorum at least two thirds of the members (村民委员会组织法 第二十六条);
  adopted by more than half of those present.
- 村民会议 (villagers' assembly): quorum more than half of the members (村民委员会组织法 第二十二条); adopted by
  more than half of those present.
- 恳谈会 (informal consultation): no quorum; it gathers views and adopts no resolution (a formal body must).

``assess`` answers whether a meeting may adopt a resolution; ``adoption_check`` whether a tally adopts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BodyKind(StrEnum):
    RESIDENTS_COUNCIL = "residents_council"
    VILLAGER_REPRESENTATIVES = "villager_representatives"
    VILLAGER_ASSEMBLY = "villager_assembly"
    CONSULTATION = "consultation"


FORMAL_KINDS = frozenset({BodyKind.RESIDENTS_COUNCIL, BodyKind.VILLAGER_REPRESENTATIVES, BodyKind.VILLAGER_ASSEMBLY})

#: the share of members that must be present: (numerator, denominator, strictly more than?)
QUORUM_RULES: dict[BodyKind, tuple[int, int, bool]] = {
    BodyKind.RESIDENTS_COUNCIL: (1, 2, True),
    BodyKind.VILLAGER_REPRESENTATIVES: (2, 3, False),
    BodyKind.VILLAGER_ASSEMBLY: (1, 2, True),
}


@dataclass(frozen=True)
class Quorum:
    kind: BodyKind
    members: int
    present: int  # members present (guests never count)
    required: int  # the smallest number of members present that makes the quorum (0: no quorum rule)
    is_formal: bool

    @property
    def is_met(self) -> bool:
        return self.is_formal and self.members > 0 and self.present >= self.required


def required_present(kind: BodyKind, members: int) -> int:
    """The smallest count of members present that satisfies the kind's rule (0 for an informal meeting)."""
    if kind not in QUORUM_RULES:
        return 0
    numerator, denominator, strictly = QUORUM_RULES[kind]
    # present / members > n/d  ⇔ present * d > n * members; present / members ≥ n/d ⇔ present * d ≥ n * members
    limit = numerator * members
    if strictly:
        return limit // denominator + 1
    return -(-limit // denominator)


def assess(kind: BodyKind | str, *, members: int, present: int) -> Quorum:
    kind = BodyKind(kind)
    if members < 0 or present < 0 or present > members:
        raise ValueError("present members must lie between 0 and the membership")
    return Quorum(kind, members, present, required_present(kind, members), kind in FORMAL_KINDS)


@dataclass(frozen=True)
class Tally:
    in_favour: int
    against: int
    abstaining: int

    @property
    def total(self) -> int:
        return self.in_favour + self.against + self.abstaining


class TallyError(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field
        self.reason = reason


def adoption_check(tally: Tally, *, present: int) -> bool:
    """Whether the tally adopts the resolution: more than half of the members present vote in favour. Raises
    ``TallyError`` when the tally cannot be right (negative counts, more votes than people present)."""
    for field, value in (("in_favour", tally.in_favour), ("against", tally.against), ("abstaining", tally.abstaining)):
        if value < 0:
            raise TallyError(field, "negative")
    if tally.total > present:
        raise TallyError("in_favour", "more_votes_than_present")
    return tally.in_favour * 2 > present
