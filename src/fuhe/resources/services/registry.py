"""The resource registry: owners register, change and confirm their own entries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.audit.services import audit_record
from fuhe.org.models import Unit
from fuhe.resources.core import matching as engine
from fuhe.resources.models import (
    HOLDING_STATES,
    AvailabilityWindow,
    DemandPriority,
    Resource,
    ResourceKind,
)
from fuhe.resources.rules import can_keep_resource
from fuhe.resources.rules import can_register_for_unit as can_register
from fuhe.resources.services.common import (
    ResourceError,
    choice_of,
    decimal_number,
    engine_check,
    engine_resource,
    place_of,
    region_of,
    whole_number,
    windows_of,
)

# --- the registry -----------------------------------------------------------------------------------------------

RESOURCE_FIELDS = (
    "name",
    "kind",
    "capacity",
    "unit_label",
    "expires_on",
    "latitude",
    "longitude",
    "skills",
    "allowed_region_ids",
    "allowed_priorities",
    "preferred_region_ids",
    "unit_cost",
    "service_radius_km",
    "conditions",
    "contact_name",
    "contact_phone",
    "is_active",
)


def resource_values_check(resource: Resource, values: dict) -> list[engine.Window] | None:
    """Check ``values`` and set them on ``resource``; returns the new windows (None: unchanged)."""
    unknown = set(values) - {*RESOURCE_FIELDS, "windows", "region_id"}
    if unknown:
        raise ResourceError({sorted(unknown)[0]: _("This field cannot be set here.")})
    if "name" in values:
        resource.name = str(values["name"] or "").strip()
        if not resource.name:
            raise ResourceError({"name": _("Give the resource a name.")})
    if "kind" in values:
        resource.kind = choice_of(values["kind"], ResourceKind, "kind")
    if "capacity" in values:
        resource.capacity = whole_number(values["capacity"], "capacity")
    if "region_id" in values and values["region_id"] is not None:
        resource.region = region_of(values["region_id"])
    if "latitude" in values or "longitude" in values:
        resource.latitude, resource.longitude = place_of(
            values.get("latitude", resource.latitude), values.get("longitude", resource.longitude), resource.region
        )
    if "unit_cost" in values:
        resource.unit_cost = decimal_number(values["unit_cost"], "unit_cost") or Decimal(0)
    if "expires_on" in values:
        if values["expires_on"] is not None and not isinstance(values["expires_on"], date):
            raise ResourceError({"expires_on": _("Enter a date.")})
        resource.expires_on = values["expires_on"]
    if "skills" in values:
        resource.skills = sorted({str(skill).strip() for skill in values["skills"] or () if str(skill).strip()})
    for field in ("allowed_region_ids", "preferred_region_ids"):
        if field in values:
            ids = sorted({region_of(region_id, field).pk for region_id in values[field] or ()})
            setattr(resource, field, ids)
    if "allowed_priorities" in values:
        resource.allowed_priorities = sorted(
            {choice_of(int(p), DemandPriority, "allowed_priorities") for p in values["allowed_priorities"] or ()}
        )
    if "service_radius_km" in values:
        radius = decimal_number(values["service_radius_km"], "service_radius_km")
        if radius is not None and radius <= 0:
            raise ResourceError({"service_radius_km": _("The service radius must be above zero.")})
        resource.service_radius_km = float(radius) if radius is not None else None
    for field in ("unit_label", "conditions", "contact_name", "contact_phone"):
        if field in values:
            setattr(resource, field, str(values[field] or "").strip())
    if "is_active" in values:
        resource.is_active = bool(values["is_active"])
    if resource.kind == ResourceKind.STOCKPILE and "expires_on" not in values and resource.pk is None:
        resource.expires_on = None
    windows = windows_of(values["windows"]) if "windows" in values else None
    current = windows if windows is not None else [engine.Window(w.starts_at, w.ends_at) for w in _stored(resource)]
    engine_check(resources=[engine_resource(resource, current)])
    try:
        resource.full_clean(exclude=["owner", "region"])
    except ValidationError as error:
        raise ResourceError(error.message_dict) from None
    return windows


def _stored(resource: Resource):
    return list(resource.windows.all()) if resource.pk else []


def resource_windows_save(resource: Resource, windows: list[engine.Window] | None) -> None:
    if windows is None:
        return
    resource.windows.all().delete()
    AvailabilityWindow.objects.bulk_create(
        [AvailabilityWindow(resource=resource, starts_at=w.start, ends_at=w.end) for w in windows]
    )


def resource_snapshot(resource: Resource) -> dict:
    return {
        "name": resource.name,
        "kind": resource.kind,
        "capacity": resource.capacity,
        "owner": resource.owner_id,
        "region": resource.region_id,
        "contact_phone": resource.contact_phone_masked,
    }


def owner_for_registration(actor, owner_id) -> Unit:
    """The owner unit of a new entry: one the actor acts for (an unknown id and another's unit look the same)."""
    try:
        owner = Unit.objects.select_related("region").get(pk=int(owner_id))
    except (Unit.DoesNotExist, TypeError, ValueError):
        owner = None
    if owner is None or not can_register(actor, owner):
        raise ResourceError({"owner": _("No unit with this id that you act for.")})
    return owner


def resource_register(*, actor, owner_id, **values) -> Resource:
    """Register a resource of ``owner_id`` (a unit the actor acts for). ``values``: the fields of
    ``RESOURCE_FIELDS``, ``region_id`` (default: the owner's region) and ``windows`` [(start, end), ...]."""
    owner = owner_for_registration(actor, owner_id)
    now = timezone.now()
    resource = Resource(owner=owner, region=owner.region, confirmed_at=now, created_at=now, updated_at=now)
    for required in ("name", "kind", "capacity"):
        values.setdefault(required, None)
    values.setdefault("latitude", None)
    with transaction.atomic():
        windows = resource_values_check(resource, values)
        resource.save()
        resource_windows_save(resource, windows)
        audit_record(
            actor=actor, action="resources.resource_registered", target=resource, summary=resource_snapshot(resource)
        )
    return resource


def resource_update(*, actor, resource: Resource, **values) -> Resource:
    """Change a resource the actor keeps; confirms it too (the owner has just looked at it)."""
    if not can_keep_resource(actor, resource):
        raise PermissionDenied(_("You may not change this resource."))
    with transaction.atomic():
        resource = (
            Resource.objects.select_for_update(of=("self",)).select_related("owner", "region").get(pk=resource.pk)
        )
        before = resource_snapshot(resource)
        if "capacity" in values:
            held = sum(resource.matches.filter(state__in=HOLDING_STATES).values_list("quantity", flat=True), start=0)
            capacity = whole_number(values["capacity"], "capacity")
            if 0 <= capacity < held:
                raise ResourceError(
                    {
                        "capacity": _("%(held)s units are held by open offers; the capacity cannot go below.")
                        % {"held": held}
                    }
                )
        windows = resource_values_check(resource, values)
        resource.updated_at = resource.confirmed_at = timezone.now()
        resource.save()
        resource_windows_save(resource, windows)
        audit_record(
            actor=actor,
            action="resources.resource_updated",
            target=resource,
            summary={"before": before, "after": resource_snapshot(resource)},
        )
    return resource


def resource_confirm(*, actor, resource: Resource) -> Resource:
    """The owner confirms the entry is still true (clears the stale flag)."""
    if not can_keep_resource(actor, resource):
        raise PermissionDenied(_("You may not change this resource."))
    with transaction.atomic():
        now = timezone.now()
        Resource.objects.filter(pk=resource.pk).update(confirmed_at=now)
        resource.confirmed_at = now
        audit_record(actor=actor, action="resources.resource_confirmed", target=resource, summary={})
    return resource
