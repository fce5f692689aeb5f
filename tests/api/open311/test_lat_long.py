"""Open311: a POST with only lat/long is placed in the grid holding the point and names the agency responsible;
errors keep the parameter's name and add its label in the user's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from fuhe.api.open311.views import labelled
from fuhe.cases.models import Case
from fuhe.org.core.places import geometry_of
from fuhe.org.services import district_geometry_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(categories):
    return categories["城乡建设/市政设施/井盖"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_post_with_only_lat_long_is_placed_and_names_the_agency(client, tree, issue_key, service, fmt):
    district_geometry_build(actor=None, region=tree.regions["和平区"])
    grid = tree.regions["五大道社区第2网格"]
    grid.refresh_from_db()
    point = geometry_of(grid.geometry).point_on_surface()
    response = client.post(
        f"/open311/v2/requests.{fmt}",
        {"api_key": issue_key(), "service_code": service.pk, "lat": f"{point.y:.6f}", "long": f"{point.x:.6f}"},
    )
    assert response.status_code == 200, response.content
    case = Case.objects.get()
    assert case.region == grid and case.address == ""
    if fmt == "json":
        created = response.json()[0]
        assert created["agency_responsible"] == "小白楼街道办事处"  # the street office receiving the case
        assert created["address_id"] == grid.code
    else:
        assert "<agency_responsible>小白楼街道办事处</agency_responsible>" in response.content.decode()


def test_a_point_no_boundary_holds_lands_in_the_fallback_district(client, tree, issue_key, service):
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": issue_key(None, application="city-app"),
            "service_code": service.pk,
            "lat": "22.5",
            "long": "114.0",
        },
    )
    assert response.status_code == 200
    assert Case.objects.get().region == tree.regions["和平区"] and response.json()[0]["agency_responsible"] == ""


def test_errors_name_the_parameter_and_its_label_in_chinese(client, tree, issue_key, service):
    key = issue_key()
    response = client.post(
        "/open311/v2/requests.json", {"api_key": key, "service_code": service.pk, "lat": "39", "long": "500"}
    )
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("long (经度): ")  # the platform speaks Chinese first
    response = client.post("/open311/v2/requests.json", {"api_key": key, "service_code": service.pk, "lat": "39"})
    assert response.json()[0]["description"].startswith("lat (纬度): ")
    assert Case.objects.count() == 0


def test_labelled_adds_the_translated_label_and_keeps_the_name():
    with translation.override("zh-hans"):
        assert labelled("lat: give both lat and long, or neither") == "lat (纬度): give both lat and long, or neither"
        assert labelled("status: give open, closed").startswith("status (状态): ")
        assert labelled("method GET is not allowed here") == "method GET is not allowed here"
    with translation.override("en"):
        assert labelled("lat: x") == "lat (latitude): x"
        assert labelled("title: x") == "title: x"  # the label is the name itself: said once
