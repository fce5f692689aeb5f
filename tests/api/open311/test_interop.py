"""Open311 GeoReport v2 as a city's app uses it, written from the specification, in JSON and in XML."""

from __future__ import annotations

import json
from datetime import timedelta
from xml.etree import ElementTree  # noqa: S405 - parsing our own answers

import pytest
from django.utils import timezone

from fuhe.cases.models import Case
from fuhe.cases.services.actions import case_perform

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def parse(response, fmt: str):
    """JSON as is; XML turned into the same lists/dicts (root → list of items, or one dict)."""
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return response.json()
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ElementTree.fromstring(response.content)  # noqa: S314

    def element(node):
        if len(node) == 0:
            return node.text or ""
        if node.tag in ("attributes", "values", "endpoints", "formats"):
            return [element(child) for child in node]
        return {child.tag: element(child) for child in node}

    if root.tag in ("services", "service_requests", "errors"):
        return root.tag, [element(child) for child in root]
    return root.tag, element(root)


def items(response, fmt, root):
    data = parse(response, fmt)
    if fmt == "json":
        return data
    tag, entries = data
    assert tag == root
    return entries


@pytest.fixture
def service(categories):
    return categories["城乡建设/市政设施/井盖"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery(client, tree, fmt):
    response = client.get(f"/open311/v2/discovery.{fmt}")
    assert response.status_code == 200
    data = response.json() if fmt == "json" else parse(response, fmt)[1]
    endpoints = data["endpoints"]
    endpoint = endpoints[0] if fmt == "json" else endpoints[0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert "application/json" in endpoint["formats"] and "text/xml" in endpoint["formats"]
    assert client.get(f"/open311/discovery.{fmt}").status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_are_the_leaf_categories_grouped_by_level_one(client, categories, fmt):
    services = items(client.get(f"/open311/v2/services.{fmt}?jurisdiction_id=tianjin"), fmt, "services")
    by_code = {s["service_code"]: s for s in services}
    manhole = by_code[str(categories["城乡建设/市政设施/井盖"].pk)]
    assert set(manhole) == SERVICE_FIELDS
    assert manhole["service_name"] == "井盖" and manhole["group"] == "城乡建设"
    assert manhole["type"] == "realtime" and str(manhole["metadata"]).lower() == "true"
    assert str(categories["城乡建设"].pk) not in by_code  # a group, not a service
    assert {s["service_name"] for s in services} == {"井盖", "路灯", "噪声污染"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition(client, service, fmt):
    response = client.get(f"/open311/v2/services/{service.pk}.{fmt}")
    assert response.status_code == 200
    definition = response.json() if fmt == "json" else parse(response, fmt)[1]
    assert definition["service_code"] == str(service.pk)
    request_type = next(a for a in definition["attributes"] if a["code"] == "request_type")
    assert request_type["datatype"] == "singlevaluelist"
    assert {
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    } <= set(request_type)
    assert {"key": "complaint", "name": "投诉"} in request_type["values"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_follow_the_token_and_read_it_back(client, tree, issue_key, service, fmt):
    key = issue_key(None, application="city-app")
    response = client.post(
        f"/open311/v2/requests.{fmt}",
        {
            "api_key": key,
            "jurisdiction_id": "tianjin",
            "service_code": service.pk,
            "lat": "39.117",
            "long": "117.2",
            "address_string": "花园路社区3号楼",
            "description": "井盖丢了，13912345678",
            "first_name": "小明",
            "last_name": "王",
            "phone": "13912345678",
            "attribute[request_type]": "complaint",
            "attribute[title]": "井盖丢失",
            "attribute[publish]": "yes",
        },
    )
    assert response.status_code == 200, response.content
    created = items(response, fmt, "service_requests")[0]
    assert created["service_request_id"] and created["token"]
    case = Case.objects.get(pk=int(created["service_request_id"]))
    assert case.channel == "api" and case.category == service and case.request_type == "complaint"
    assert case.title == "井盖丢失" and float(case.latitude) == pytest.approx(39.117)
    assert case.reporter_phone == "13912345678"  # kept for the call-back, never shown

    token = items(client.get(f"/open311/v2/tokens/{created['token']}.{fmt}"), fmt, "service_requests")[0]
    assert token["service_request_id"] == created["service_request_id"]

    got = items(client.get(f"/open311/v2/requests/{token['service_request_id']}.{fmt}"), fmt, "service_requests")
    assert len(got) == 1
    request = got[0]
    assert set(request) == REQUEST_FIELDS
    assert request["status"] == "open" and request["service_code"] == str(service.pk)
    assert request["service_name"] == "井盖" and request["agency_responsible"] == "劝业场街道办事处"
    assert "13912345678" not in json.dumps(request, ensure_ascii=False) and "139****5678" in request["description"]
    assert "小明" not in response.content.decode() + json.dumps(request, ensure_ascii=False)
    assert request["requested_datetime"].endswith("+08:00")
    assert float(request["lat"]) == pytest.approx(39.117)


def test_post_with_only_an_address_or_an_address_id(client, tree, issue_key, service):
    key = issue_key()
    by_address = client.post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": service.pk, "address_string": "新华社区8号楼", "description": "x"},
    )
    assert Case.objects.get(pk=by_address.json()[0]["service_request_id"]).region == tree.regions["新华社区"]
    by_id = client.post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": service.pk, "address_id": "120101002001", "description": "x"},
    )
    assert Case.objects.get(pk=by_id.json()[0]["service_request_id"]).region == tree.regions["五大道社区"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_errors_follow_the_spec(client, tree, issue_key, service, fmt):
    key = issue_key()
    cases = [
        ({"service_code": service.pk, "address_string": "花园路"}, 403, "api_key"),
        ({"api_key": "fuhe_bad_key", "service_code": service.pk, "address_string": "花园路"}, 403, "api_key"),
        ({"api_key": key, "address_string": "花园路"}, 400, "service_code"),
        ({"api_key": key, "service_code": "999999", "address_string": "花园路"}, 400, "service_code"),
        ({"api_key": key, "service_code": service.pk}, 400, "location"),
        ({"api_key": key, "service_code": service.pk, "lat": "north", "long": "1"}, 400, "lat"),
        ({"api_key": key, "service_code": service.pk, "lat": "39"}, 400, "lat"),
        ({"api_key": key, "service_code": service.pk, "lat": "39", "long": "500"}, 400, "long"),
        ({"api_key": key, "service_code": service.pk, "address_id": "99"}, 400, "address_id"),
        (
            {"api_key": key, "service_code": service.pk, "address_string": "花园路", "attribute[color]": "red"},
            400,
            "attribute[color]",
        ),
        (
            {
                "api_key": key,
                "service_code": service.pk,
                "address_string": "花园路",
                "attribute[request_type]": "bribe",
            },
            400,
            "attribute[request_type]",
        ),
    ]
    for params, status, field in cases:
        response = client.post(f"/open311/v2/requests.{fmt}", params)
        assert response.status_code == status, (params, response.content)
        errors = items(response, fmt, "errors")
        assert int(errors[0]["code"]) == status and errors[0]["description"].startswith(field), errors
    assert Case.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_errors_follow_the_spec(client, tree, categories, fmt):
    for url, status in [
        (f"/open311/v2/requests/999999.{fmt}", 404),
        (f"/open311/v2/services/999999.{fmt}", 404),
        (f"/open311/v2/tokens/NOSUCHTOKEN.{fmt}", 404),
        (f"/open311/v2/requests.{fmt}?start_date=yesterday", 400),
        (f"/open311/v2/requests.{fmt}?status=pending", 400),
        (f"/open311/v2/requests.{fmt}?service_request_id=1;DROP", 400),
        (f"/open311/v2/nothing.{fmt}", 404),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        errors = items(response, fmt, "errors")
        assert int(errors[0]["code"]) == status and errors[0]["description"]
    response = client.delete(f"/open311/v2/services.{fmt}")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, OPTIONS"


def test_a_configured_jurisdiction_refuses_others(client, tree, settings):
    settings.FUHE_OPEN311_JURISDICTION = "tianjin.gov.cn"
    assert client.get("/open311/v2/services.json?jurisdiction_id=tianjin.gov.cn").status_code == 200
    assert client.get("/open311/v2/services.json").status_code == 200
    response = client.get("/open311/v2/services.json?jurisdiction_id=beijing")
    assert response.status_code == 404 and response.json()[0]["description"].startswith("jurisdiction_id")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_list_with_ids_status_service_and_date_window(client, tree, cases, categories, fmt):
    public, other = cases["public"], cases["other"]
    old = Case.objects.filter(pk=other.pk)
    old.update(created_at=timezone.now() - timedelta(days=120))

    def ids(query: str) -> set[str]:
        response = client.get(f"/open311/v2/requests.{fmt}?{query}")
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in items(response, fmt, "service_requests")}

    assert ids("") == {str(public.pk)}  # the last 90 days by default
    assert ids(f"service_request_id={public.pk},{other.pk}") == {str(public.pk), str(other.pk)}
    start = (timezone.now() - timedelta(days=150)).date().isoformat()
    end = (timezone.now() - timedelta(days=100)).date().isoformat()
    assert ids(f"start_date={start}&end_date={end}") == {str(other.pk)}
    assert ids(f"start_date={start}T00:00:00%2B08:00") == {str(other.pk)}  # a window starting then, 90 days
    assert ids(f"start_date={start}T00:00:00+08:00") == {str(other.pk)}  # '+' left unencoded by the client
    long_ago = (timezone.now() - timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"start_date={long_ago}") == set()  # at most 90 days from the start
    assert ids(f"service_code={categories['城乡建设/市政设施/井盖'].pk}") == {str(public.pk)}
    assert ids(f"service_code={categories['城乡建设/市政设施/路灯'].pk}") == set()
    assert ids("status=open") == {str(public.pk)}
    assert ids("status=closed") == set()
    assert ids("status=open,closed&jurisdiction_id=tianjin") == {str(public.pk)}


def test_internal_states_map_to_open_and_closed_with_notes(client, tree, cases):
    case = cases["public"]
    dispatcher = tree.people["dispatcher"]
    case = case_perform(actor=dispatcher, case=case, action="dispatch", unit=tree.units["花园路社区居委会"].pk)
    request = client.get(f"/open311/v2/requests/{case.pk}.json").json()[0]
    assert request["status"] == "open" and request["agency_responsible"] == "花园路社区居委会"
    assert request["status_notes"].startswith("已派单 (dispatched)")
    assert request["updated_datetime"] >= request["requested_datetime"]
    assert request["expected_datetime"]
    duplicate = case_perform(
        actor=dispatcher,
        case=cases["other"].__class__.objects.create(
            tracking_code="FDUP0000001",
            access_token_hash="0" * 64,
            channel="web",
            title="重复",
            text="井盖缺失",
            region=tree.regions["花园路社区"],
            created_at=timezone.now(),
        ),
        action="merge",
        into=case.tracking_code,
    )
    merged = client.get(f"/open311/v2/requests/{duplicate.pk}.json").json()[0]
    assert merged["status"] == "closed" and str(case.pk) in merged["status_notes"]


def test_json_post_body_and_idempotency_key(client, tree, issue_key, service):
    key = issue_key()
    body = {"api_key": key, "service_code": service.pk, "address_string": "花园路社区", "description": "井盖"}
    first = client.post("/open311/v2/requests.json", body, HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/open311/v2/requests.xml", body, HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 200
    assert first.json()[0]["service_request_id"] == items(again, "xml", "service_requests")[0]["service_request_id"]
    other = client.post("/open311/v2/requests.json", {**body, "description": "路灯"}, HTTP_IDEMPOTENCY_KEY="k1")
    assert other.status_code == 422 and other.json()[0]["description"].startswith("Idempotency-Key")
    as_json = client.post("/open311/v2/requests.json", json.dumps(body), content_type="application/json")
    assert as_json.status_code == 200
    assert Case.objects.count() == 2
