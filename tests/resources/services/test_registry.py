from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone, translation

from fuhe.audit.models import AuditEvent
from fuhe.resources.models import AvailabilityWindow, Resource, ResourceKind
from fuhe.resources.selectors import resource_get_for_change, resource_is_stale, resource_list
from fuhe.resources.services import ResourceError, resource_confirm, resource_update


def test_register_stores_windows_masks_phone_and_audits(tree, register):
    now = timezone.now()
    resource = register(windows=[(now, now + timedelta(hours=4))], skills=["搬运", "搬运", " "])
    assert resource.owner == tree.units["劝业场街道志愿服务队"]
    assert resource.region == tree.units["劝业场街道志愿服务队"].region
    assert resource.skills == ["搬运"]
    assert resource.contact_phone_masked == "139****5678"
    assert AvailabilityWindow.objects.filter(resource=resource).count() == 1
    assert AuditEvent.objects.filter(action="resources.resource_registered", object_id=str(resource.pk)).exists()
    event = AuditEvent.objects.get(action="resources.resource_registered")
    assert "13912345678" not in str(event.summary)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"capacity": -3}, "capacity", "The capacity cannot be negative."),
        ({"capacity": "two"}, "capacity", "Enter a whole number."),
        ({"unit_cost": -1}, "unit_cost", "A cost cannot be negative."),
        ({"latitude": "95", "longitude": "117.2"}, "latitude", "between -90 and 90"),
        ({"kind": "spaceship"}, "kind", "Choose one of the listed values."),
        ({"name": "  "}, "name", "Give the resource a name."),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(register, values, field, message):
    with translation.override("en"), pytest.raises(ResourceError) as error:
        register(**values)
    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])
    assert not Resource.objects.exists()
    assert not AuditEvent.objects.filter(action="resources.resource_registered").exists()


def test_impossible_window_is_refused(register):
    now = timezone.now()
    with translation.override("en"), pytest.raises(ResourceError) as error:
        register(windows=[(now, now - timedelta(hours=1))])
    assert error.value.message_dict["windows"] == ["The time window ends before it starts."]
    assert not Resource.objects.exists()
    assert not AvailabilityWindow.objects.exists()


def test_unknown_owner_is_refused(tree, register):
    class Missing:
        pk = 999_999

    with translation.override("en"), pytest.raises(ResourceError) as error:
        register(owner=Missing())
    assert error.value.message_dict == {"owner": ["No unit with this id that you act for."]}
    assert not Resource.objects.exists()


def test_a_person_cannot_register_for_a_unit_they_do_not_act_for(tree, register):
    with pytest.raises(ResourceError) as error:
        register(actor=tree.people["volunteer"], owner=tree.units["小白楼街道办事处"])
    assert "owner" in error.value.message_dict
    assert not Resource.objects.exists()


def test_another_streets_owner_cannot_change_a_resource(tree, register, owner_xbl):
    resource = register()
    with pytest.raises(Http404):
        resource_get_for_change(user=owner_xbl, resource_id=resource.pk)
    with pytest.raises(PermissionDenied):
        resource_update(actor=owner_xbl, resource=resource, capacity=1)
    with pytest.raises(PermissionDenied):
        resource_confirm(actor=owner_xbl, resource=resource)
    resource.refresh_from_db()
    assert resource.capacity == 5
    # the owner's own person may
    assert resource_get_for_change(user=tree.people["volunteer"], resource_id=resource.pk) == resource
    assert resource_update(actor=tree.people["volunteer"], resource=resource, capacity=7).capacity == 7


def test_out_of_scope_looks_like_missing(tree, register, owner_xbl):
    resource = register()
    with pytest.raises(Http404) as missing:
        resource_get_for_change(user=owner_xbl, resource_id=resource.pk + 1000)
    with pytest.raises(Http404) as forbidden:
        resource_get_for_change(user=owner_xbl, resource_id=resource.pk)
    assert str(missing.value) == str(forbidden.value)
    assert list(resource_list(user=owner_xbl)) == []
    assert list(resource_list(user=tree.people["dispatcher"])) == [resource]


def test_update_replaces_windows_and_confirms(tree, register):
    resource = register()
    Resource.objects.filter(pk=resource.pk).update(confirmed_at=timezone.now() - timedelta(days=400))
    resource.refresh_from_db()
    now = timezone.now()
    resource = resource_update(
        actor=tree.people["volunteer"],
        resource=resource,
        windows=[(now, now + timedelta(days=1))],
        kind=ResourceKind.SPACE,
    )
    assert resource.windows.count() == 1
    assert resource.kind == ResourceKind.SPACE
    assert not resource_is_stale(resource)


def test_stale_after_the_configured_days_until_confirmed(tree, register, settings):
    settings.FUHE_RESOURCE_STALE_DAYS = 30
    resource = register()
    Resource.objects.filter(pk=resource.pk).update(confirmed_at=timezone.now() - timedelta(days=31))
    resource.refresh_from_db()
    assert resource_is_stale(resource)
    assert list(resource_list(user=tree.people["volunteer"], is_stale=True)) == [resource]
    settings.FUHE_RESOURCE_STALE_DAYS = 60
    assert not resource_is_stale(resource)
    resource_confirm(actor=tree.people["volunteer"], resource=resource)
    resource.refresh_from_db()
    assert not resource_is_stale(resource)
    assert list(resource_list(user=tree.people["volunteer"], is_stale=True)) == []
