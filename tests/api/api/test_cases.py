import json

import pytest

from fuhe.cases.models import Case
from tests.api.conftest import bearer


@pytest.fixture
def dispatcher_key(issue_key):
    return issue_key("dispatcher")


def act(client, key, case, action, **body):
    return client.post(
        f"/api/v1/cases/{case.pk}/actions/{action}", json.dumps(body), content_type="application/json", **bearer(key)
    )


def test_create_uses_case_create_with_the_api_channel(client, tree, dispatcher_key, categories):
    body = {
        "text": "新华社区路灯不亮",
        "address": "新华社区6号楼",
        "category_id": categories["城乡建设/市政设施/路灯"].pk,
        "request_type": "complaint",
        "reporter_phone": "13912345678",
        "latitude": 39.1,
        "longitude": 117.2,
    }
    response = client.post("/api/v1/cases", json.dumps(body), content_type="application/json", **bearer(dispatcher_key))
    assert response.status_code == 201
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert (
        case.channel == "api"
        and case.region == tree.regions["新华社区"]
        and case.created_by == tree.people["dispatcher"]
    )
    assert data["reporter_phone"] == "139****5678" and data["access_token"]
    assert data["category"]["path"] == "城乡建设/市政设施/路灯" and data["latitude"] == pytest.approx(39.1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"address": "新华社区"}, "text"),
        ({"text": "x"}, "where"),
        ({"text": "x", "address": "新华社区", "region_id": 120119100201000}, "region_id"),  # 西关村: not their street
        ({"text": "x", "address": "新华社区", "category_id": 999}, "category_id"),
        ({"text": "x", "address": "新华社区", "urgency": "whenever"}, "urgency"),
        ({"text": "x", "address": "新华社区", "latitude": 91, "longitude": 1}, "latitude"),
        ({"text": "x", "address": "新华社区", "latitude": 39}, "latitude"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, tree, dispatcher_key, categories, body, field):
    response = client.post("/api/v1/cases", json.dumps(body), content_type="application/json", **bearer(dispatcher_key))
    assert response.status_code == 422, response.content
    assert any(error["loc"][-1] == field for error in response.json()["detail"]), response.json()


def test_malformed_json_is_a_4xx(client, tree, dispatcher_key):
    response = client.post("/api/v1/cases", "{not json", content_type="application/json", **bearer(dispatcher_key))
    assert 400 <= response.status_code < 500


def test_list_is_scoped_filtered_ordered_and_paginated(client, tree, cases, categories, issue_key):
    key = issue_key("dispatcher")
    page = client.get("/api/v1/cases", **bearer(key)).json()
    # the street's published and private cases (staff see what their web UI shows), not 蓟州区's case
    assert page["count"] == 2 and {c["id"] for c in page["items"]} == {cases["public"].pk, cases["hidden"].pk}
    jz = client.get("/api/v1/cases", **bearer(issue_key("jz-dispatcher"))).json()
    assert [c["id"] for c in jz["items"]] == [cases["other"].pk]
    query = f"category={categories['城乡建设/市政设施/井盖'].pk}&state=open&ordering=newest&limit=1&offset=0&q=井盖"
    assert client.get(f"/api/v1/cases?{query}", **bearer(key)).json()["count"] == 1
    assert client.get("/api/v1/cases?state=closed", **bearer(key)).json()["count"] == 0
    assert client.get("/api/v1/cases?overdue=true", **bearer(key)).json()["count"] == 0
    assert client.get(f"/api/v1/cases?region={tree.regions['小白楼街道'].pk}", **bearer(key)).json()["count"] == 0
    assert client.get("/api/v1/cases?offset=5", **bearer(key)).json()["items"] == []
    second = client.get("/api/v1/cases?ordering=newest&limit=1&offset=1", **bearer(key)).json()
    assert second["count"] == 2 and [c["id"] for c in second["items"]] == [cases["public"].pk]
    assert client.get("/api/v1/cases?limit=0", **bearer(key)).status_code == 422
    assert client.get("/api/v1/cases?state=lost", **bearer(key)).status_code == 422


