"""Server-side clustering (fuhe.maps.core.clusters): counts complete, cells stable, singles keep their id."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuhe.maps.core.clusters import BBox, cluster_points, cluster_points_naive, project, snap_bbox, unproject

HEPING = BBox(117.17, 39.10, 117.23, 39.14)


def _points(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    lat = rng.uniform(39.05, 39.20, n)
    lon = rng.uniform(117.10, 117.30, n)
    return np.arange(1, n + 1), lat, lon


def test_counts_sum_to_the_points_in_the_box_and_outside_points_are_left_out():
    ids, lat, lon = _points(5000)
    clusters = cluster_points(ids, lat, lon, bbox=HEPING, zoom=13)
    inside = HEPING.contains(lat, lon).sum()
    assert 0 < inside < 5000
    assert clusters.total == inside
    assert len(clusters) < inside  # they were grouped
    assert np.all(clusters.latitude >= HEPING.south) and np.all(clusters.latitude <= HEPING.north)


def test_a_lone_point_keeps_its_id_and_a_group_has_none():
    ids = np.array([7, 8, 9])
    lat = np.array([39.120, 39.12001, 39.139])
    lon = np.array([117.190, 117.19001, 117.225])
    clusters = cluster_points(ids, lat, lon, bbox=HEPING, zoom=14)
    by_count = sorted(zip(clusters.count.tolist(), clusters.single_id.tolist(), strict=True))
    assert by_count == [(1, 9), (2, -1)]


def test_higher_zoom_splits_clusters():
    ids, lat, lon = _points(3000, seed=2)
    coarse = cluster_points(ids, lat, lon, bbox=HEPING, zoom=11)
    fine = cluster_points(ids, lat, lon, bbox=HEPING, zoom=16)
    assert len(coarse) < len(fine)
    assert coarse.total == fine.total


def test_the_vectorised_clusters_equal_the_naive_loop():
    ids, lat, lon = _points(2000, seed=3)
    fast = cluster_points(ids, lat, lon, bbox=HEPING, zoom=14)
    naive = cluster_points_naive(ids.tolist(), lat.tolist(), lon.tolist(), bbox=HEPING, zoom=14)
    assert len(fast) == len(naive)
    expected = sorted((round(a, 9), round(b, 9), c, d) for a, b, c, d in naive.values())
    got = sorted(
        (round(a, 9), round(b, 9), c, d)
        for a, b, c, d in zip(
            fast.latitude.tolist(), fast.longitude.tolist(), fast.count.tolist(), fast.single_id.tolist(), strict=True
        )
    )
    assert got == expected


def test_an_empty_box_gives_no_clusters():
    ids, lat, lon = _points(100)
    assert len(cluster_points(ids, lat, lon, bbox=BBox(0, 0, 1, 1), zoom=10)) == 0


def test_a_snapped_box_holds_the_box_and_is_the_same_for_nearby_boxes():
    snapped = snap_bbox(HEPING, 13)
    assert snapped.west <= HEPING.west and snapped.east >= HEPING.east
    assert snapped.south <= HEPING.south and snapped.north >= HEPING.north
    nudged = BBox(HEPING.west + 1e-5, HEPING.south + 1e-5, HEPING.east - 1e-5, HEPING.north - 1e-5)
    assert snap_bbox(nudged, 13) == snapped


def test_projection_round_trips():
    x, y = project(np.array([39.12]), np.array([117.2]), 15)
    latitude, longitude = unproject(float(x[0]), float(y[0]), 15)
    assert latitude == pytest.approx(39.12) and longitude == pytest.approx(117.2)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1,2,3", "four_numbers"),
        ("a,b,c,d", "not_a_number"),
        ("10,0,5,1", "longitude_order"),
        ("0,5,1,1", "latitude_order"),
    ],
)
def test_a_bad_box_names_its_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        BBox.parse(text)


coordinates = st.tuples(
    st.floats(min_value=38.0, max_value=40.5, allow_nan=False), st.floats(min_value=116.0, max_value=118.5)
)


@given(
    points=st.lists(coordinates, max_size=300),
    corner=coordinates,
    span=st.tuples(st.floats(min_value=0, max_value=2.0), st.floats(min_value=0, max_value=2.0)),
    zoom=st.integers(min_value=0, max_value=20),
    cell=st.sampled_from([16, 40, 64, 128]),
)
def test_property_cluster_counts_sum_to_the_points_in_the_bbox(points, corner, span, zoom, cell):
    bbox = BBox(corner[1], corner[0], min(180.0, corner[1] + span[1]), min(90.0, corner[0] + span[0]))
    lat = np.array([p[0] for p in points], dtype=float)
    lon = np.array([p[1] for p in points], dtype=float)
    ids = np.arange(len(points))
    clusters = cluster_points(ids, lat, lon, bbox=bbox, zoom=zoom, cell_pixels=cell)
    assert clusters.total == int(bbox.contains(lat, lon).sum())
    assert np.all(clusters.count >= 1)
    singles = clusters.single_id[clusters.count == 1]
    assert set(singles.tolist()) <= set(ids[bbox.contains(lat, lon)].tolist())
    assert np.all(clusters.single_id[clusters.count > 1] == -1)


def test_prepared_points_and_the_sorting_path_give_the_same_clusters(monkeypatch):
    from fuhe.maps.core import clusters as module

    ids, lat, lon = _points(4000, seed=4)
    dense = module.cluster(module.prepare(ids, lat, lon), bbox=HEPING, zoom=15)
    monkeypatch.setattr(module, "DENSE_CELL_LIMIT", 1)
    sorted_path = cluster_points(ids, lat, lon, bbox=HEPING, zoom=15)

    def rows(c):
        return sorted(zip(c.count.tolist(), c.single_id.tolist(), np.round(c.latitude, 9).tolist(), strict=True))

    assert rows(dense) == rows(sorted_path)
