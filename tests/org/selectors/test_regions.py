"""The query helpers over region keys: units of a region's district, key ranges as one filter."""

from __future__ import annotations

import pytest

from fuhe.org.models import Region, Unit
from fuhe.org.regions import district_units, key_ranges_q, units_within

pytestmark = pytest.mark.django_db

HEPING = {
    "和平区城管委",
    "劝业场街道办事处",
    "小白楼街道办事处",
    "花园路社区居委会",
    "新华社区居委会",
    "五大道社区居委会",
    "劝业场街道志愿服务队",
}
JIZHOU = {"蓟州区城管委", "渔阳镇人民政府", "西关村委会"}


def names(units) -> set[str]:
    return set(units.values_list("name", flat=True))


def test_the_units_of_a_regions_district(tree):
    grid = tree.regions["花园路社区第1网格"]
    assert names(district_units(region_id=grid.pk, level=grid.level)) == HEPING
    assert names(district_units(region_id=grid.pk)) == HEPING  # the level matters only above the district
    street = tree.regions["渔阳镇"]
    assert names(district_units(region_id=street.pk, level=street.level)) == JIZHOU
    city = tree.regions["市辖区"]
    assert names(district_units(region_id=city.pk, level=city.level)) == HEPING | JIZHOU  # its own district
    assert names(district_units(region_id=city.pk)) == set()  # the city's own span: no unit sits at the city


def test_inactive_units_are_left_out_unless_asked_for(tree):
    Unit.objects.filter(name="新华社区居委会").update(is_active=False)
    district = tree.regions["和平区"]
    assert "新华社区居委会" not in names(district_units(region_id=district.pk, level=district.level))
    assert "新华社区居委会" in names(district_units(region_id=district.pk, level=district.level, active_only=False))
    assert names(units_within(tree.regions["劝业场街道"].subtree)) == {
        "劝业场街道办事处",
        "花园路社区居委会",
        "劝业场街道志愿服务队",
    }


def test_key_ranges_as_one_filter(tree):
    ranges = [tree.regions["新华社区"].subtree, tree.regions["西关村"].subtree]
    found = Region.objects.filter(key_ranges_q(ranges, "id")).values_list("name", flat=True)
    assert set(found) == {"新华社区", "新华社区第1网格", "新华社区第2网格", "西关村", "西关村第1网格", "西关村第2网格"}
    assert names(Unit.objects.filter(key_ranges_q(ranges))) == {"新华社区居委会", "西关村委会"}
    assert not Region.objects.filter(key_ranges_q([], "id")).exists()  # no range: nothing, not everything
