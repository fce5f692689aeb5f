"""Which places have no dispatcher: the district's 兜底 (fallback) queue. No Django here.

Region keys are integers and a region's subtree is one half-open range (``fuhe.org.core.divisions``), so "the
cases nobody dispatches" is interval arithmetic: the named places a reader oversees (the streets and townships
of their scope, and the districts or cities themselves, as the single key a case placed on them carries), minus
the ranges an active street dispatcher covers. What is left is a list of ranges, each named after its place, so
that a case in it can be marked "no dispatcher for 某某镇" and a queue can be filtered or sorted on it in one
query.

A street partly covered (a dispatcher assigned to one of its villages only) leaves its other villages uncovered:
those ranges keep the street's name.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    """A named region's range ``[low, high)``: a street's subtree, or the single key of a district or city."""

    low: int
    high: int
    name: str


@dataclass(frozen=True, slots=True)
class Gap:
    """Part of a place that no dispatcher covers."""

    low: int
    high: int
    place: str

    def holds(self, key: int | None) -> bool:
        return key is not None and self.low <= key < self.high


def merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ranges covering the same keys (touching ranges joined)."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(r for r in ranges if r[0] < r[1]):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return merged


def subtract(low: int, high: int, covered: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``[low, high)`` outside ``covered`` (sorted, merged ranges, as ``merge`` returns)."""
    parts: list[tuple[int, int]] = []
    start = low
    # the first covered range that may overlap: the last one starting at or before ``low``
    index = max(bisect_right(covered, (low, float("inf"))) - 1, 0)
    for cover_low, cover_high in covered[index:]:
        if cover_low >= high:
            break
        if cover_high <= start:
            continue
        if cover_low > start:
            parts.append((start, cover_low))
        start = max(start, cover_high)
        if start >= high:
            break
    if start < high:
        parts.append((start, high))
    return parts


def uncovered(places: Iterable[Place], covered: Iterable[tuple[int, int]]) -> list[Gap]:
    """The gaps of ``places`` that no range of ``covered`` reaches, in key order, each named after its place."""
    cover = merge(covered)
    gaps = [Gap(low, high, place.name) for place in places for low, high in subtract(place.low, place.high, cover)]
    return sorted(gaps, key=lambda gap: (gap.low, gap.high))


def place_of(key: int | None, gaps: Sequence[Gap]) -> str:
    """The name of the uncovered place holding ``key``, or ``""`` when a dispatcher covers it."""
    if key is None:
        return ""
    index = bisect_right([gap.low for gap in gaps], key) - 1
    return gaps[index].place if index >= 0 and gaps[index].holds(key) else ""
