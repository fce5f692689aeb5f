"""No phone number, reporter name or address detail comes out of any endpoint, JSON API or Open311; a private
case comes out only to the staff whose web UI shows it (redacted), never to other keys and never through Open311."""

from __future__ import annotations

import json
import re

import pytest

from fuhe.audit.core.masking import redact
from tests.api.conftest import HIDDEN_ADDRESS, HIDDEN_DETAIL, PHONE, SECRET_TEXT, bearer

FULL_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
#: staff whose web UI shows the private case: its street and community, the district's leader and administrator,
#: and the department summoned on it (``summoned``)
IN_SCOPE = ("dispatcher", "community", "admin", "leader", "handler")
#: a resident, a volunteer, staff of a grid, another street and another district: the case does not exist for them
OUT_OF_SCOPE = ("resident", "volunteer", "grid", "xbl-dispatcher", "jz-dispatcher")
#: the private case's own words (its redacted text still holds them)
PRIVATE_WORDS = ("内部线索", "举报人住址")
SUMMONS_REASON = "联系人李秘密 13700001111，到5号楼2单元301室现场"


@pytest.fixture
def summoned(client, tree, cases, issue_key, other_street_dispatcher):
    """The street summons 和平区城管委 on the private case through the API (its reason full of personal data)."""
    body = {"department_ids": [tree.units["和平区城管委"].pk], "reason": SUMMONS_REASON}
    response = client.post(
        f"/api/v1/cases/{cases['hidden'].pk}/summonses",
        json.dumps(body),
        content_type="application/json",
        **bearer(issue_key("dispatcher")),
    )
    assert response.status_code == 201, response.content
    return response.json()


def bodies(client, key, cases, categories) -> dict[str, str]:
    hidden, public = cases["hidden"], cases["public"]
    service = categories["城乡建设/市政设施/井盖"].pk
    urls = [
        "/api/v1/cases",
        "/api/v1/cases?state=all&limit=200",
        f"/api/v1/cases?q={hidden.tracking_code}",
        "/api/v1/cases?q=内部线索",
        f"/api/v1/cases/{public.pk}",
        f"/api/v1/cases/{hidden.pk}",
        "/api/v1/categories",
        "/api/v1/categories/tree",
        "/api/v1/regions?q=花园",
        "/api/v1/regions/roots",
        f"/api/v1/regions/{public.region_id}",
        f"/api/v1/regions/{public.region.parent_id}/children",
        "/api/v1/units",
        "/api/v1/rates?by=category",
        "/api/v1/rates?by=street",
        "/api/v1/openapi.json",
    ]
    for fmt in ("json", "xml"):
        urls += [
            f"/open311/v2/services.{fmt}",
            f"/open311/v2/services/{service}.{fmt}",
            f"/open311/v2/requests.{fmt}",
            f"/open311/v2/requests.{fmt}?status=open",
            f"/open311/v2/requests.{fmt}?service_request_id={public.pk},{hidden.pk},{hidden.tracking_code}",
            f"/open311/v2/requests/{public.pk}.{fmt}",
            f"/open311/v2/requests/{hidden.pk}.{fmt}",
            f"/open311/v2/requests/{hidden.tracking_code}.{fmt}",
            f"/open311/v2/tokens/{hidden.tracking_code}.{fmt}",
            f"/open311/v2/tokens/{public.tracking_code}.{fmt}",
        ]
    return {url: client.get(url, **bearer(key)).content.decode() for url in urls}


@pytest.mark.parametrize("who", IN_SCOPE + OUT_OF_SCOPE)
def test_no_personal_data_anywhere_and_no_private_case_out_of_scope(
    client, tree, issue_key, cases, categories, summoned, who
):
    hidden = cases["hidden"]
    for url, body in bodies(client, issue_key(who), cases, categories).items():
        assert not FULL_PHONE.search(body), (url, FULL_PHONE.search(body))
        for secret in ("王小明", *HIDDEN_DETAIL):
            assert secret not in body, (url, secret)
        if who in OUT_OF_SCOPE or url.startswith("/open311/"):
            for secret in (*PRIVATE_WORDS, hidden.tracking_code):
                assert secret not in body, (url, secret)


