"""A resident who left no phone follows the case with the tracking code and the query password (查询密码) shown
once after reporting; a wrong password counts towards the code's lockout like wrong phone digits."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from fuhe.cases.models import Case
from fuhe.cases.services.intake import CODE_ALPHABET, hash_token

pytestmark = pytest.mark.django_db

PASSWORD = re.compile(rf'id="query-password">([{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}})<')


@pytest.fixture
def limits(settings):
    settings.FUHE_RATE_LIMITS = {**settings.FUHE_RATE_LIMITS, "track": "100/m", "track_failures": "5/15m"}


def report_without_phone(client) -> tuple[Case, str, str]:
    data = {"text": "五大道路口积水严重", "address": "五大道社区", "submission_id": "no-phone-1"}
    response = client.post(reverse("cases:report"), data)
    page = client.get(response["Location"]).content.decode()
    case = Case.objects.get()
    assert case.reporter_phone == ""
    return case, page, PASSWORD.search(page).group(1)


def track(client, case, **given):
    return client.post(reverse("cases:track"), {"code": case.tracking_code, **given})


def test_the_confirmation_shows_the_password_once_grouped_with_the_link(tree, client):
    case, page, password = report_without_phone(client)
    secret = password.replace("-", "")
    assert f"?t={secret}" in page  # the link carries the same secret
    # stored keyed by the tracking code: a copy of the database is not one search for every case's password
    assert case.access_token_hash == hash_token(secret, code=case.tracking_code) != hash_token(secret)
    assert 'id="password-notice"' in page
    again = client.get(reverse("cases:track_case", args=[case.tracking_code])).content.decode()
    assert secret not in again and 'id="query-password"' not in again  # shown once


@pytest.mark.parametrize("typed", ["{}", "{lower}", "{spaced}"])
def test_the_code_and_the_password_open_the_case_in_another_browser(tree, client, typed):
    case, _page, password = report_without_phone(client)
    typed = typed.format(password, lower=password.lower(), spaced=password.replace("-", " "))
    other = Client()
    opened = track(other, case, password=typed)
    assert opened.status_code == 302
    assert case.text in other.get(opened["Location"]).content.decode()


def test_a_wrong_password_opens_nothing_and_counts_towards_the_lockout(tree, client, limits):
    case, _page, password = report_without_phone(client)
    other = Client()
    wrong = "ABCD-EFGH-JKMN" if password != "ABCD-EFGH-JKMN" else "NMKJ-HGFE-DCBA"
    for _ in range(5):
        refused = track(other, case, password=wrong)
        assert refused.status_code == 200 and case.text not in refused.content.decode()
    locked = track(other, case, password=password)
    assert locked.status_code == 429  # the lockout holds for the right password too
    assert other.get(reverse("cases:track_case", args=[case.tracking_code])).status_code == 404


def test_the_form_asks_for_the_digits_or_the_password(tree, client, limits):
    case, _page, _password = report_without_phone(client)
    empty = track(Client(), case)
    assert empty.status_code == 200 and '<div class="error" role="alert">' in empty.content.decode()
    assert empty.context["form"].non_field_errors()  # neither the digits nor the password
    malformed = track(Client(), case, password="ABC")
    assert malformed.context["form"].has_error("password")
    assert "ABCD-EFGH-JKMN" in malformed.content.decode()  # the error shows what a password looks like


def test_a_malformed_password_is_not_a_wrong_try(tree, client, limits):
    case, _page, password = report_without_phone(client)
    for _ in range(6):
        track(client, case, password="0000-OOOO-1111")  # characters no password has
    assert track(Client(), case, password=password).status_code == 302


def test_the_links_of_older_cases_keep_working(tree, client):
    case, _page, _password = report_without_phone(client)
    old = "q3Jx-0b_Yh8PZLwAq9s1dw"  # secrets.token_urlsafe(16), as cases were given before query passwords
    Case.objects.filter(pk=case.pk).update(access_token_hash=hash_token(old))
    other = Client()
    page = other.get(reverse("cases:track_case", args=[case.tracking_code]), {"t": old})
    assert page.status_code == 200 and case.text in page.content.decode()
    assert track(Client(), case, password=old).status_code == 200  # not a query password: no access by the form
