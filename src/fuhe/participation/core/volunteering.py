"""Volunteer service without Django: the service request's states, matching volunteers to a request, a service
record's corrections and the points a record earns (docs/participation.md).

The request's states (one writer: ``services/volunteering.py``):

| state | action | next | who |
|---|---|---|---|
| open | take | taken | a volunteer certified for the field (or anyone for a general task) |
| open | cancel | cancelled | the owner |
| taken | release | open | the volunteer who took it, or the owner |
| taken | record | recorded | the volunteer who took it: who, what, when, where, hours |
| recorded | sign | signed | the owner: the record is confirmed and its points credited |

Matching (``rank_volunteers``): only volunteers whose certification covers the request's field and level are
candidates; they are ordered by distance (same community, then same street, then same district, then further),
then by load (requests taken and not yet recorded, fewer first), then by certification level (higher first), then
by name. A volunteer with ``MAX_OPEN_TASKS`` open tasks is not proposed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

OPEN, TAKEN, RECORDED, SIGNED, CANCELLED = "open", "taken", "recorded", "signed", "cancelled"
TRANSITIONS: dict[tuple[str, str], str] = {
    (OPEN, "take"): TAKEN,
    (OPEN, "cancel"): CANCELLED,
    (TAKEN, "release"): OPEN,
    (TAKEN, "record"): RECORDED,
    (RECORDED, "sign"): SIGNED,
}
MAX_OPEN_TASKS = 3
MAX_HOURS = Decimal("24")
CORRECTABLE = ("content", "place", "started_at", "hours")


def next_state(state: str, action: str) -> str | None:
    """The state after ``action``, or None when the table does not allow it."""
    return TRANSITIONS.get((state, action))


# region keys: 15 digits, province 2, city 4, district 6, street 9, community 12 (org/core/divisions.py)
_PREFIXES = ((12, 0), (9, 1), (6, 2))


def region_distance(a: int, b: int) -> int:
    """0 same community (or grid within it), 1 same street, 2 same district, 3 further."""
    left, right = str(a).zfill(15), str(b).zfill(15)
    for digits, distance in _PREFIXES:
        if left[:digits] == right[:digits] and left[digits - 3 : digits] != "000":
            return distance
    return 3


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str
    region_ids: tuple[int, ...]
    level: int  # highest valid certification level in the field (0: none needed, a general task)
    open_tasks: int


@dataclass(frozen=True)
class Ranked:
    person_id: int
    name: str
    distance: int
    open_tasks: int
    level: int


def rank_volunteers(region_id: int, candidates: list[Candidate], *, limit: int = 10) -> list[Ranked]:
    """The candidates (already certified for the request) ordered by the rule in the module docstring."""
    ranked = [
        Ranked(
            person_id=c.person_id,
            name=c.name,
            distance=min((region_distance(region_id, r) for r in c.region_ids), default=3),
            open_tasks=c.open_tasks,
            level=c.level,
        )
        for c in candidates
        if c.open_tasks < MAX_OPEN_TASKS
    ]
    ranked.sort(key=lambda r: (r.distance, r.open_tasks, -r.level, r.name, r.person_id))
    return ranked[:limit]


def record_points(hours: Decimal, points_per_hour: int) -> int:
    """Points for ``hours`` of service: hours × rate, rounded half up, at least 1."""
    value = (Decimal(hours) * points_per_hour).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(int(value), 1)


def check_hours(hours: Decimal) -> str | None:
    if hours <= 0 or hours > MAX_HOURS:
        return "服务时长须大于0且不超过24小时。 / Hours must be more than 0 and at most 24."
    if hours * 2 != int(hours * 2):
        return "服务时长以半小时为单位。 / Hours are counted in half hours."
    return None


def overlaps(start: datetime, hours: Decimal, other_start: datetime, other_hours: Decimal) -> bool:
    """Do two services (start, length) overlap in time?"""
    end = start + timedelta(hours=float(hours))
    other_end = other_start + timedelta(hours=float(other_hours))
    return start < other_end and other_start < end


def apply_corrections(original: dict, corrections: list[tuple[str, object]]) -> dict:
    """The record as it stands: the original values with each correction ``(field, new value)`` applied in order
    (the original and the corrections are kept; nothing is overwritten)."""
    current = dict(original)
    for field, value in corrections:
        if field in CORRECTABLE:
            current[field] = value
    return current