@pytest.mark.parametrize("who", IN_SCOPE)
def test_staff_in_scope_see_the_private_case_only_redacted(client, tree, issue_key, cases, summoned, who):
    key, hidden = bearer(issue_key(who)), cases["hidden"]
    detail = client.get(f"/api/v1/cases/{hidden.pk}", **key)
    assert detail.status_code == 200, detail.content
    shown = detail.json()
    assert shown["text"] == redact(SECRET_TEXT) and shown["text"].startswith("内部线索：联系人李**，电话137****1111")
    assert shown["address"] == redact(HIDDEN_ADDRESS) == "花园路社区5号楼*单元***室"
    assert shown["reporter_phone"] == "136****2222" and shown["is_public"] is False
    assert not {key for key in shown if "name" in key}  # no reporter name under any key
    assert shown["summonses"][0]["reason"] == redact(SUMMONS_REASON)
    assert all(secret not in event["reason"] for event in shown["timeline"] for secret in HIDDEN_DETAIL)
    listed = client.get("/api/v1/cases?limit=200", **key).json()["items"]
    assert hidden.pk in {case["id"] for case in listed}
    found = client.get("/api/v1/cases?q=内部线索", **key).json()["items"]
    assert [case["id"] for case in found] == [hidden.pk] and found[0]["text"] == shown["text"]


def test_there_is_no_reveal_in_the_api(client, tree):
    """The full phone and text are an audited click on the case page, never an API call."""
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert paths and not [path for path in paths if "reveal" in path or "personal" in path]


def test_masked_phone_is_shown_where_the_reporter_left_it(client, tree, issue_key, cases):
    detail = client.get(f"/api/v1/cases/{cases['public'].pk}", **bearer(issue_key())).json()
    assert detail["reporter_phone"] == "139****5678" and "139****5678" in detail["text"]
    assert PHONE not in str(detail)


def test_non_public_cases_are_served_to_staff_in_scope_only(client, tree, issue_key, cases, other_street_dispatcher):
    hidden = cases["hidden"]
    url, dispatch = f"/api/v1/cases/{hidden.pk}", f"/api/v1/cases/{hidden.pk}/actions/dispatch"
    body = json.dumps({"unit_id": tree.units["和平区城管委"].pk})
    dispatcher = bearer(issue_key("dispatcher"))  # the case is in their street: the web UI shows it, so does the API
    missing = client.get("/api/v1/cases/999999999", **dispatcher)
    for who in ("xbl-dispatcher", "resident"):  # another street of the district; a resident of the community
        key = bearer(issue_key(who))
        answer = client.get(url, **key)
        assert answer.status_code == 404 and answer.content == missing.content, who
        assert client.post(dispatch, body, content_type="application/json", **key).status_code == 404, who
        ids = {c["id"] for c in client.get("/api/v1/cases?limit=200", **key).json()["items"]}
        assert hidden.pk not in ids, who
    resident_ids = {c["id"] for c in client.get("/api/v1/cases", **bearer(issue_key("resident"))).json()["items"]}
    assert resident_ids == {cases["public"].pk}  # the resident's own published report, nothing else
    hidden.refresh_from_db()
    assert hidden.state == "received" and hidden.owner_unit is None  # nothing happened

    shown = client.get(url, **dispatcher)
    assert shown.status_code == 200 and shown.json()["text"] == redact(SECRET_TEXT)
    ids = {c["id"] for c in client.get("/api/v1/cases?limit=200", **dispatcher).json()["items"]}
    assert {cases["public"].pk, hidden.pk} <= ids
    dispatched = client.post(dispatch, body, content_type="application/json", **dispatcher)
    assert dispatched.status_code == 200, dispatched.content
    assert dispatched.json()["state"] == "dispatched" and dispatched.json()["owner_unit"]["name"] == "和平区城管委"
    assert not FULL_PHONE.search(dispatched.content.decode())


def test_open311_never_lists_non_public_cases(client, tree, cases):
    listed = client.get("/open311/v2/requests.json").json()
    assert str(cases["hidden"].pk) not in {r["service_request_id"] for r in listed}
    assert client.get(f"/open311/v2/requests/{cases['hidden'].pk}.json").status_code == 404
    assert client.get(f"/open311/v2/tokens/{cases['hidden'].tracking_code}.json").status_code == 404
