"""The request's state table, the matching rule, the points of a record, hours and overlaps, corrections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from fuhe.participation.core.volunteering import (
    MAX_OPEN_TASKS,
    Candidate,
    apply_corrections,
    check_hours,
    next_state,
    overlaps,
    rank_volunteers,
    record_points,
    region_distance,
)

COMMUNITY = 120101001001000
GRID = 120101001001001
SAME_STREET = 120101001002000
SAME_DISTRICT = 120101002001000
OTHER_DISTRICT = 120119100201000


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        ("open", "take", "taken"),
        ("open", "cancel", "cancelled"),
        ("taken", "release", "open"),
        ("taken", "record", "recorded"),
        ("recorded", "sign", "signed"),
        ("open", "record", None),
        ("open", "sign", None),
        ("taken", "take", None),
        ("signed", "sign", None),
        ("cancelled", "take", None),
        ("recorded", "cancel", None),
    ],
)
def test_the_state_table(state, action, expected):
    assert next_state(state, action) == expected


def test_region_distance():
    assert region_distance(COMMUNITY, GRID) == 0
    assert region_distance(COMMUNITY, SAME_STREET) == 1
    assert region_distance(COMMUNITY, SAME_DISTRICT) == 2
    assert region_distance(COMMUNITY, OTHER_DISTRICT) == 3


def test_ranking_by_distance_then_load_then_level():
    candidates = [
        Candidate(1, "远", (SAME_DISTRICT,), 3, 0),
        Candidate(2, "近但忙", (GRID,), 1, 2),
        Candidate(3, "近且闲", (COMMUNITY,), 1, 0),
        Candidate(4, "近且闲高级", (COMMUNITY,), 3, 0),
        Candidate(5, "满负荷", (COMMUNITY,), 3, MAX_OPEN_TASKS),
        Candidate(6, "同街道", (SAME_STREET,), 1, 0),
    ]
    ranked = rank_volunteers(COMMUNITY, candidates)
    assert [r.person_id for r in ranked] == [4, 3, 2, 6, 1]
    assert rank_volunteers(COMMUNITY, candidates, limit=2)[1].person_id == 3


def test_record_points():
    assert record_points(Decimal("2"), 10) == 20
    assert record_points(Decimal("1.5"), 5) == 8  # 7.5 rounded half up
    assert record_points(Decimal("0.5"), 1) == 1


@pytest.mark.parametrize(("hours", "ok"), [("0.5", True), ("24", True), ("0", False), ("24.5", False), ("1.2", False)])
def test_hours(hours, ok):
    assert (check_hours(Decimal(hours)) is None) is ok


def test_overlaps():
    nine = datetime(2026, 5, 1, 9, tzinfo=UTC)
    assert overlaps(nine, Decimal(2), nine + timedelta(hours=1), Decimal(2))
    assert not overlaps(nine, Decimal(2), nine + timedelta(hours=2), Decimal(1))
    assert overlaps(nine + timedelta(hours=1), Decimal("0.5"), nine, Decimal(3))


def test_corrections_apply_in_order_and_ignore_other_fields():
    original = {"content": "a", "hours": Decimal(2), "place": "p"}
    current = apply_corrections(original, [("hours", Decimal(3)), ("hours", Decimal(1)), ("volunteer", 9)])
    assert current == {"content": "a", "hours": Decimal(1), "place": "p"}
    assert original["hours"] == Decimal(2)
