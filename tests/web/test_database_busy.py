"""A write that meets a busy database answers with a clear message in the user's language and keeps what was typed,
never a bare 500 (issue 13, item 4)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.utils import OperationalError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from fuhe.cases.models import Case
from fuhe.web.middleware import DatabaseBusyMiddleware, is_database_busy

pytestmark = pytest.mark.django_db

BUSY = OperationalError("database is locked: another writer held it for 20 s")


def test_a_report_meeting_a_busy_database_keeps_the_text_and_can_be_sent_again(tree, client, monkeypatch):
    def busy(**kwargs):
        raise BUSY

    monkeypatch.setattr("fuhe.cases.views.case_create", busy)
    data = {"text": "楼道灯坏了三天，老人晚上看不见", "address": "五大道社区", "submission_id": "busy-1"}
    answer = client.post(reverse("cases:report"), data)
    page = answer.content.decode()
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    assert 'role="alert"' in page and "系统繁忙" in page
    # shown to the resident, and in the form that sends it again
    assert page.count("楼道灯坏了三天，老人晚上看不见") == 2 and page.count("五大道社区") == 2
    assert 'name="submission_id" value="busy-1"' in page  # the same submission: sending again cannot duplicate
    assert Case.objects.count() == 0

    monkeypatch.undo()
    again = client.post(reverse("cases:report"), data)
    assert again.status_code == 302 and Case.objects.get().text == data["text"]


def test_other_database_errors_are_not_disguised_as_busy():
    assert is_database_busy(BUSY)
    assert is_database_busy(OperationalError("canceling statement due to lock timeout"))
    assert not is_database_busy(OperationalError("no such table: cases_case"))
    assert not is_database_busy(ValueError("database is locked"))
    middleware = DatabaseBusyMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().post("/report/"), OperationalError("disk I/O error")) is None


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/api/v1/cases", "application/json"), ("/open311/v2/requests.json", "application/json")],
)
def test_the_api_and_open311_answer_busy_in_their_own_format(path, content_type):
    middleware = DatabaseBusyMiddleware(lambda request: None)
    with translation.override("zh-hans"):
        answer = middleware.process_exception(RequestFactory().post(path), BUSY)
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    assert answer["Content-Type"].startswith(content_type)
    assert "系统繁忙" in json.dumps(json.loads(answer.content), ensure_ascii=False)


def test_open311_xml_stays_xml():
    middleware = DatabaseBusyMiddleware(lambda request: None)
    answer = middleware.process_exception(RequestFactory().post("/open311/v2/requests.xml"), BUSY)
    assert answer.status_code == 503 and answer.content.startswith(b"<?xml") and b"<code>503</code>" in answer.content


def test_a_password_is_never_written_back_into_the_busy_page():
    middleware = DatabaseBusyMiddleware(lambda request: None)
    request = RequestFactory().post("/accounts/login/", {"username": "dispatcher", "password": "秘密口令 2026"})
    request.user = AnonymousUser()
    page = middleware.process_exception(request, BUSY).content.decode()
    assert "dispatcher" in page and "秘密口令" not in page and 'name="password"' not in page
