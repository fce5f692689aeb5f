"""Every write of the back office to people and their roles leaves an audit event, in the same transaction."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.audit.models import AuditEvent
from fuhe.audit.services import audit_verify
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_office(tree, client):
    chief = User.objects.create_superuser(username="chief", password=PASSWORD)
    client.force_login(chief)
    return client


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def change_form(person: User, **changes) -> dict:
    """The admin change form of ``person`` as posted, with ``changes`` (role assignments: the inline's fields)."""
    data = {
        "username": person.username,
        "display_name": person.display_name,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "id_number": person.id_number,
        "address": person.address,
        "weekly_capacity_hours": person.weekly_capacity_hours or "",
        "is_active": "on",
        "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": person.date_joined.strftime("%H:%M:%S"),
    }
    roles = list(person.roles.order_by("pk"))
    data |= {
        "roles-TOTAL_FORMS": str(len(roles)),
        "roles-INITIAL_FORMS": str(len(roles)),
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
    }
    for n, assignment in enumerate(roles):
        data |= {
            f"roles-{n}-id": str(assignment.pk),
            f"roles-{n}-user": str(person.pk),
            f"roles-{n}-role": assignment.role,
            f"roles-{n}-unit": str(assignment.unit_id or ""),
            f"roles-{n}-region": str(assignment.region_id),
        }
    data |= changes
    return data


def post(client, url, data):
    response = client.post(url, data)
    errors = response.context and [form.errors for form in [response.context.get("adminform")] if form]
    assert response.status_code == 302, errors or response.content.decode()[:2000]
    return response


def test_adding_a_person_is_recorded_without_the_password(back_office):
    post(
        back_office,
        reverse("admin:accounts_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
        },
    )
    person = User.objects.get(username="newcomer")
    [event] = events("person.created")
    assert (event.actor_label, event.object_id) == ("chief", str(person.pk))
    assert event.summary["after"]["username"] == "newcomer"
    assert event.summary["password"] == "changed"
    assert person.password not in str(event.summary)


def test_changing_a_person_records_the_fields_with_personal_data_masked(tree, back_office):
    person = tree.people["grid"]
    url = reverse("admin:accounts_user_change", args=[person.pk])
    post(back_office, url, change_form(person, display_name="网格员甲", phone="13900001111", is_staff="on"))
    [event] = events("person.changed")
    assert event.summary["before"] == {"display_name": "grid", "phone": "138****5678", "is_staff": False}
    assert event.summary["after"] == {"display_name": "网格员甲", "phone": "139****1111", "is_staff": True}
    assert "password" not in event.summary
    assert audit_verify()[1] == []


def test_roles_given_changed_and_taken_in_the_admin_are_recorded(tree, back_office):
    person = tree.people["grid"]
    url = reverse("admin:accounts_user_change", args=[person.pk])
    [held] = person.roles.all()
    added = {
        "roles-TOTAL_FORMS": "2",
        "roles-1-user": str(person.pk),
        "roles-1-role": Role.VOLUNTEER,
        "roles-1-unit": "",
        "roles-1-region": str(tree.regions["新华社区"].pk),
    }
    post(back_office, url, change_form(person, **added))
    [assigned] = events("role.assigned")
    new = RoleAssignment.objects.get(user=person, role=Role.VOLUNTEER)
    assert assigned.object_id == str(new.pk)
    assert assigned.summary["after"] == {
        "user": person.pk,
        "role": "volunteer",
        "unit": None,
        "region": tree.regions["新华社区"].pk,
    }

    post(back_office, url, change_form(person, **{"roles-1-region": str(tree.regions["花园路社区"].pk)}))
    [changed] = events("role.changed")
    assert changed.summary == {
        "before": {"region": tree.regions["新华社区"].pk},
        "after": {"region": tree.regions["花园路社区"].pk},
    }

    post(back_office, url, change_form(person, **{"roles-0-DELETE": "on"}))
    [removed] = events("role.removed")
    assert removed.object_id == str(held.pk)
    assert removed.summary["before"]["role"] == Role.GRID_WORKER
    assert not RoleAssignment.objects.filter(pk=held.pk).exists()


def test_a_password_set_in_the_admin_is_recorded(tree, back_office):
    person = tree.people["volunteer"]
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    new_password = "another-horse-battery-7"
    post(back_office, url, {"password1": new_password, "password2": new_password, "usable_password": "true"})
    [event] = events("person.password_changed")
    assert (event.object_id, event.summary) == (str(person.pk), {"password": "changed"})
    person.refresh_from_db()
    assert person.check_password(new_password)


def test_deleting_a_person_records_who_they_were_and_their_roles(tree, back_office):
    person = tree.people["volunteer"]
    url = reverse("admin:accounts_user_delete", args=[person.pk])
    post(back_office, url, {"post": "yes"})
    [event] = events("person.deleted")
    assert event.summary["before"]["username"] == "volunteer"
    assert event.summary["before"]["id_number"] != "12010119900101123X"  # masked
    assert [role["role"] for role in event.summary["roles"]] == [Role.VOLUNTEER]
    assert not User.objects.filter(pk=person.pk).exists()


def test_deleting_people_from_the_list_records_each(tree, back_office):
    people = [tree.people["volunteer"], tree.people["resident"]]
    post(
        back_office,
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in people], "post": "yes"},
    )
    assert sorted(event.object_id for event in events("person.deleted")) == sorted(str(p.pk) for p in people)


def test_groups_are_not_offered(back_office):
    assert back_office.get("/admin/auth/group/").status_code == 404
    assert not Group.objects.exists()
