"""The map page and its GeoJSON endpoints: sign-in, roles, query-string options, errors naming the field."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.utils import translation

from tests.maps.conftest import HEPING_BBOX

pytestmark = pytest.mark.django_db


def _config(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="one-map-config" type="application/json">') + len(
        '<script id="one-map-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_the_page_needs_sign_in_and_the_layers_answer_403_json(client, mapped):
    assert client.get("/map/").status_code == 302
    response = client.get(f"/map/layers/regions.geojson?bbox={HEPING_BBOX}&zoom=12")
    assert response.status_code == 403 and "error" in response.json()


def test_a_dispatcher_gets_every_layer_with_offline_defaults(login, mapped):
    client = login(mapped.people["dispatcher"])
    response = client.get("/map/")
    assert response.status_code == 200
    config = _config(response)
    assert config["layers"] == ["regions", "grids", "resources", "demands", "matches", "cases", "load"]
    assert config["initial"] == ["regions", "resources", "demands", "matches", "cases"]
    assert config["tiles"] == "" and config["bounds"] is not None
    html = response.content.decode()
    assert 'id="nav-map"' in html and "vendor/leaflet-1.9.4/leaflet.js" in html and 'id="map-provenance"' in html
    assert "GCJ-02" in html


def test_a_resident_gets_no_case_or_load_layer(login, mapped):
    client = login(mapped.people["resident"])
    config = _config(client.get("/map/?layers=cases,resources"))
    assert "cases" not in config["layers"] and "load" not in config["layers"]
    assert config["initial"] == ["regions", "resources"]
    assert client.get(f"/map/layers/cases.geojson?bbox={HEPING_BBOX}&zoom=12").status_code == 403


def test_query_string_options_reach_the_page(login, mapped):
    client = login(mapped.people["admin"])
    response = client.get("/map/?layers=demands,resources&region=120101001000&emergency=1")
    config = _config(response)
    assert config["initial"] == ["regions", "demands", "resources"]
    assert config["region"] == "120101001000" and config["emergency"] is True
    assert 'id="map-emergency"' in response.content.decode()
    assert client.get("/map/?region=999999999999").status_code == 404


@override_settings(FUHE_MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png", FUHE_MAP_TILE_ATTRIBUTION="© Example")
def test_a_tile_url_adds_tiles_with_their_attribution(login, mapped):
    config = _config(login(mapped.people["admin"]).get("/map/"))
    assert config["tiles"].startswith("https://tiles.example.org/") and config["attribution"] == "© Example"


def test_a_layer_answers_geojson(login, map_data):
    client = login(map_data.tree.people["dispatcher"])
    response = client.get(f"/map/layers/cases.geojson?bbox={HEPING_BBOX}&zoom=10")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["total"] == 2
    demands = client.get(f"/map/layers/demands.geojson?bbox={HEPING_BBOX}&zoom=13&emergency=1").json()
    assert [f["properties"]["id"] for f in demands["features"]] == [map_data.emergency.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [("bbox=1,2,3&zoom=3", "bbox"), ("bbox=a,b,c,d&zoom=3", "bbox"), (f"bbox={HEPING_BBOX}&zoom=x", "zoom")],
)
def test_a_bad_query_names_the_field(login, mapped, query, field):
    client = login(mapped.people["admin"])
    with translation.override("en"):
        response = client.get(f"/map/layers/regions.geojson?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["field"] == field and response.json()["error"].startswith(f"{field}: ")


def test_an_unknown_layer_is_404(login, mapped):
    client = login(mapped.people["admin"])
    assert client.get(f"/map/layers/secrets.geojson?bbox={HEPING_BBOX}&zoom=3").status_code == 404
