"""``fuhe.api.access``: a staff member's key sees exactly the cases their web UI shows; everyone else, only the
published cases of their scope (docs/decisions/0014-api-visibility.md)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import Client
from django.urls import reverse

from fuhe.api.access import api_case_get, api_cases, sees_private_cases
from fuhe.cases import selectors
from fuhe.cases.services.intake import case_create
from tests.api.conftest import bearer

STAFF = ("grid", "community", "dispatcher", "handler", "leader", "supervisor", "admin", "jz-dispatcher")
NOT_STAFF = ("resident", "volunteer")


@pytest.mark.parametrize("who", STAFF + NOT_STAFF)
def test_staff_are_told_from_residents_by_their_roles(tree, who):
    assert sees_private_cases(tree.people[who]) is (who in STAFF)


def test_nobody_and_an_application_key_see_no_private_case(tree, cases):
    assert sees_private_cases(AnonymousUser()) is False
    with pytest.raises(Http404):
        api_case_get(user=AnonymousUser(), case_id=cases["hidden"].pk)


@pytest.mark.parametrize("who", STAFF + NOT_STAFF)
def test_the_api_shows_staff_what_their_web_ui_shows_and_others_only_published_cases(
    client, tree, issue_key, cases, who
):
    """Case by case, the API's answer (detail status, listed or not) against the case page's for the same person."""
    key = bearer(issue_key(who))
    web = Client()
    web.force_login(tree.people[who])
    listed = {case["id"] for case in client.get("/api/v1/cases?limit=200", **key).json()["items"]}
    for name, case in cases.items():
        page = web.get(reverse("cases:detail", args=[case.pk])).status_code
        api = client.get(f"/api/v1/cases/{case.pk}", **key).status_code
        assert page in (200, 404) and api in (200, 404), (who, name, page, api)
        expected = page if (who in STAFF or case.is_public) else 404
        assert api == expected, (who, name, page, api)
        assert (case.pk in listed) is (api == 200), (who, name)


def test_the_private_case_is_seen_by_its_street_and_not_by_the_grid_or_another_district(tree, cases):
    """The matrix above is not vacuous: the private case is 200 for some staff, 404 for others."""
    hidden = cases["hidden"]
    assert api_case_get(user=tree.people["dispatcher"], case_id=hidden.pk) == hidden
    for who in ("grid", "jz-dispatcher", "handler", "resident", "volunteer"):
        with pytest.raises(Http404):
            api_case_get(user=tree.people[who], case_id=hidden.pk)


def test_api_cases_keeps_private_cases_for_staff_only(tree, cases):
    for who, expected in (("admin", {"public", "hidden"}), ("resident", {"public"})):
        user = tree.people[who]
        served = set(api_cases(user=user, cases=selectors.case_list(user=user)).values_list("pk", flat=True))
        assert served == {cases[name].pk for name in expected}, who


def test_a_residents_own_private_report_is_not_served_to_their_key(client, tree, issue_key, cases):
    """The web UI lists a resident's own reports; the API serves a resident only the published ones."""
    own = case_create(
        actor=tree.people["resident"], channel="web", text="楼道灯坏了", address="花园路社区3号楼", is_public=False
    ).case
    web = Client()
    web.force_login(tree.people["resident"])
    assert web.get(reverse("cases:detail", args=[own.pk])).status_code == 200  # the page shows it to the reporter
    key = bearer(issue_key("resident"))
    assert client.get(f"/api/v1/cases/{own.pk}", **key).status_code == 404
    listed = {case["id"] for case in client.get("/api/v1/cases?limit=200", **key).json()["items"]}
    assert listed == {cases["public"].pk}
    summonses = client.get(f"/api/v1/cases/{own.pk}/summonses", **key)
    assert summonses.status_code == 404
