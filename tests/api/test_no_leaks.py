"""No phone number, reporter name or non-public case comes out of any endpoint, JSON API or Open311."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import PHONE, bearer

FULL_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


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


@pytest.mark.parametrize("who", ["dispatcher", "community", "admin", "resident"])
def test_no_personal_data_or_non_public_case_anywhere(client, tree, issue_key, cases, categories, who):
    hidden = cases["hidden"]
    for url, body in bodies(client, issue_key(who), cases, categories).items():
        assert not FULL_PHONE.search(body), (url, FULL_PHONE.search(body))
        for secret in ("王小明", "李秘密", "内部线索", hidden.tracking_code, "举报人住址"):
            assert secret not in body, (url, secret)


def test_masked_phone_is_shown_where_the_reporter_left_it(client, tree, issue_key, cases):
    detail = client.get(f"/api/v1/cases/{cases['public'].pk}", **bearer(issue_key())).json()
    assert detail["reporter_phone"] == "139****5678" and "139****5678" in detail["text"]
    assert PHONE not in str(detail)


def test_non_public_cases_are_404_in_the_json_api_too(client, tree, issue_key, cases):
    key = issue_key("dispatcher")  # the case is in their street: the web UI shows it, the API does not
    assert client.get(f"/api/v1/cases/{cases['hidden'].pk}", **bearer(key)).status_code == 404
    response = client.post(
        f"/api/v1/cases/{cases['hidden'].pk}/actions/urge", "{}", content_type="application/json", **bearer(key)
    )
    assert response.status_code == 404
    ids = {c["id"] for c in client.get("/api/v1/cases?limit=200", **bearer(key)).json()["items"]}
    assert cases["public"].pk in ids and cases["hidden"].pk not in ids


def test_open311_never_lists_non_public_cases(client, tree, cases):
    listed = client.get("/open311/v2/requests.json").json()
    assert str(cases["hidden"].pk) not in {r["service_request_id"] for r in listed}
    assert client.get(f"/open311/v2/requests/{cases['hidden'].pk}.json").status_code == 404
    assert client.get(f"/open311/v2/tokens/{cases['hidden'].tracking_code}.json").status_code == 404
