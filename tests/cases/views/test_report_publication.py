"""Publication is the resident's choice: /report/ is private unless the box is ticked; the preview says what."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from fuhe.cases.models import Case

TEXT = "花园路3号楼2单元501室门口井盖缺失，我叫张三，电话13912345678"

# The room number as a number of its own, not three characters inside a random token or id.
ROOM = re.compile(r"(?<![A-Za-z0-9])501(?![A-Za-z0-9])")


def report(client, **extra):
    data = {"text": TEXT, "address": "花园路社区3号楼2单元501室", "phone": "13912345678", "submission_id": "s1"}
    return client.post(reverse("cases:report"), {**data, **extra})


def test_a_report_is_private_unless_the_box_is_ticked(client, tree):
    page = client.get(reverse("cases:report")).content.decode()
    assert 'name="is_public"' in page and "checked" not in page.split('name="is_public"')[1].split(">")[0]
    assert report(client).status_code == 302
    assert Case.objects.get().is_public is False


def test_ticking_the_box_publishes_a_summary(client, tree):
    assert report(client, is_public="on", submission_id="s2").status_code == 302
    assert Case.objects.get().is_public is True


def test_the_preview_shows_the_redacted_summary_and_never_the_phone_or_name(client, tree):
    response = client.post(
        reverse("cases:report") + "?preview=1", {"text": TEXT, "address": "花园路社区3号楼2单元501室"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "花园路社区3号楼*单元***室" in body and "我叫张*" in body and "139****5678" in body
    assert "13912345678" not in body and "张三" not in body and not ROOM.search(body)
    assert not Case.objects.exists()


def test_the_form_page_explains_what_would_be_shown(client, tree):
    page = client.get(reverse("cases:report")).content.decode()
    assert 'id="publish-preview"' in page and "hx-post" in page


@pytest.mark.parametrize(("ticked", "public"), [({}, False), ({"is_public": "on"}, True)])
def test_the_operator_records_the_callers_choice(tree, login, ticked, public):
    client = login(tree.people["dispatcher"])
    form = client.get(reverse("cases:intake")).content.decode()
    assert "checked" not in form.split('name="is_public"')[1].split(">")[0]  # not public unless the caller says so
    data = {
        "text": "路灯不亮",
        "address": "花园路社区",
        "request_type": "help",
        "urgency": "normal",
        "submission_id": f"staff-{public}",
        **ticked,
    }
    assert client.post(reverse("cases:intake"), data).status_code == 302
    assert Case.objects.get().is_public is public
