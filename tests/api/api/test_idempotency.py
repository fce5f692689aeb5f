import json
import threading

import pytest
from django.db import connection
from django.test import Client

from fuhe.api.models import ApiKey
from fuhe.api.schemas import CaseIn
from fuhe.api.services import body_fingerprint, idempotency_begin
from fuhe.cases.models import Case
from tests.api.conftest import bearer

BODY = {"text": "花园路路灯不亮", "address": "花园路社区3号楼"}


def post(client, key, body=BODY, idempotency_key="abc-123"):
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    return client.post("/api/v1/cases", json.dumps(body), content_type="application/json", **bearer(key), **headers)


def test_same_key_same_body_returns_the_first_response_and_creates_one_case(client, tree, issue_key):
    key = issue_key()
    first, second = post(client, key), post(client, key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first.json()["access_token"]  # the secret shown once is replayed to the same sender only
    assert second["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_same_key_different_body_is_refused(client, tree, issue_key):
    key = issue_key()
    post(client, key)
    response = post(client, key, body={**BODY, "text": "另一件事"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert Case.objects.count() == 1


def test_keys_are_per_sender(client, tree, issue_key):
    post(client, issue_key("dispatcher"))
    post(client, issue_key("community"))
    assert Case.objects.count() == 2


def test_without_a_key_every_call_creates(client, tree, issue_key):
    key = issue_key()
    post(client, key, idempotency_key=None)
    post(client, key, idempotency_key=None)
    assert Case.objects.count() == 2


def test_a_retry_while_the_first_request_is_processed_gets_409(client, tree, issue_key):
    key = issue_key()
    api_key = ApiKey.objects.get()
    idempotency_begin(
        owner=f"key:{api_key.pk}",
        endpoint="api.cases.create",
        key="abc-123",
        fingerprint=body_fingerprint(CaseIn(**BODY).dict()),
    )  # the first request, not finished
    response = post(client, key)
    assert response.status_code == 409
    assert Case.objects.count() == 0


def test_bad_input_releases_the_key(client, tree, issue_key):
    key = issue_key()
    assert post(client, key, body={"text": "无地点"}).status_code == 422
    assert post(client, key, body=BODY).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_case(tree, issue_key, monkeypatch):
    """Two requests with one key at the same moment: one creates, the other is told 409."""
    import fuhe.api.cases as cases_api

    key = issue_key()
    started, release = threading.Event(), threading.Event()
    original = cases_api.case_create

    def slow_create(**kwargs):
        started.set()
        release.wait(5)
        return original(**kwargs)

    monkeypatch.setattr(cases_api, "case_create", slow_create)
    results = {}

    def first():
        results["first"] = post(Client(), key).status_code
        connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(5)
    results["second"] = post(Client(), key).status_code
    release.set()
    thread.join(10)
    assert results == {"first": 201, "second": 409}
    assert post(Client(), key).status_code == 201  # once finished, a retry replays the first answer
    assert Case.objects.count() == 1
