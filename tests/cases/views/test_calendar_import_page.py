"""The holiday-schedule page shows a bad file's rows as errors (role=alert), in the reader's language."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from fuhe.cases.core.workcalendar import SHANGHAI
from fuhe.cases.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_kept():
    """A request with a language cookie activates it for the thread: the tests after these read their own."""
    with translation.override(translation.get_language()):
        yield


URL = reverse("cases:calendar_import")
BAD = "开始,结束,类型,名称\n2027-02-11,2027-02-05,休,春节\n2027-03-01,2027-03-01,放风,\n"


def upload(text: str) -> io.BytesIO:
    file = io.BytesIO(text.encode())
    file.name = "2027.csv"
    return file


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Row 2, column “End”: the range ends before it starts", "Row 3, column “Type”: 放风 is neither"]),
        ("zh-hans", ["第 2 行，“结束”：该时段的结束日期早于开始日期", "第 3 行，“类型”："]),
    ],
)
def test_a_bad_schedule_lists_its_rows_as_errors(tree, login, language, expected):
    client = login(tree.people["admin"])
    client.cookies["django_language"] = language
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=SHANGHAI), tick=False):
        body = client.post(URL, {"year": "2027", "file": upload(BAD)}).content.decode()
    alert = body[body.index('role="alert"') : body.index("</ul>", body.index('id="calendar-errors"'))]
    assert all(text in alert for text in expected), alert
    assert "row 2, field" not in body and not CalendarDay.objects.exists()
