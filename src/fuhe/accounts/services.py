"""Writes about people: revealing personal data (audited), creating people with roles."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.accounts.selectors import PERSONAL_FIELDS
from fuhe.audit.services import audit_record
from fuhe.org.models import Region, Unit


def personal_data_reveal(*, actor: User, person: User, field: str) -> str:
    """The unmasked value, for those who need it; every view of personal data is recorded."""
    if field not in PERSONAL_FIELDS:
        raise ValidationError({"field": f"{field!r} is not personal data"})
    if not actor.has_perm("accounts.view_personal_data", person):
        raise PermissionDenied("You may not see this person's personal data.")
    with transaction.atomic():
        audit_record(actor=actor, action="personal_data.viewed", target=person, summary={"field": field})
    return getattr(person, field)


def person_create(
    *,
    actor,
    username: str,
    display_name: str,
    password: str | None,
    role: str,
    region: Region,
    unit: Unit | None = None,
    phone: str = "",
    id_number: str = "",
    address: str = "",
    weekly_capacity_hours: Decimal | None = None,
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role"})
    if unit is not None and not (region.contains(unit.region_id) or unit.region.contains(region.id)):
        raise ValidationError({"region": "the role's region must contain or lie inside the unit's region"})
    person = User(
        username=username,
        display_name=display_name,
        phone=phone,
        id_number=id_number,
        address=address,
        weekly_capacity_hours=weekly_capacity_hours,
    )
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.full_clean(exclude=["password"])
    with transaction.atomic():
        person.save()
        RoleAssignment.objects.create(user=person, role=role, unit=unit, region=region)
        audit_record(
            actor=actor,
            action="accounts.person_created",
            target=person,
            summary={
                "after": {"username": username, "role": role, "region": region.code, "unit": unit.pk if unit else None}
            },
        )
    return person


def role_assign(*, actor, person: User, role: str, region: Region, unit: Unit | None = None) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role"})
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(user=person, role=role, unit=unit, region=region)
        if created:
            audit_record(
                actor=actor,
                action="accounts.role_assigned",
                target=person,
                summary={"after": {"role": role, "region": region.code, "unit": unit.pk if unit else None}},
            )
    return assignment
