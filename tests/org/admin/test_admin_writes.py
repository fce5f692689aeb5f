"""Every write of the back office to regions and units leaves an audit event, in the same transaction."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fuhe.accounts.models import User
from fuhe.audit.models import AuditEvent
from fuhe.audit.services import audit_verify
from fuhe.org.models import Region, RegionLevel, Unit, UnitKind
from fuhe.org.signals import regions_changed
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_office(tree, client):
    chief = User.objects.create_superuser(username="chief", password=PASSWORD)
    client.force_login(chief)
    return client


def post(client, url, data):
    response = client.post(url, data)
    errors = response.context and [form.errors for form in [response.context.get("adminform")] if form]
    assert response.status_code == 302, errors or response.content.decode()[:2000]
    return response


def region_form(region: Region, **changes) -> dict:
    data = {
        "id": str(region.pk),
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "parent": str(region.parent_id or ""),
        "kind": region.kind,
        "urban_rural_code": region.urban_rural_code or "",
        "population": region.population or "",
        "geometry": "null",
    }
    return data | changes


def unit_form(unit: Unit, **changes) -> dict:
    data = {
        "name": unit.name,
        "kind": unit.kind,
        "region": str(unit.region_id),
        "parent": str(unit.parent_id or ""),
        "department_type": unit.department_type,
        "party_level": unit.party_level,
        "is_active": "on",
        "covers": ",".join(str(pk) for pk in unit.covers.values_list("pk", flat=True)),
    }
    return data | changes


def test_a_region_corrected_in_the_admin_is_recorded_and_the_caches_hear_of_it(
    tree, back_office, django_capture_on_commit_callbacks
):
    heard = []
    regions_changed.connect(lambda **kwargs: heard.append(kwargs["sender"]), weak=False, dispatch_uid="test-heard")
    try:
        region = tree.regions["新华社区"]
        url = reverse("admin:org_region_change", args=[region.pk])
        with django_capture_on_commit_callbacks(execute=True):
            post(back_office, url, region_form(region, name="新华里社区", population="5200"))
    finally:
        regions_changed.disconnect(dispatch_uid="test-heard")
    [event] = AuditEvent.objects.filter(action="org.region_changed")
    assert (event.actor_label, event.object_id) == ("chief", str(region.pk))
    assert event.summary == {
        "before": {"name": "新华社区", "population": None},
        "after": {"name": "新华里社区", "population": 5200},
    }
    assert Region.objects.get(pk=region.pk).name == "新华里社区"
    assert heard == [Region]
    assert audit_verify()[1] == []


def test_a_region_added_and_deleted_in_the_admin_is_recorded(tree, back_office):
    parent = tree.regions["新华社区"]
    key = parent.pk + 3  # the third grid of the community
    data = {
        "id": str(key),
        "code": str(key),
        "name": "新华社区第3网格",
        "level": RegionLevel.GRID,
        "parent": str(parent.pk),
        "kind": "unknown",
        "geometry": "null",
        "is_generated": "on",
    }
    post(back_office, reverse("admin:org_region_add"), data)
    [created] = AuditEvent.objects.filter(action="org.region_created")
    assert created.summary["after"]["name"] == "新华社区第3网格"
    post(back_office, reverse("admin:org_region_delete", args=[key]), {"post": "yes"})
    [deleted] = AuditEvent.objects.filter(action="org.region_deleted")
    assert (deleted.object_id, deleted.summary["before"]["parent"]) == (str(key), parent.pk)
    assert not Region.objects.filter(pk=key).exists()


def test_a_unit_added_changed_and_deleted_in_the_admin_is_recorded(tree, back_office):
    community = tree.regions["新华社区"]
    post(
        back_office,
        reverse("admin:org_unit_add"),
        {
            "name": "新华社区党支部",
            "kind": UnitKind.PARTY_ORG,
            "region": str(community.pk),
            "party_level": "branch",
            "is_active": "on",
        },
    )
    unit = Unit.objects.get(name="新华社区党支部")
    [created] = AuditEvent.objects.filter(action="org.unit_created")
    assert created.summary["after"]["region"] == community.pk

    covered = tree.units["新华社区居委会"]
    post(
        back_office,
        reverse("admin:org_unit_change", args=[unit.pk]),
        unit_form(unit, covers=str(covered.pk), is_active=""),
    )
    [changed] = AuditEvent.objects.filter(action="org.unit_changed")
    assert changed.summary == {
        "before": {"is_active": True, "covers": []},
        "after": {"is_active": False, "covers": [covered.pk]},
    }

    post(back_office, reverse("admin:org_unit_delete", args=[unit.pk]), {"post": "yes"})
    [deleted] = AuditEvent.objects.filter(action="org.unit_deleted")
    assert deleted.summary["before"]["name"] == "新华社区党支部"
    assert audit_verify()[1] == []


def test_units_deleted_from_the_list_are_recorded_each(tree, back_office):
    units = [
        Unit.objects.create(name=f"志愿队{n}", kind=UnitKind.VOLUNTEER_TEAM, region=tree.regions["新华社区"])
        for n in (1, 2)
    ]
    post(
        back_office,
        reverse("admin:org_unit_changelist"),
        {"action": "delete_selected", "_selected_action": [u.pk for u in units], "post": "yes"},
    )
    assert sorted(e.object_id for e in AuditEvent.objects.filter(action="org.unit_deleted")) == sorted(
        str(u.pk) for u in units
    )
