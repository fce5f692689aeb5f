"""NUL characters are refused at the edge, naming the field (PostgreSQL cannot store them; before the guard a
query parameter holding one made the JSON API answer 500 on PostgreSQL)."""

from __future__ import annotations

import json

import pytest


@pytest.mark.django_db
def test_api_query_parameter_with_nul_is_a_422_naming_it(client, tree):
    response = client.get("/api/v1/categories", {"q": "路灯\x00坏了"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["query", "q"], "msg": "must not contain NUL characters (U+0000)", "type": "value_error"}]
    }


@pytest.mark.django_db
def test_api_json_body_with_escaped_nul_is_a_422(client, tree):
    response = client.post("/api/v1/cases", data=json.dumps({"text": "a\u0000b"}), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


@pytest.mark.django_db
def test_open311_answers_in_the_spec_error_format(client, tree):
    response = client.get("/open311/v2/requests.json", {"status": "open\x00"})
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "状态：不能包含空字符（U+0000）"}]
    xml = client.get("/open311/v2/requests.xml", {"q<": "\x00"})
    assert xml.status_code == 400 and b"<code>400</code>" in xml.content and b"q&lt;" in xml.content


@pytest.mark.django_db
def test_web_form_post_with_nul_names_the_field_and_saves_nothing(client, tree):
    from fuhe.cases.models import Case

    before = Case.objects.count()
    response = client.post("/report/", {"text": "楼道\x00堆物", "phone": "13800000000"})
    assert response.status_code == 400
    assert response.content.decode() == "内容：不能包含空字符（U+0000）"
    assert Case.objects.count() == before
    client.cookies["django_language"] = "en"
    response = client.post("/report/", {"text": "楼道\x00堆物", "phone": "13800000000"})
    assert response.content.decode() == "Text: must not contain NUL characters (U+0000)"


@pytest.mark.django_db
def test_ordinary_input_passes(client, tree):
    assert client.get("/api/v1/categories", {"q": "路灯"}).status_code in (200, 401)


def test_open311_with_doubled_slashes_still_answers_in_the_spec_format(rf):
    from fuhe.web.middleware import NulCharacterGuardMiddleware

    request = rf.get("/open311/v2/requests.json", {"status": "open\x00"})
    request.path = request.path_info = "//open311//v2/requests.json"  # what a root address ending in "/" makes
    response = NulCharacterGuardMiddleware(lambda request: None)(request)
    assert response.status_code == 400 and json.loads(response.content)[0]["code"] == 400
