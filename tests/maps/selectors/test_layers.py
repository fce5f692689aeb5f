"""The map's layers: scoped to the user, no personal data, emergency and region filters, clusters that add up."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from fuhe.maps import selectors
from fuhe.maps.core.clusters import BBox
from fuhe.maps.selectors import MapQuery
from fuhe.resources.models import DemandPriority
from tests.maps.conftest import HEPING_BBOX

pytestmark = pytest.mark.django_db


def _query(zoom=13, **options):
    return MapQuery(bbox=BBox.parse(HEPING_BBOX), zoom=zoom, **options)


def _ids(collection):
    return sorted(feature["properties"]["id"] for feature in collection["features"])


def test_the_region_layer_shows_districts_and_streets_as_the_zoom_grows(mapped):
    admin = mapped.people["admin"]
    far = {f["properties"]["level"] for f in selectors.region_layer(user=admin, query=_query(zoom=10))["features"]}
    near = {f["properties"]["level"] for f in selectors.region_layer(user=admin, query=_query(zoom=14))["features"]}
    assert far == {"district"}
    assert near == {"district", "street", "community"}
    street = next(
        f
        for f in selectors.region_layer(user=admin, query=_query(zoom=14))["features"]
        if f["properties"]["level"] == "street"
    )
    assert street["properties"]["generated"] is True
    assert street["properties"]["url"] == f"/regions/{street['properties']['id']}/"


def test_a_street_dispatcher_sees_their_street_and_the_district_around_it_not_the_next_street(mapped):
    names = {
        f["properties"]["name"]
        for f in selectors.region_layer(user=mapped.people["dispatcher"], query=_query(zoom=14))["features"]
    }
    assert {"和平区", "劝业场街道", "花园路社区"} <= names
    assert "小白楼街道" not in names and "五大道社区" not in names


def test_grids_only_when_zoomed_in(mapped):
    admin = mapped.people["admin"]
    assert selectors.grid_layer(user=admin, query=_query(zoom=12))["features"] == []
    grids = selectors.grid_layer(user=admin, query=_query(zoom=15))["features"]
    assert grids and {f["properties"]["level"] for f in grids} == {"grid"}


def test_resources_demands_and_matches_carry_no_phone_and_link_to_their_records(map_data):
    user = map_data.tree.people["dispatcher"]
    resources = selectors.resource_layer(user=user, query=_query())
    demands = selectors.demand_layer(user=user, query=_query())
    matches = selectors.match_layer(user=user, query=_query())
    assert _ids(resources) == [map_data.resource.pk]
    assert _ids(demands) == sorted([map_data.water.pk, map_data.emergency.pk])
    assert _ids(matches) == [map_data.match.pk]
    assert resources["features"][0]["properties"]["url"] == f"/resources/{map_data.resource.pk}/"
    assert matches["features"][0]["properties"]["url"] == f"/resources/demands/{map_data.water.pk}/"
    assert matches["features"][0]["geometry"]["type"] == "LineString"
    payload = json.dumps([resources, demands, matches], ensure_ascii=False)
    assert "13912345678" not in payload and "contact" not in payload and "3号楼" not in payload


def test_another_districts_dispatcher_sees_none_of_them(map_data):
    other = map_data.tree.people["jz-dispatcher"]
    assert selectors.resource_layer(user=other, query=_query())["features"] == []
    assert selectors.demand_layer(user=other, query=_query())["features"] == []
    assert selectors.match_layer(user=other, query=_query())["features"] == []
    assert selectors.case_layer(user=other, query=_query())["total"] == 0


def test_emergency_keeps_emergency_demands_the_resources_that_serve_them_and_their_matches(map_data):
    user = map_data.tree.people["dispatcher"]
    demands = selectors.demand_layer(user=user, query=_query(emergency=True))["features"]
    assert [f["properties"]["id"] for f in demands] == [map_data.emergency.pk]
    assert demands[0]["properties"]["priority"] == DemandPriority.EMERGENCY
    assert _ids(selectors.resource_layer(user=user, query=_query(emergency=True))) == [map_data.resource.pk]
    # the only match serves the livelihood demand: not shown in the emergency view
    assert selectors.match_layer(user=user, query=_query(emergency=True))["features"] == []


def test_a_resource_that_excludes_emergencies_is_left_out_of_the_emergency_view(map_data):
    map_data.resource.allowed_priorities = [DemandPriority.IMPROVEMENT]
    map_data.resource.save(update_fields=["allowed_priorities"])
    user = map_data.tree.people["dispatcher"]
    assert selectors.resource_layer(user=user, query=_query(emergency=True))["features"] == []


def test_the_box_filters_points(map_data):
    user = map_data.tree.people["dispatcher"]
    elsewhere = MapQuery(bbox=BBox(117.0, 39.0, 117.05, 39.02), zoom=13)
    assert selectors.resource_layer(user=user, query=elsewhere)["features"] == []
    assert selectors.demand_layer(user=user, query=elsewhere)["features"] == []


def test_a_region_filter_keeps_its_subtree(map_data):
    user = map_data.tree.people["admin"]
    other_street = map_data.tree.regions["小白楼街道"]
    assert selectors.demand_layer(user=user, query=_query(region=other_street))["features"] == []
    assert selectors.case_layer(user=user, query=_query(region=other_street))["total"] == 0
    own = map_data.tree.regions["劝业场街道"]
    assert len(selectors.demand_layer(user=user, query=_query(region=own))["features"]) == 2


def test_cases_are_clustered_and_add_up_and_a_lone_case_links_to_its_page(map_data):
    user = map_data.tree.people["dispatcher"]
    far = selectors.case_layer(user=user, query=_query(zoom=8))
    assert far["total"] == 2 and len(far["features"]) == 1 and far["features"][0]["properties"]["count"] == 2
    near = selectors.case_layer(user=user, query=_query(zoom=18))
    assert near["total"] == 2 and len(near["features"]) == 2
    urls = sorted(f["properties"]["url"] for f in near["features"])
    assert urls == sorted(f"/cases/{case.pk}/" for case in map_data.cases)
    payload = json.dumps(near, ensure_ascii=False)
    assert "13912345678" not in payload and "花园路" not in payload


def test_a_case_known_only_by_its_region_is_drawn_inside_that_region(map_data):
    """Most hotline messages carry no point, only an address resolved to a community: the demo's map showed none of
    its 401 cases. Such a case sits at a point inside its region, marked as placed by region."""
    from shapely.geometry import Point

    from fuhe.cases.services.intake import case_create
    from fuhe.org.core.places import geometry_of

    tree = map_data.tree
    community = tree.regions["花园路社区"]
    case = case_create(actor=None, channel="hotline", text="楼道灯坏了", region=community).case
    assert case.latitude is None
    user = tree.people["dispatcher"]
    near = selectors.case_layer(user=user, query=_query(zoom=18))
    assert near["total"] == 3
    feature = next(f for f in near["features"] if f["properties"].get("id") == case.pk)
    assert feature["properties"]["placed_by_region"] is True
    longitude, latitude = feature["geometry"]["coordinates"]
    community.refresh_from_db()
    assert geometry_of(community.geometry).buffer(1e-6).contains(Point(longitude, latitude))
    assert all(not f["properties"].get("placed_by_region") for f in near["features"] if f is not feature)
    from django.core.cache import cache

    from fuhe.cases.models import Case

    Case.objects.filter(pk=case.pk).update(region=None)  # neither a point nor a region: not drawn, nothing breaks
    cache.clear()
    assert selectors.case_layer(user=tree.people["admin"], query=_query(zoom=18))["total"] == 2


@pytest.mark.parametrize("person", ["resident", "volunteer"])
def test_residents_and_volunteers_get_no_case_layer(map_data, person):
    user = map_data.tree.people[person]
    with pytest.raises(PermissionDenied):
        selectors.case_layer(user=user, query=_query())
    assert "cases" not in selectors.layers_for(user)


def test_the_load_layer_is_for_staff_who_may_read_the_load(map_data):
    with pytest.raises(PermissionDenied):
        selectors.load_layer(user=map_data.tree.people["resident"], query=_query())
    layer = selectors.load_layer(user=map_data.tree.people["leader"], query=_query())
    names = {f["properties"]["name"] for f in layer["features"]}
    assert "花园路社区" in names  # its residents' committee has staff: a factor (or none) per community
    assert all("factor" in f["properties"] for f in layer["features"])


def test_a_region_code_out_of_scope_looks_like_a_missing_one(mapped):
    dispatcher = mapped.people["dispatcher"]
    assert selectors.map_region_get(user=dispatcher, code="120101001000").name == "劝业场街道"
    for code in ("120101002000", "999999999999"):
        with pytest.raises(Http404):
            selectors.map_region_get(user=dispatcher, code=code)


def test_demands_resources_and_matches_are_read_fresh_so_a_step_shows_at_once(map_data):
    """They were cached for 30 s: a demand just retitled, raised or matched did not show on the map."""
    user = map_data.tree.people["dispatcher"]
    first = selectors.demand_layer(user=user, query=_query())
    assert "改过的标题" not in json.dumps(first, ensure_ascii=False)
    map_data.emergency.title = "改过的标题"
    map_data.emergency.save(update_fields=["title"])
    assert "改过的标题" in json.dumps(selectors.demand_layer(user=user, query=_query()), ensure_ascii=False)


def test_map_bounds_open_on_the_users_region(mapped):
    west, south, east, north = selectors.map_bounds(user=mapped.people["dispatcher"], region=None)
    district = selectors.map_bounds(user=mapped.people["admin"], region=mapped.regions["和平区"])
    assert district[0] <= west < east <= district[2] and district[1] <= south < north <= district[3]
