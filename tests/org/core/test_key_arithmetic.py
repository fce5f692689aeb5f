"""Region-key arithmetic, row by row: the ancestor of a key at a level, its range, the district a key lies in.

Keys of 天津市 (12), 市辖区 (1201), 和平区 (120101), 劝业场街道 (120101001), 花园路社区 (120101001001) and its
grid 3; and 东莞市 (4419), a city without districts whose streets (441900003) hang from the city itself."""

from __future__ import annotations

import pytest

from fuhe.org.core.divisions import (
    Level,
    ancestor_key,
    ancestor_keys,
    ancestor_range,
    district_range,
    level_depth,
)

PROVINCE = 120_000_000_000_000
CITY = 120_100_000_000_000
DISTRICT = 120_101_000_000_000
STREET = 120_101_001_000_000
COMMUNITY = 120_101_001_001_000
GRID = 120_101_001_001_003
DONGGUAN = 441_900_000_000_000
DONGGUAN_STREET = 441_900_003_000_000


@pytest.mark.parametrize(
    ("level", "depth"),
    [
        (Level.PROVINCE, 0),
        (Level.CITY, 1),
        (Level.DISTRICT, 2),
        (Level.STREET, 3),
        (Level.COMMUNITY, 4),
        (Level.GRID, 5),
        ("street", 3),  # as stored on Region.level
    ],
)
def test_level_depth(level, depth):
    assert level_depth(level) == depth


@pytest.mark.parametrize(
    ("key", "level", "expected"),
    [
        (GRID, Level.PROVINCE, PROVINCE),
        (GRID, Level.CITY, CITY),
        (GRID, Level.DISTRICT, DISTRICT),
        (GRID, Level.STREET, STREET),
        (GRID, Level.COMMUNITY, COMMUNITY),
        (GRID, Level.GRID, GRID),
        (COMMUNITY, Level.STREET, STREET),
        (STREET, Level.STREET, STREET),  # a key at the level is its own ancestor
        (CITY, Level.DISTRICT, CITY),  # a coarser key too: nothing below its digits to drop
        (PROVINCE, Level.GRID, PROVINCE),
        (DONGGUAN_STREET, Level.DISTRICT, DONGGUAN),  # the placeholder district "00" shares the city's key
    ],
)
def test_ancestor_key(key, level, expected):
    assert ancestor_key(key, level) == expected


def test_ancestor_keys_are_the_ancestor_key_at_each_coarser_level():
    assert ancestor_keys(GRID, Level.GRID) == [PROVINCE, CITY, DISTRICT, STREET, COMMUNITY]
    assert ancestor_keys(STREET, Level.STREET) == [PROVINCE, CITY, DISTRICT]
    assert ancestor_keys(PROVINCE, Level.PROVINCE) == []


@pytest.mark.parametrize(
    ("key", "level", "expected"),
    [
        (GRID, Level.STREET, (STREET, STREET + 10**6)),  # a street's span: its 1,000 communities' grids
        (COMMUNITY, Level.STREET, (STREET, STREET + 10**6)),
        (STREET, Level.STREET, (STREET, STREET + 10**6)),
        (GRID, Level.COMMUNITY, (COMMUNITY, COMMUNITY + 10**3)),
        (GRID, Level.DISTRICT, (DISTRICT, DISTRICT + 10**9)),
        (GRID, Level.CITY, (CITY, CITY + 10**11)),
        (STREET + 999_999, Level.STREET, (STREET, STREET + 10**6)),  # the last key of the street
        (STREET + 10**6, Level.STREET, (STREET + 10**6, STREET + 2 * 10**6)),  # the next street's first
    ],
)
def test_ancestor_range(key, level, expected):
    assert ancestor_range(key, level) == expected


@pytest.mark.parametrize(
    ("key", "level", "expected"),
    [
        # at or below the district level: the district's own range, whatever the level says
        (GRID, Level.GRID, (DISTRICT, DISTRICT + 10**9)),
        (COMMUNITY, Level.COMMUNITY, (DISTRICT, DISTRICT + 10**9)),
        (STREET, "street", (DISTRICT, DISTRICT + 10**9)),
        (DISTRICT, Level.DISTRICT, (DISTRICT, DISTRICT + 10**9)),
        # above it, with the level given: the region is its own district (its whole subtree)
        (CITY, Level.CITY, (CITY, CITY + 10**11)),
        (PROVINCE, Level.PROVINCE, (PROVINCE, PROVINCE + 10**13)),
        # without a level: the district-sized span holding the key (a city's key: its own units' span)
        (GRID, None, (DISTRICT, DISTRICT + 10**9)),
        (CITY, None, (CITY, CITY + 10**9)),
        # 东莞市: its streets' district is the city's placeholder "00" span, which holds all of them
        (DONGGUAN_STREET, Level.STREET, (DONGGUAN, DONGGUAN + 10**9)),
        (DONGGUAN_STREET, None, (DONGGUAN, DONGGUAN + 10**9)),
    ],
)
def test_district_range(key, level, expected):
    assert district_range(key, level) == expected


def test_other_districts_lie_outside_a_district_range():
    low, high = district_range(GRID, Level.GRID)
    assert low <= STREET < high and low <= GRID < high
    assert not low <= 120_119_100_000_000 < high  # 蓟州区's 渔阳镇
    assert not low <= CITY < high  # the city's own units are not the district's
