"""Fill once (一表通): which value prefills a form field, and which value the catalogue keeps. No Django.

A catalogue item may be known from several places: the platform's own data (cases, the org tree), earlier
form submissions, a manual entry. A value is *valid* at a moment when it is not older than the item's
validity period. The prefill is the freshest valid value; an incoming value never replaces a fresher one
(``keep_fresher``), so a late or back-dated submission cannot overwrite newer data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Known:
    value: str
    as_of: datetime
    source: str  # "platform", "org", "submission", "manual"

    def is_valid(self, at: datetime, validity_days: int | None) -> bool:
        if self.as_of > at:
            return False
        return validity_days is None or at - self.as_of <= timedelta(days=validity_days)


def keep_fresher(current: Known | None, incoming: Known | None) -> Known | None:
    """The value the catalogue keeps: the incoming one only if it is at least as fresh as the current."""
    if current is None:
        return incoming
    if incoming is None:
        return current
    return incoming if incoming.as_of >= current.as_of else current


#: sources a unit's own answer outranks: what the platform reads off the org tree (a census population, the
#: grid count) is dated "now" each time it is read, yet a unit that corrected it knows better
OUTRANKED_SOURCES = frozenset({"org"})


def freshest_valid(candidates: Iterable[Known], at: datetime, validity_days: int | None) -> Known | None:
    """The value that prefills: the freshest valid one, except that a valid answer of the unit (a submission, a
    manual entry) beats a value read off the org tree however fresh."""
    best: Known | None = None
    for known in candidates:
        if not known.is_valid(at, validity_days):
            continue
        if best is not None and (known.source in OUTRANKED_SOURCES) != (best.source in OUTRANKED_SOURCES):
            best = best if known.source in OUTRANKED_SOURCES else known
        else:
            best = keep_fresher(best, known)
    return best


@dataclass(frozen=True)
class FieldPrefill:
    item_code: str
    known: Known | None

    @property
    def is_prefilled(self) -> bool:
        return self.known is not None


def resolve(
    item_codes: Sequence[str],
    candidates: Mapping[str, Sequence[Known]],
    at: datetime,
    validity: Mapping[str, int | None],
) -> list[FieldPrefill]:
    """One result per requested item, in order."""
    return [FieldPrefill(code, freshest_valid(candidates.get(code, ()), at, validity.get(code))) for code in item_codes]


@dataclass(frozen=True)
class PrefillSummary:
    fields: int
    prefilled: int
    minutes_asked: float
    minutes_saved: float

    @property
    def share(self) -> float:
        return self.prefilled / self.fields if self.fields else 0.0


def summarise(
    results: Sequence[FieldPrefill], minutes: Mapping[str, float], default_minutes: float = 2.0
) -> PrefillSummary:
    asked = sum(minutes.get(r.item_code, default_minutes) for r in results if not r.is_prefilled)
    saved = sum(minutes.get(r.item_code, default_minutes) for r in results if r.is_prefilled)
    return PrefillSummary(len(results), sum(r.is_prefilled for r in results), asked, saved)
