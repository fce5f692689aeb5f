"""Reads of people and roles, scoped and masked."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from fuhe.accounts.models import STAFF_ROLES, RoleAssignment, User
from fuhe.accounts.scope import scope_for
from fuhe.audit.core.masking import mask_address, mask_id_number, mask_phone

PERSONAL_FIELDS = {"phone": mask_phone, "id_number": mask_id_number, "address": mask_address}


def person_get(*, user, person_id: int) -> User:
    """The person if the user may see them; the same 404 for missing and out of scope."""
    try:
        person = User.objects.get(pk=int(person_id), is_active=True)
    except (User.DoesNotExist, TypeError, ValueError):
        raise Http404("No such person") from None
    if not user.has_perm("accounts.view_person", person):
        raise Http404("No such person")
    return person


def person_ids_visible(*, user, person_ids) -> set[int]:
    """Of ``person_ids``, the active people ``user`` may open (``accounts.view_person``: oneself, or a staff member
    whose scope holds one of the person's role regions), read in one query rather than one per person."""
    wanted = {int(pk) for pk in person_ids}
    active = set(User.objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    visible = active & {user.pk}
    scope = scope_for(user)
    if not scope.has_role(*STAFF_ROLES):
        return visible
    homes = RoleAssignment.objects.filter(user_id__in=active).values_list("user_id", "region_id")
    return visible | {person for person, region in homes if scope.contains_region(region)}


@dataclass(frozen=True)
class PersonalValue:
    field: str
    value: str
    is_masked: bool


def personal_data_masked(*, person: User) -> dict[str, PersonalValue]:
    """Masked personal data for display; revealing a value is a write (it is audited)."""
    return {field: PersonalValue(field, mask(getattr(person, field)), True) for field, mask in PERSONAL_FIELDS.items()}


def role_assignments_for(*, person: User):
    return RoleAssignment.objects.filter(user=person).select_related("unit", "region").order_by("role")


def members_of(*, unit_id: int):
    return (
        RoleAssignment.objects.filter(unit_id=unit_id)
        .select_related("user", "region")
        .order_by("role", "user__display_name")
    )
