"""The full phone and text of a case are one audited click away, for those who may see the reporter only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fuhe.audit.models import AuditEvent

PHONE = "13912345678"
TEXT = "花园路3号楼2单元501室门口井盖缺失，我叫张三，请回电13700001111"


@pytest.fixture
def case(new_case):
    return new_case(text=TEXT, address="花园路社区3号楼2单元501室", reporter_phone=PHONE, reporter_name="张三")


def reveal_events(case):
    return AuditEvent.objects.filter(object_id=str(case.pk), action__in=["case.reporter_phone.view", "case.text.view"])


def test_the_page_shows_the_phone_masked_with_a_button_and_records_nothing(tree, login, case):
    page = login(tree.people["dispatcher"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "139****5678" in page and PHONE not in page and "13700001111" not in page
    assert reverse("cases:reveal", args=[case.pk, "reporter_phone"]) in page
    assert reverse("cases:reveal", args=[case.pk, "text"]) in page
    assert "花园路社区3号楼2单元501室" in page  # the handling side must find the door
    assert not reveal_events(case).exists()


@pytest.mark.parametrize("who", ["dispatcher", "handler"])
def test_revealing_the_phone_leaves_exactly_one_audit_event(tree, login, case, who):
    user = tree.people[who]
    if who == "handler":
        case.owner_unit = tree.units["和平区城管委"]
        case.save(update_fields=["owner_unit"])
    response = login(user).post(reverse("cases:reveal", args=[case.pk, "reporter_phone"]))
    assert response.status_code == 200 and PHONE in response.content.decode()
    events = list(reveal_events(case))
    assert len(events) == 1
    event = events[0]
    assert event.action == "case.reporter_phone.view" and event.actor_id == user.pk
    assert event.object_type == "cases.case" and event.object_id == str(case.pk)
    assert event.summary == {"field": "reporter_phone"}


def test_revealing_the_text_is_recorded_too(tree, login, case):
    user = tree.people["dispatcher"]
    response = login(user).post(reverse("cases:reveal", args=[case.pk, "text"]))
    assert response.status_code == 200 and "13700001111" in response.content.decode()
    assert [(e.action, e.actor_id) for e in reveal_events(case)] == [("case.text.view", user.pk)]


@pytest.mark.parametrize("who", ["community", "leader", "supervisor", "grid", "jz-dispatcher"])
def test_masked_roles_cannot_reveal(tree, login, case, who):
    client = login(tree.people[who])
    for field in ("reporter_phone", "text"):
        response = client.post(reverse("cases:reveal", args=[case.pk, field]))
        assert response.status_code == 404 and PHONE not in response.content.decode()
    assert not reveal_events(case).exists()


def test_only_known_fields_and_only_post(tree, login, case):
    client = login(tree.people["dispatcher"])
    assert client.post(reverse("cases:reveal", args=[case.pk, "reporter_name"])).status_code == 404
    assert client.get(reverse("cases:reveal", args=[case.pk, "reporter_phone"])).status_code == 405
    assert not reveal_events(case).exists()


def test_masked_roles_see_the_case_redacted(tree, login, case):
    page = login(tree.people["community"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "3号楼*单元***室" in page and "501室" not in page  # text and address: building kept, flat hidden
    assert "我叫张*" in page and "张三" not in page  # the name in the text and the reporter's name
    assert "137****1111" in page and "139****5678" in page
    assert reverse("cases:reveal", args=[case.pk, "reporter_phone"]) not in page
