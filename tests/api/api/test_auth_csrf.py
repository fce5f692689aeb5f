import json

from django.test import Client

from tests.api.conftest import bearer

BODY = json.dumps({"text": "花园路路灯不亮", "address": "花园路社区3号楼"})


def test_no_credentials_is_401(client, tree):
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_session_reads_without_csrf_token(tree):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(tree.people["dispatcher"])
    assert browser.get("/api/v1/cases").status_code == 200


def test_a_session_write_without_csrf_token_is_refused(tree):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(tree.people["dispatcher"])
    response = browser.post("/api/v1/cases", BODY, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_session_write_with_the_csrf_token_is_accepted(tree):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(tree.people["dispatcher"])
    browser.get("/cases/")  # sets the csrftoken cookie like any page of the web UI
    token = browser.cookies["csrftoken"].value
    response = browser.post("/api/v1/cases", BODY, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


def test_an_api_key_needs_no_csrf_token(tree, issue_key):
    machine = Client(enforce_csrf_checks=True)
    response = machine.post("/api/v1/cases", BODY, content_type="application/json", **bearer(issue_key()))
    assert response.status_code == 201


def test_x_api_key_header_is_accepted(client, tree, issue_key):
    assert client.get("/api/v1/categories", HTTP_X_API_KEY=issue_key()).status_code == 200
