"""The holiday-schedule page (district administrators), the staff banner, and the case page's provisional flag."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from fuhe.accounts.models import Role, RoleAssignment
from fuhe.cases.core.workcalendar import SHANGHAI
from fuhe.cases.models import CalendarDay
from fuhe.cases.services import lifecycle as loop

pytestmark = pytest.mark.django_db

URL = reverse("cases:calendar_import")
SCHEDULE = "日期,类型,名称\n2027-01-01,休,元旦\n2027-01-04,休,元旦\n2027-02-14,班,春节\n"
TODAY = datetime(2026, 12, 2, 9, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def upload(text: str, name: str = "2027.csv") -> io.BytesIO:
    file = io.BytesIO(text.encode())
    file.name = name
    return file


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_only_district_administrators_see_the_page(tree, login, client):
    assert client.get(URL).status_code == 302  # to the login page
    street_admin = tree.people["community"]
    RoleAssignment.objects.create(user=street_admin, role=Role.ADMINISTRATOR, region=tree.regions["劝业场街道"])
    for username in ("dispatcher", "leader", "community"):
        assert login(tree.people[username]).get(URL).status_code == 404
    page = login(tree.people["admin"]).get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-year="2026" data-known="yes"' in body and 'data-year="2027" data-known="no"' in body
    assert 'name="year" type="number" min="2000" max="2100" value="2027"' in body


def test_uploading_loads_the_year_and_shows_the_result(tree, login):
    client = english(login(tree.people["admin"]))
    response = client.post(URL, {"year": "2027", "file": upload(SCHEDULE)})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="calendar-result"' in body
    assert "2 days off and 1 make-up working days." in body
    assert "The schedule does not give 2027-02-05 (春节) off" in body  # the file leaves out statutory days
    assert 'data-year="2027" data-known="yes"' in body and 'id="calendar-banner"' not in body
    assert CalendarDay.objects.count() == 3


def test_errors_are_listed_by_row_and_nothing_is_loaded(tree, login):
    client = english(login(tree.people["admin"]))
    body = client.post(URL, {"year": "2027", "file": upload("2027-01-01,休,元旦\n2027-01-32,休,\n")}).content.decode()
    assert "Nothing was loaded:" in body and "Row 2, column “Date”: 2027-01-32 is not a date" in body
    body = client.post(URL, {"year": "2027"}).content.decode()
    assert "File: choose a .csv, .txt or .xlsx file" in body
    body = client.post(URL, {"year": "", "file": upload(SCHEDULE)}).content.decode()  # the form's default year
    assert CalendarDay.objects.count() == 3
    body = client.post(URL, {"year": "2027", "file": upload(SCHEDULE)}).content.decode()
    assert "Year: the schedule of 2027 is already loaded (3 days)" in body


def test_the_banner_warns_staff_and_links_administrators_to_the_page(tree, login):
    home = reverse("web:home")
    admin = english(login(tree.people["admin"])).get(home).content.decode()
    assert 'id="calendar-banner"' in admin and "The official holiday schedule of 2027 is not loaded" in admin
    assert f'href="{URL}"' in admin
    dispatcher = login(tree.people["dispatcher"]).get(home).content.decode()
    assert 'id="calendar-banner"' in dispatcher and f'href="{URL}"' not in dispatcher
    resident = login(tree.people["resident"]).get(home).content.decode()
    assert 'id="calendar-banner"' not in resident


def test_no_banner_in_october_nor_once_loaded(tree, login):
    client = login(tree.people["dispatcher"])
    with time_machine.travel(datetime(2026, 10, 31, 9, tzinfo=SHANGHAI), tick=False):
        assert 'id="calendar-banner"' not in client.get(reverse("web:home")).content.decode()
    CalendarDay.objects.create(day=datetime(2027, 1, 1).date(), is_workday=False)
    assert 'id="calendar-banner"' not in client.get(reverse("web:home")).content.decode()


def test_the_case_page_shows_the_provisional_flag_and_the_recomputation(tree, login, new_case):
    with time_machine.travel(datetime(2026, 12, 28, 10, tzinfo=SHANGHAI), tick=False):
        case = loop.case_dispatch(actor=tree.people["dispatcher"], case=new_case(), unit=tree.units["和平区城管委"])
        client = english(login(tree.people["dispatcher"]))
        detail = reverse("cases:detail", args=[case.pk])
        assert "deadline on fallback calendar" in client.get(detail).content.decode()
        english(login(tree.people["admin"])).post(URL, {"year": "2027", "file": upload(SCHEDULE)})
        body = english(login(tree.people["dispatcher"])).get(detail).content.decode()
    assert "deadline on fallback calendar" not in body
    assert "deadline recomputed (official holiday schedule)" in body
    assert "resolve by 2027-01-05 17:30 → 2027-01-06 17:30" in body
