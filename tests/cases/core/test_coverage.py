"""The district's 兜底: the parts of its places that no street dispatcher covers (pure interval arithmetic)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fuhe.cases.core.coverage import Gap, Place, merge, place_of, subtract, uncovered

DISTRICT = 120119000000000
TOWN_A = 120119100000000  # 渔阳镇
TOWN_B = 120119101000000  # 城关镇, next to it
MILLION = 1_000_000
VILLAGE = 1_000


def test_merge_sorts_joins_touching_and_overlapping_ranges():
    assert merge([(5, 8), (1, 3), (3, 4), (7, 9), (20, 20)]) == [(1, 4), (5, 9)]


def test_subtract_leaves_the_parts_outside_the_covered_ranges():
    assert subtract(0, 100, []) == [(0, 100)]
    assert subtract(0, 100, [(0, 100)]) == []
    assert subtract(0, 100, [(-5, 10), (20, 30), (90, 200)]) == [(10, 20), (30, 90)]
    assert subtract(50, 60, [(0, 10), (70, 80)]) == [(50, 60)]


def test_a_town_without_a_dispatcher_is_a_gap_named_after_it():
    places = [Place(TOWN_A, TOWN_A + MILLION, "渔阳镇"), Place(TOWN_B, TOWN_B + MILLION, "城关镇")]
    gaps = uncovered(places, [(TOWN_B, TOWN_B + MILLION)])
    assert gaps == [Gap(TOWN_A, TOWN_A + MILLION, "渔阳镇")]
    village = TOWN_A + 201 * VILLAGE
    assert place_of(village, gaps) == "渔阳镇"
    assert place_of(TOWN_B + 5 * VILLAGE, gaps) == ""
    assert place_of(None, gaps) == ""


def test_a_dispatcher_of_one_village_leaves_the_rest_of_the_town_uncovered():
    covered_village = (TOWN_A + 201 * VILLAGE, TOWN_A + 202 * VILLAGE)
    gaps = uncovered([Place(TOWN_A, TOWN_A + MILLION, "渔阳镇")], [covered_village])
    assert gaps == [Gap(TOWN_A, covered_village[0], "渔阳镇"), Gap(covered_village[1], TOWN_A + MILLION, "渔阳镇")]
    assert place_of(covered_village[0] + 3, gaps) == ""  # a grid of the covered village
    assert place_of(TOWN_A + 202 * VILLAGE, gaps) == "渔阳镇"


def test_a_case_placed_on_the_district_itself_is_the_districts():
    places = [Place(DISTRICT, DISTRICT + 1, "蓟州区"), Place(TOWN_A, TOWN_A + MILLION, "渔阳镇")]
    gaps = uncovered(places, [(TOWN_A, TOWN_A + MILLION)])
    assert gaps == [Gap(DISTRICT, DISTRICT + 1, "蓟州区")]
    assert place_of(DISTRICT, gaps) == "蓟州区"
    # a district-wide dispatcher range covers it (that is not a street's dispatcher: the caller never passes one)
    assert uncovered(places, [(DISTRICT, DISTRICT + 1000 * MILLION)]) == []


ranges = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200)).map(sorted).map(tuple), max_size=8)


@given(low=st.integers(0, 200), size=st.integers(0, 100), covered=ranges)
def test_subtract_keeps_exactly_the_uncovered_keys(low, size, covered):
    high = low + size
    parts = subtract(low, high, merge(covered))
    kept = {key for part_low, part_high in parts for key in range(part_low, part_high)}
    expected = {key for key in range(low, high) if not any(a <= key < b for a, b in covered)}
    assert kept == expected
    assert parts == merge(parts)  # sorted, disjoint, no empty part
