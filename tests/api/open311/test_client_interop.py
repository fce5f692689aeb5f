"""Existing Open311 client libraries, used over real HTTP (live_server) the way a city's app uses them.

* ``georeport`` 0.3.1 (PyPI; requests + xmltodict) reads in JSON and XML: services, service definitions,
  requests with filters, one request. It cannot post (its README says so).
* georeport cannot post, so the JSON write path is driven with ``requests`` exactly as the spec's examples post
  (form-encoded body with ``api_key``, ``jurisdiction_id`` and ``attribute[code]``), then read back by georeport.
  (``civicbot`` 0.4.0 on PyPI can post, but it is a young single-author alpha bundling unrelated bot code, so it
  is not a dependency.)
* codeforamerica's ``open311`` 1.1 (PyPI, 2011) and ``three`` 0.8 are Python 2 only; ``test_xml_post_*`` repeats
  open311 1.1's wire calls (api_key and jurisdiction_id in the query string, the form in the body, the answer
  parsed as XML) so the XML write path is covered too. Run by hand under Python 2.7 it showed that a root address
  ending in "/" posted to ".../v2//requests.xml" (now tolerated).
* The last tests pin what real clients needed beyond that: CORS and HEAD for browser apps, empty optional attributes.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
import requests
import xmltodict
from django.utils import timezone
from georeport import GeoReport

from fuhe.cases.models import Case

JURISDICTION = "tianjin"


@pytest.fixture
def root(live_server) -> str:
    return live_server.url + "/open311/v2"


@pytest.fixture
def manhole(categories):
    return categories["城乡建设/市政设施/井盖"]


def as_list(value) -> list:
    """xmltodict gives one dict for a single child element and a list for several."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def json_post(root, manhole, key, description="花园路社区3号楼前井盖缺失，很危险") -> list[dict]:
    """POST requests.json with a form body as the spec shows (api_key and jurisdiction_id among the fields)."""
    form = {
        "jurisdiction_id": JURISDICTION,
        "api_key": key,
        "service_code": str(manhole.pk),
        "lat": "39.117",
        "long": "117.2",
        "address_string": "花园路社区3号楼",
        "description": description,
        "first_name": "小明",
        "last_name": "王",
        "phone": "13912345678",
        "attribute[request_type]": "complaint",
        "attribute[title]": "井盖缺失",
        "attribute[publish]": "yes",  # the reporter agreed to the public list
    }
    response = requests.post(f"{root}/requests.json", data=form, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def token_lookup(root, token: str) -> list[dict]:
    response = requests.get(f"{root}/tokens/{token}.json", params={"jurisdiction_id": JURISDICTION}, timeout=30)
    response.raise_for_status()
    return response.json()


# --- georeport: reads in JSON and XML ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_lists_services_and_reads_definitions(root, tree, categories, manhole, fmt):
    client = GeoReport(root_address=root, jurisdiction=JURISDICTION, output_format=fmt)
    services = as_list(client.get_service_list())
    assert {s["service_name"] for s in services} == {"井盖", "路灯", "噪声污染"}
    service = next(s for s in services if s["service_code"] == str(manhole.pk))
    assert service["group"] == "城乡建设" and service["type"] == "realtime"
    assert str(service["metadata"]).lower() == "true"  # so a city app asks for the definition

    definition = client.get_service_definition(service["service_code"])
    assert definition["service_code"] == str(manhole.pk)
    attributes = definition["attributes"] if fmt == "json" else as_list(definition["attributes"]["attribute"])
    by_code = {a["code"]: a for a in attributes}
    assert set(by_code) == {"request_type", "title", "publish"}
    request_type = by_code["request_type"]
    assert request_type["datatype"] == "singlevaluelist"
    values = request_type["values"] if fmt == "json" else as_list(request_type["values"]["value"])
    assert {"key": "complaint", "name": "投诉"} in [dict(v) for v in values]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_back_a_posted_request_with_filters(root, tree, manhole, categories, issue_key, fmt):
    created = json_post(root, manhole, issue_key(None, application="city-app"))[0]
    request_id = token_lookup(root, created["token"])[0]["service_request_id"]
    client = GeoReport(root_address=root, jurisdiction=JURISDICTION, output_format=fmt)

    request = client.get_service_request(request_id)
    assert request["service_request_id"] == request_id
    assert request["description"] == "花园路社区3号楼前井盖缺失，很危险"
    assert request["status"] == "open" and request["service_code"] == str(manhole.pk)
    assert request["agency_responsible"] == "劝业场街道办事处"
    assert float(request["lat"]) == pytest.approx(39.117) and float(request["long"]) == pytest.approx(117.2)
    assert request["requested_datetime"].endswith("+08:00")

    def ids(**filters) -> set[str]:
        return {r["service_request_id"] for r in as_list(client.get_service_requests(**filters))}

    assert ids() == {request_id}
    assert ids(service_request_id=request_id) == {request_id}
    assert ids(service_code=str(manhole.pk), status="open") == {request_id}
    start = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")  # the spec's example format
    end = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(start_date=start, end_date=end, status="open,closed") == {request_id}
    if fmt == "json":  # an empty XML list is <service_requests/>, which georeport cannot index (see the docs)
        assert ids(service_code=str(categories["城乡建设/市政设施/路灯"].pk)) == set()
        assert ids(status="closed") == set()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_sees_the_spec_errors(root, tree, categories, fmt):
    client = GeoReport(root_address=root, jurisdiction=JURISDICTION, output_format=fmt)
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_definition("999999")
    assert raised.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_request("999999")
    response = raised.value.response
    assert response.status_code == 404
    errors = response.json() if fmt == "json" else as_list(xmltodict.parse(response.content)["errors"]["error"])
    assert errors[0]["code"] in (404, "404") and errors[0]["description"].startswith("service_request_id")
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_requests(status="pending")
    assert raised.value.response.status_code == 400


# --- the whole loop in JSON, as the spec's examples post ----------------------------------------------------------


def test_json_post_follows_the_token_and_reads_it_back(root, tree, manhole, issue_key):
    client = GeoReport(root_address=root, jurisdiction=JURISDICTION, output_format="json")
    assert str(manhole.pk) in {s["service_code"] for s in client.get_service_list()}
    created = json_post(root, manhole, issue_key(None, application="city-app"))
    assert isinstance(created, list) and len(created) == 1
    assert created[0]["token"] and created[0]["service_notice"]

    request_id = token_lookup(root, created[0]["token"])[0]["service_request_id"]
    assert request_id == created[0]["service_request_id"]
    case = Case.objects.get(pk=int(request_id))
    assert case.request_type == "complaint" and case.title == "井盖缺失" and case.channel == "api"

    request = client.get_service_request(request_id)
    assert request["description"] == "花园路社区3号楼前井盖缺失，很危险" and request["status"] == "open"
    assert "小明" not in str(request) and "13912345678" not in str(request)
    listed = client.get_service_requests(service_code=str(manhole.pk), status="open", service_request_id=request_id)
    assert [r["service_request_id"] for r in listed] == [request_id]


def test_json_post_errors_are_the_spec_error_list(root, tree, manhole, issue_key):
    key = issue_key(None, application="city-app")
    bad_code = requests.post(
        f"{root}/requests.json",
        data={"jurisdiction_id": JURISDICTION, "api_key": key, "service_code": "999999", "address_string": "花园路"},
        timeout=30,
    )
    assert bad_code.status_code == 400 and bad_code.json()[0]["code"] == 400
    assert "service_code" in bad_code.json()[0]["description"]
    bad_key = requests.post(
        f"{root}/requests.json",
        data={
            "jurisdiction_id": JURISDICTION,
            "api_key": "fuhe_wrong",
            "service_code": str(manhole.pk),
            "address_string": "花园路",
        },
        timeout=30,
    )
    assert bad_key.status_code == 403 and "api_key" in bad_key.text
    assert requests.get(f"{root}/tokens/NOSUCHTOKEN.json", timeout=30).status_code == 404
    assert Case.objects.count() == 0


# --- XML writes: codeforamerica open311 1.1's calls ------------------------------------------------------------


def test_xml_post_follows_the_token_and_reads_it_back(root, tree, manhole, issue_key):
    """open311 1.1 post_service_request: POST {endpoint}/requests.xml?jurisdiction_id=…&api_key=… with the form."""
    key = issue_key(None, application="city-app")
    query = urlencode({"jurisdiction_id": JURISDICTION, "api_key": key})
    form = {
        "service_code": str(manhole.pk),
        "address_string": "新华社区8号楼",
        "description": "路边井盖松动",
        "attribute[request_type]": "report",
        "attribute[publish]": "yes",
    }
    response = requests.post(f"{root}/requests.xml?{query}", data=form, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/xml")
    created = xmltodict.parse(response.content)["service_requests"]["request"]
    assert created["token"] and "account_id" in created

    token = xmltodict.parse(
        requests.get(
            f"{root}/tokens/{created['token']}.xml", params={"jurisdiction_id": JURISDICTION}, timeout=30
        ).content
    )
    request_id = token["service_requests"]["request"]["service_request_id"]
    got = requests.get(f"{root}/requests/{request_id}.xml", params={"jurisdiction_id": JURISDICTION}, timeout=30)
    request = xmltodict.parse(got.content)["service_requests"]["request"]
    assert request["description"] == "路边井盖松动" and request["status"] == "open"
    assert Case.objects.get(pk=int(request_id)).region == tree.regions["新华社区"]


def test_a_root_address_ending_in_a_slash_still_works(root, tree, manhole, issue_key):
    """open311 1.1 and node-open311 join the configured endpoint and the path themselves: a city that gives its
    endpoint as ``…/open311/v2/`` gets ``…/open311/v2//requests.xml`` (found broken by open311 1.1)."""
    key = issue_key(None, application="city-app")
    endpoint = root + "/"
    query = urlencode({"jurisdiction_id": JURISDICTION, "api_key": key})
    response = requests.post(
        f"{endpoint}/requests.xml?{query}",
        timeout=30,
        data={"service_code": str(manhole.pk), "address_string": "新华社区8号楼", "attribute[publish]": "yes"},
    )
    assert response.status_code == 200, response.text
    token = xmltodict.parse(response.content)["service_requests"]["request"]["token"]
    assert requests.get(f"{endpoint}/tokens/{token}.xml", timeout=30).status_code == 200
    services = GeoReport(root_address=root.replace("/open311/v2", "//open311//v2"), output_format="xml")
    assert len(as_list(services.get_service_list())) == 3
    missing = requests.get(f"{endpoint}/nothing.xml", timeout=30)
    assert missing.status_code == 404 and xmltodict.parse(missing.content)["errors"]["error"]["code"] == "404"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_browser_app_on_another_origin_can_read_and_post(root, tree, manhole, issue_key, fmt):
    """A city's web app calls Open311 from its own origin: answers carry CORS headers (no cookies are involved,
    the api_key is the credential), preflights are answered, HEAD works wherever GET does."""
    origin = {"Origin": "https://app.city.example"}
    listed = requests.get(f"{root}/services.{fmt}", headers=origin, timeout=30)
    assert listed.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in listed.headers
    preflight = requests.options(
        f"{root}/requests.{fmt}",
        timeout=30,
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,idempotency-key",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert {"content-type", "idempotency-key", "x-api-key"} <= {
        h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")
    }
    posted = requests.post(
        f"{root}/requests.{fmt}",
        headers=origin,
        timeout=30,
        data={
            "api_key": issue_key(None, application="web-app"),
            "service_code": str(manhole.pk),
            "address_string": "新华社区8号楼",
        },
    )
    assert posted.status_code == 200 and posted.headers["Access-Control-Allow-Origin"] == "*"
    refused = requests.post(f"{root}/requests.{fmt}", headers=origin, data={"service_code": "1"}, timeout=30)
    assert refused.status_code == 403 and refused.headers["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in refused.headers["Access-Control-Expose-Headers"]
    head = requests.head(f"{root}/services.{fmt}", timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Type"].startswith("application/json" if fmt == "json" else "text/xml")
    assert requests.delete(f"{root}/services.{fmt}", timeout=30).status_code == 405


def test_a_form_app_posts_every_attribute_of_the_definition_leaving_optional_ones_empty(root, tree, manhole, issue_key):
    """Apps that render the service definition as a form send each attribute, empty when not answered (as HTML
    forms do): an empty optional attribute is no answer, not a bad value."""
    definition = GeoReport(root_address=root, output_format="json").get_service_definition(str(manhole.pk))
    form = {
        "api_key": issue_key(None, application="city-app"),
        "service_code": str(manhole.pk),
        "address_string": "新华社区8号楼",
        "description": "路灯不亮",
    }
    form.update({f"attribute[{a['code']}]": "" for a in definition["attributes"] if not a["required"]})
    assert set(form) >= {"attribute[request_type]", "attribute[title]"}
    response = requests.post(f"{root}/requests.json", data=form, timeout=30)
    assert response.status_code == 200, response.text
    case = Case.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert case.request_type == "help" and case.text == "路灯不亮"
    bad = requests.post(f"{root}/requests.json", data={**form, "attribute[request_type]": "bribe"}, timeout=30)
    assert bad.status_code == 400 and bad.json()[0]["description"].startswith("attribute[request_type]")
