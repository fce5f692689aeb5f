"""The order of the dispatch picker's units (no Django): the recommended units first, in the recommendation's
order, then the units of the case's own street (its office and committees), then the district's functional
departments, then every other unit; within a tier by kind, then by name.

A unit matches a query when its name holds every one of the query's words (spaces separate words).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

RECOMMENDED, OWN_STREET, DEPARTMENT, OTHER = range(4)
DEPARTMENT_KIND = "department"


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    kind: str
    region_id: int


def query_words(query: str) -> list[str]:
    return [word for word in query.split() if word][:5]


def matches(name: str, words: Sequence[str]) -> bool:
    folded = name.casefold()
    return all(word.casefold() in folded for word in words)


def tier(unit: UnitRow, *, recommended: Sequence[int], street: tuple[int, int] | None) -> int:
    if unit.id in recommended:
        return RECOMMENDED
    if street is not None and street[0] <= unit.region_id < street[1]:
        return OWN_STREET
    if unit.kind == DEPARTMENT_KIND:
        return DEPARTMENT
    return OTHER


def rank_units(
    units: Sequence[UnitRow],
    *,
    recommended: Sequence[int] = (),
    street: tuple[int, int] | None = None,
    kinds: Sequence[str] = (),
) -> list[tuple[int, UnitRow]]:
    """``units`` as (tier, unit), best first. ``kinds``: the kinds in the order they are listed (others after)."""
    kind_order = {kind: index for index, kind in enumerate(kinds)}

    def key(unit: UnitRow) -> tuple:
        level = tier(unit, recommended=recommended, street=street)
        position = recommended.index(unit.id) if level == RECOMMENDED else 0
        return (level, position, kind_order.get(unit.kind, len(kind_order)), unit.name, unit.id)

    return [(tier(unit, recommended=recommended, street=street), unit) for unit in sorted(units, key=key)]
