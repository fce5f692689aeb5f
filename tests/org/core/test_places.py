"""The point index, the generated cells and the address matcher of ``fuhe.org.core.places`` (no database)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from fuhe.org.core.divisions import Level, subtree_range
from fuhe.org.core.places import Area, PlaceIndex, address_match, name_variants, partition, sample_points

SQUARE = box(117.0, 39.0, 117.1, 39.1)
NOTCHED = shapely.difference(SQUARE, box(117.04, 39.0, 117.06, 39.07))  # a non-convex area, like a real district


def _nested(area, streets=4, communities=5, grids=3):
    """A district split three levels deep, with ids that say where they are: 1 district, 1xx streets …"""
    out = [Area(1, 2, area)]
    for s, street in enumerate(partition(area, streets, seed=1), start=1):
        out.append(Area(100 + s, 3, street))
        for c, community in enumerate(partition(street, communities, seed=10 + s), start=1):
            out.append(Area(10_000 + s * 100 + c, 4, community))
            for g, grid in enumerate(partition(community, grids, seed=100 * s + c), start=1):
                out.append(Area(1_000_000 + s * 10_000 + c * 100 + g, 5, grid))
    return out


@pytest.mark.parametrize("area", [SQUARE, NOTCHED], ids=["square", "notched"])
@pytest.mark.parametrize("count", [1, 2, 7, 30])
def test_cells_cover_their_parent_exactly_without_overlap(area, count):
    cells = partition(area, count, seed=7)
    assert len(cells) == count and all(not cell.is_empty for cell in cells)
    assert sum(cell.area for cell in cells) == pytest.approx(area.area, rel=1e-9)  # no overlap …
    assert shapely.union_all(cells).symmetric_difference(area).area < area.area * 1e-9  # … and no gap
    assert all(area.buffer(1e-9).contains(cell) for cell in cells)


def test_cells_are_deterministic_for_a_seed_and_differ_between_seeds():
    first, again, other = (partition(NOTCHED, 9, seed=seed) for seed in (3, 3, 4))
    assert [cell.wkt for cell in first] == [cell.wkt for cell in again]
    assert [cell.wkt for cell in first] != [cell.wkt for cell in other]


def test_sample_points_fall_inside_the_area():
    points = sample_points(NOTCHED, 500, np.random.default_rng(1))
    assert len(points) == 500 and shapely.contains_xy(NOTCHED, points[:, 0], points[:, 1]).all()


def test_points_resolve_to_the_grid_holding_them_the_raster_agreeing_with_the_trees():
    areas = _nested(NOTCHED)
    grids = {area.region_id: area.geometry for area in areas if area.depth == 5}
    rng = np.random.default_rng(5)
    xs, ys = rng.uniform(116.99, 117.11, 20_000), rng.uniform(38.99, 39.11, 20_000)
    with_raster = PlaceIndex(areas, raster_cells=256).locate(xs, ys)
    trees_only = PlaceIndex(areas, raster_cells=0).locate(xs, ys)
    assert (with_raster == trees_only).all()
    inside = shapely.contains_xy(NOTCHED, xs, ys)
    assert (with_raster[~inside & ~shapely.intersects_xy(NOTCHED.boundary.buffer(1e-9), xs, ys)] == -1).all()
    for x, y, found in list(zip(xs[inside], ys[inside], with_raster[inside], strict=True))[:2000]:
        assert found in grids and grids[found].intersects(shapely.Point(x, y))


def test_a_point_no_grid_holds_falls_through_to_the_community_then_the_district():
    community, district = box(0, 0, 2, 2), box(-5, -5, 5, 5)
    grid = box(0, 0, 1, 2)  # the community's other half has no grid
    index = PlaceIndex([Area(1, 2, district), Area(2, 4, community), Area(3, 5, grid)], raster_cells=64)
    assert list(index.locate([0.5, 1.5, 4.0, 9.0], [1.0, 1.0, 4.0, 9.0])) == [3, 2, 1, -1]
    assert index.locate_one(1.5, 1.0) == 2 and index.locate_one(9, 9) is None


def test_a_point_on_a_shared_edge_is_answered_once_and_bad_numbers_by_none():
    index = PlaceIndex([Area(7, 5, box(0, 0, 1, 1)), Area(8, 5, box(1, 0, 2, 1))], raster_cells=0)
    found = index.locate([1.0, float("nan")], [0.5, 0.5])
    assert found[0] in (7, 8) and found[1] == -1 and len(found) == 2


def test_an_empty_index_answers_none():
    index = PlaceIndex([])
    assert len(index) == 0 and index.locate_one(117, 39) is None


# --- addresses --------------------------------------------------------------------------------------------------

STREET, COMMUNITY, OTHER_STREET = 120101001000000, 120101001001000, 120101002000000
LEVELS = {STREET: Level.STREET, COMMUNITY: Level.COMMUNITY, OTHER_STREET: Level.STREET}


def _within(inner: int, outer: int) -> bool:
    low, high = subtree_range(outer, LEVELS[outer])
    return inner != outer and low <= inner < high


def _match(address: str, names: dict[str, int]) -> int | None:
    return address_match(address, names, max(map(len, names)), _within)


def test_the_longest_name_wins_and_a_region_inside_it_is_more_precise():
    names = {"劝业场街道": STREET, "花园": COMMUNITY, "小白楼街道": OTHER_STREET, "小白楼": OTHER_STREET}
    assert _match("劝业场街道花园3号楼", names) == COMMUNITY  # inside the street named: more precise
    assert _match("小白楼街道旁的花园", names) == OTHER_STREET  # the longest name; the garden is not inside it
    assert _match("去小白楼", names) == OTHER_STREET
    assert _match("火星基地", names) is None and _match("", names) is None


def test_a_gazetteer_place_longer_than_a_region_name_wins():
    names = {"小白楼": OTHER_STREET, "小白楼花园小区": COMMUNITY}
    assert _match("小白楼花园小区5号楼", names) == COMMUNITY


def test_name_variants_drop_one_suffix_but_keep_two_characters():
    assert name_variants("花园路社区") == {"花园路社区", "花园路"}
    assert name_variants("劝业场街道") == {"劝业场街道", "劝业场"}
    assert name_variants("西关村") == {"西关村", "西关"}
    assert name_variants("新村") == {"新村"}
