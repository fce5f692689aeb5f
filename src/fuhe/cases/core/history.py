"""What a case's own timeline says its state and rating are, to compare with the case row (no Django).

Every change of a case goes through ``case_transition``, which writes the event with the state it leads to, and a
rating writes a ``rate`` event with the resident's answers, which stand until the next one. So the row must equal the
replay of its events: a row edited behind the platform's back (a state set to closed, a rating turned to satisfied)
no longer does, and ``fuhe verify_cases`` names it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby


@dataclass(frozen=True, slots=True)
class EventRow:
    case_id: int
    action: str
    to_state: str
    data: dict


@dataclass(frozen=True, slots=True)
class CaseRow:
    case_id: int
    state: str
    rating_resolved: bool | None
    rating_satisfied: bool | None


@dataclass(frozen=True, slots=True)
class Replayed:
    state: str
    rating_resolved: bool | None
    rating_satisfied: bool | None


@dataclass(frozen=True, slots=True)
class Mismatch:
    case_id: int
    field: str
    stored: object
    from_events: object

    def __str__(self) -> str:
        return f"case {self.case_id}: {self.field} is {self.stored!r}, its events say {self.from_events!r}"


def replay(events: Iterable[EventRow]) -> Replayed:
    """The state and rating a case's events (in order) lead to."""
    state, resolved, satisfied = "", None, None
    for event in events:
        if event.action == "rate":  # a reopen keeps the rating: it stands until the resident rates again
            resolved, satisfied = event.data.get("resolved"), event.data.get("satisfied")
        if event.to_state:
            state = event.to_state
    return Replayed(state, resolved, satisfied)


def mismatches(cases: Iterable[CaseRow], events: Iterable[EventRow]) -> Iterator[Mismatch]:
    """Both streams ordered by case id (events in time order within a case): every field that differs."""
    groups = groupby(events, key=lambda event: event.case_id)
    current = next(groups, None)
    for case in cases:
        while current is not None and current[0] < case.case_id:
            current = next(groups, None)  # events of a case that is gone: not this check's business
        own: list[EventRow] = []
        if current is not None and current[0] == case.case_id:
            own = list(current[1])
            current = next(groups, None)
        replayed = replay(own)
        for field in ("state", "rating_resolved", "rating_satisfied"):
            stored, derived = getattr(case, field), getattr(replayed, field)
            if stored != derived:
                yield Mismatch(case.case_id, field, stored, derived)
