"""Who took part, against the population, with small cells suppressed (no Django).

Participants are counted once each (a person who attended and voted is one participant). Each participant has the
attributes the platform already holds (area, age band and gender from the resident ID number where one is on file,
whether their view was recorded by an assistant); a missing attribute is counted as "unknown", never asked for.
A cell (a value of one attribute) with fewer than ``minimum`` people is suppressed: its count is not shown, and
neither is its share, so a small group cannot be singled out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

UNKNOWN = "unknown"
AGE_BANDS = ((0, 18, "under_18"), (18, 35, "18_34"), (35, 60, "35_59"), (60, 75, "60_74"), (75, 200, "75_plus"))


@dataclass(frozen=True)
class Participant:
    key: int
    area: str
    age_band: str
    gender: str
    is_assisted: bool


@dataclass(frozen=True)
class Cell:
    attribute: str
    value: str
    count: int | None  # None: suppressed (fewer than the minimum)
    share_of_population: float | None

    @property
    def is_suppressed(self) -> bool:
        return self.count is None


def from_id_number(id_number: str, today: date) -> tuple[str, str]:
    """(age band, gender) read from an 18-character resident ID number; unknown when it is absent or malformed."""
    if len(id_number) != 18 or not id_number[:17].isdigit():
        return UNKNOWN, UNKNOWN
    try:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return UNKNOWN, UNKNOWN
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    band = next((name for low, high, name in AGE_BANDS if low <= age < high), UNKNOWN)
    gender = "male" if int(id_number[16]) % 2 else "female"
    return band, gender


def table(participants: list[Participant], *, population: int | None, minimum: int) -> list[Cell]:
    """The cells of each attribute (area, age band, gender, assisted); counts below ``minimum`` suppressed."""
    unique = {person.key: person for person in participants}.values()
    counters = {
        "area": Counter(person.area for person in unique),
        "age_band": Counter(person.age_band for person in unique),
        "gender": Counter(person.gender for person in unique),
        "assisted": Counter("assisted" if person.is_assisted else "unassisted" for person in unique),
    }
    cells = []
    for attribute, counter in counters.items():
        for value, count in sorted(counter.items()):
            if count < minimum:
                cells.append(Cell(attribute, value, None, None))
            else:
                share = count / population if population else None
                cells.append(Cell(attribute, value, count, share))
    return cells


def total(participants: list[Participant], *, minimum: int) -> int | None:
    count = len({person.key for person in participants})
    return count if count >= minimum else None