def test_detail_has_the_timeline_and_the_allowed_actions(client, tree, cases, dispatcher_key):
    detail = client.get(f"/api/v1/cases/{cases['public'].pk}", **bearer(dispatcher_key)).json()
    assert [e["action"] for e in detail["timeline"]] == ["receive"]
    assert "dispatch" in detail["actions"]


def test_out_of_scope_and_missing_are_the_same_404(client, tree, cases, dispatcher_key):
    assert client.get(f"/api/v1/cases/{cases['other'].pk}", **bearer(dispatcher_key)).status_code == 404
    assert client.get("/api/v1/cases/999999", **bearer(dispatcher_key)).status_code == 404


def test_actions_go_through_case_perform(client, tree, cases, dispatcher_key, issue_key):
    case = cases["public"]
    unit = tree.units["花园路社区居委会"]
    missing = act(client, dispatcher_key, case, "dispatch")
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "unit"]
    assert act(client, issue_key("community"), case, "dispatch", unit_id=unit.pk).status_code == 403
    done = act(client, dispatcher_key, case, "dispatch", unit_id=unit.pk)
    assert done.status_code == 200 and done.json()["state"] == "dispatched"
    assert done.json()["owner_unit"]["id"] == unit.pk
    illegal = act(client, dispatcher_key, case, "close")
    assert illegal.status_code == 409 and "close" in illegal.json()["detail"]
    accepted = act(client, issue_key("community"), case, "accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert [e["action"] for e in accepted.json()["timeline"]] == ["receive", "dispatch", "accept"]
    assert (
        client.post(
            f"/api/v1/cases/{case.pk}/actions/teleport", "{}", content_type="application/json", **bearer(dispatcher_key)
        ).status_code
        == 422
    )


def test_categories_regions_units(client, tree, categories, dispatcher_key):
    key = bearer(dispatcher_key)
    flat = client.get("/api/v1/categories?level=3", **key).json()
    assert {c["name"] for c in flat} == {"井盖", "路灯"}
    tree_ = client.get("/api/v1/categories/tree", **key).json()
    assert [n["name"] for n in tree_] == ["城乡建设", "环境保护"]
    assert tree_[0]["children"][0]["children"][0]["name"] == "井盖"
    roots = client.get("/api/v1/regions/roots", **key).json()
    assert [r["name"] for r in roots] == ["劝业场街道"]
    children = client.get(f"/api/v1/regions/{roots[0]['id']}/children", **key).json()
    assert {c["name"] for c in children} == {"花园路社区", "新华社区"} and children[0]["child_count"] == 2
    found = client.get("/api/v1/regions?q=新华", **key).json()
    assert found["count"] >= 1 and found["items"][0]["name"].startswith("新华社区")
    detail = client.get(f"/api/v1/regions/{tree.regions['新华社区'].pk}", **key).json()
    assert [a["name"] for a in detail["ancestors"]][-1] == "劝业场街道"
    assert client.get(f"/api/v1/regions/{tree.regions['西关村'].pk}", **key).status_code == 404
    units = client.get("/api/v1/units?q=花园路", **key).json()
    assert [u["name"] for u in units["items"]] == ["花园路社区居委会"]
    unit = tree.units["劝业场街道办事处"]
    assert client.get(f"/api/v1/units/{unit.pk}", **key).json()["region"]["name"] == "劝业场街道"
    assert client.get(f"/api/v1/units/{tree.units['渔阳镇人民政府'].pk}", **key).status_code == 404


def test_rates(client, tree, cases, dispatcher_key):
    rows = client.get("/api/v1/rates?by=street&days=30", **bearer(dispatcher_key)).json()
    assert {row["group"] for row in rows} == {"劝业场街道"}
    assert {"response", "resolution", "satisfaction"} <= {rate["name"] for rate in rows[0]["rates"]}
    assert client.get("/api/v1/rates?by=planet", **bearer(dispatcher_key)).status_code == 422


def test_openapi_schema_and_docs_are_served(client, tree):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases" in schema["paths"] and "/api/v1/cases/{case_id}/actions/{action}" in schema["paths"]
    assert {"BearerKey", "HeaderKey", "Session"} <= set(schema["components"]["securitySchemes"])
    assert client.get("/api/v1/docs").status_code == 200
