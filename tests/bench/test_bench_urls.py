"""The benchmark's endpoints (bench/_bench_urls.py): the floor it reports under ``case_create`` must write the
same rows as ``case_create`` does, and leave the audit chain intact — else its figure would mislead."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from django.db import connection

from fuhe.audit.services import audit_verify
from fuhe.cases.models import Case, CaseEvent

BENCH = Path(__file__).resolve().parents[2] / "bench"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the floor endpoint is SQLite's"),
]

_VARYING = {"id", "tracking_code", "access_token_hash", "created_at"}


@pytest.fixture
def bench_urls(settings, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    settings.ROOT_URLCONF = "_bench_urls"
    yield
    sys.modules.pop("_bench_urls", None)


def test_the_intake_writes_are_the_rows_case_create_writes(bench_urls, client, tree):
    body = json.dumps(
        {
            "text": "楼道灯不亮，晚上看不见路",
            "title": "楼道灯不亮",
            "address": "花园路社区3号楼",
            "region": tree.regions["花园路社区"].id,
            "request_type": "complaint",
            "reporter_phone": "13900001111",
        },
        ensure_ascii=False,
    )
    by_service = client.post("/bench/cases", body, content_type="application/json")
    floor = client.post("/bench/writes", body, content_type="application/json")
    assert by_service.status_code == floor.status_code == 201
    first, second = (Case.objects.values().get(pk=response.json()["id"]) for response in (by_service, floor))
    assert {k: v for k, v in first.items() if k not in _VARYING} == {
        k: v for k, v in second.items() if k not in _VARYING
    }
    assert second["created_at"] >= first["created_at"]
    events = [
        list(CaseEvent.objects.filter(case_id=pk).values_list("action", "to_state", "data"))
        for pk in (first["id"], second["id"])
    ]
    assert events[0] == events[1] == [("receive", "received", {"channel": "api"})]
    checked, breaches = audit_verify()
    assert checked >= 2 and breaches == []


@pytest.mark.parametrize("path", ["/bench/bare", "/bench/writes", "/bench/cases"])
def test_every_endpoint_refuses_what_is_not_a_json_object(bench_urls, client, path):
    for body in ("not json", "[1, 2]"):
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 400 and response.json() == {"error": "send a JSON object"}
    assert client.get(path).status_code == 405
