"""The demo's two districts get their real boundaries and generated cells for every street, community and grid
(the regions as the demo imports them from the official codes; the rest of the demo is not built here)."""

from __future__ import annotations

import pytest
import shapely
from django.conf import settings

from fuhe.demo.services import DEMO_DISTRICTS, DemoBuilder
from fuhe.org.core.places import geometry_of
from fuhe.org.models import Region
from fuhe.org.regions import region_outlines, regions_at
from fuhe.org.services import district_geometry_build

DIVISIONS = settings.FUHE_SHARED_DATA / "divisions"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.skipif(not DIVISIONS.is_dir(), reason="the shared data set is not beside the checkout"),
]


def test_both_demo_districts_are_mapped_down_to_their_grids():
    builder = DemoBuilder(divisions_dir=DIVISIONS, password="x")
    builder.import_regions()
    builder.generate_grids()
    for code in DEMO_DISTRICTS:
        district = Region.objects.get(code=code.ljust(12, "0"))
        result = district_geometry_build(actor=None, region=district)
        low, high = district.subtree
        below = Region.objects.filter(id__gt=low, id__lt=high)
        assert result.without == 0 and result.generated == below.count()
        assert not below.filter(geometry__isnull=True).exists()
        assert not below.filter(geometry_generated=False).exists()
    rural = Region.objects.get(code="120119000000")
    village = Region.objects.filter(level="community", id__gte=rural.id, id__lt=rural.subtree[1]).order_by("id")[500]
    grids = list(village.children.all())
    point = geometry_of(grids[-1].geometry).point_on_surface()
    assert regions_at([(point.y, point.x)]) == [grids[-1].pk]
    union = shapely.union_all([geometry_of(g.geometry) for g in grids])
    assert union.symmetric_difference(geometry_of(village.geometry)).area < geometry_of(village.geometry).area * 1e-3
    outlines = region_outlines()
    assert {o["level"] for o in outlines} == {"district", "street"} and len(outlines) == 2 + 6 + 28
