import json

import pytest

from fuhe.ui.ratelimit import parse_rate
from tests.api.conftest import bearer

BODY = json.dumps({"text": "花园路路灯不亮", "address": "花园路社区3号楼"})


def test_writes_are_limited_per_key_with_retry_after(client, tree, issue_key, settings):
    settings.FUHE_RATE_LIMITS = {"write": "2/m", "read": "100/m", "public_read": "100/m"}
    key, other = issue_key("dispatcher"), issue_key("community")
    for _ in range(2):
        assert client.post("/api/v1/cases", BODY, content_type="application/json", **bearer(key)).status_code == 201
    refused = client.post("/api/v1/cases", BODY, content_type="application/json", **bearer(key))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert client.post("/api/v1/cases", BODY, content_type="application/json", **bearer(other)).status_code == 201
    assert client.get("/api/v1/categories", **bearer(key)).status_code == 200  # reads have their own budget


def test_reads_are_limited_per_key(client, tree, issue_key, settings):
    settings.FUHE_RATE_LIMITS = {"read": "3/m"}
    key = issue_key()
    statuses = [client.get("/api/v1/categories", **bearer(key)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_open311_reads_are_limited_per_address(client, tree, settings):
    settings.FUHE_RATE_LIMITS = {"public_read": "2/m"}
    for _ in range(2):
        assert client.get("/open311/v2/services.json", REMOTE_ADDR="10.0.0.1").status_code == 200
    refused = client.get("/open311/v2/services.xml", REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert b"<errors><error><code>429</code>" in refused.content
    assert client.get("/open311/v2/services.json", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_open311_posts_are_limited_per_key(client, tree, issue_key, categories, settings):
    settings.FUHE_RATE_LIMITS = {"write": "1/m"}
    key = issue_key()
    params = {"api_key": key, "service_code": categories["城乡建设/市政设施/井盖"].pk, "address_string": "花园路社区"}
    assert client.post("/open311/v2/requests.json", params).status_code == 200
    refused = client.post("/open311/v2/requests.json", params)
    assert refused.status_code == 429 and refused.json()[0]["code"] == 429 and refused["Retry-After"]


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(client, tree, settings):
    settings.FUHE_RATE_LIMITS = {"public_read": "1/m"}
    settings.FUHE_TRUSTED_PROXIES = 1
    assert client.get("/open311/v2/services.json", HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.get("/open311/v2/services.json", HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 200
    assert client.get("/open311/v2/services.json", HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429


def test_an_empty_limit_disables_the_group(client, tree, settings):
    settings.FUHE_RATE_LIMITS = {"public_read": ""}
    assert all(client.get("/open311/v2/services.json").status_code == 200 for _ in range(5))


def test_rates_are_parsed_and_bad_ones_refused():
    from django.core.exceptions import ImproperlyConfigured

    assert parse_rate("30/m").count == 30 and parse_rate("30/m").seconds == 60
    assert parse_rate("5/hour").seconds == 3600
    assert parse_rate("5/15m").count == 5 and parse_rate("5/15m").seconds == 900
    for bad in ("lots", "5/0m", "5/15x", "5/m15"):
        with pytest.raises(ImproperlyConfigured):
            parse_rate(bad)
