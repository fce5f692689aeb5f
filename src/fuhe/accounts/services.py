"""Writes about people: revealing personal data (audited), creating, changing and deleting people and their roles
(the back office's writes, each with its audit event)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fuhe.accounts.models import RoleAssignment, User
from fuhe.accounts.selectors import PERSONAL_FIELDS
from fuhe.audit.services import audit_changes, audit_record, audit_snapshot


def personal_data_reveal(*, actor: User, person: User, field: str) -> str:
    """The unmasked value, for those who need it; every view of personal data is recorded."""
    if field not in PERSONAL_FIELDS:
        raise ValidationError({"field": _("%(field)s is not personal data.") % {"field": repr(field)}})
    if not actor.has_perm("accounts.view_personal_data", person):
        raise PermissionDenied(_("You may not see this person's personal data."))
    with transaction.atomic():
        audit_record(actor=actor, action="personal_data.viewed", target=person, summary={"field": field})
    return getattr(person, field)


# --- people and their roles, as the back office (Django admin) writes them ---------------------------------------
# Each write saves and records its audit event in one transaction; personal data is masked in the summary and a
# password appears only as "changed", never its hash.

PERSON_FIELDS = (
    "username",
    "display_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "id_number",
    "address",
    "weekly_capacity_hours",
    "is_active",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
)
ROLE_FIELDS = ("user", "role", "unit", "region")


def _person_snapshot(person: User | None) -> dict:
    return audit_snapshot(person, PERSON_FIELDS, masks=PERSONAL_FIELDS)


def person_save(*, actor: User, person: User, groups=None, user_permissions=None) -> User:
    """Create or change a person (as the back office's form filled it in); ``groups``/``user_permissions``: the new
    sets, when the form changed them. One audit event names every field changed."""
    adding = person._state.adding
    with transaction.atomic():
        stored = None if adding else User.objects.filter(pk=person.pk).first()
        before = _person_snapshot(stored)
        password_changed = stored is None or stored.password != person.password
        person.full_clean()
        person.save()
        if groups is not None:
            person.groups.set(groups)
        if user_permissions is not None:
            person.user_permissions.set(user_permissions)
        summary = audit_changes(before, _person_snapshot(person))
        if password_changed:
            summary["password"] = "changed"  # noqa: S105 (that it changed, never the hash)
        audit_record(
            actor=actor, action="person.created" if adding else "person.changed", target=person, summary=summary
        )
    return person


def person_password_changed(*, actor: User, person: User) -> None:
    """Record that ``actor`` set ``person``'s password (or turned password sign-in off): call it in the transaction
    of the save (the back office's password form saves it itself)."""
    audit_record(
        actor=actor,
        action="person.password_changed",
        target=person,
        summary={"password": "changed" if person.has_usable_password() else "unusable"},
    )


def person_delete(*, actor: User, person: User) -> None:
    """Delete a person and their role assignments; the event keeps who they were (masked) and which roles they
    held."""
    with transaction.atomic():
        roles = [
            audit_snapshot(assignment, ROLE_FIELDS)
            for assignment in RoleAssignment.objects.filter(user=person).order_by("pk")
        ]
        summary = {"before": _person_snapshot(person), "roles": roles}
        audit_record(actor=actor, action="person.deleted", target=person, summary=summary)
        person.delete()


def role_assignment_save(*, actor: User, assignment: RoleAssignment) -> RoleAssignment:
    """Give a person a role in a region (and unit), or change one they hold."""
    adding = assignment._state.adding
    with transaction.atomic():
        stored = None if adding else RoleAssignment.objects.filter(pk=assignment.pk).first()
        before = audit_snapshot(stored, ROLE_FIELDS)
        assignment.full_clean()
        assignment.save()
        audit_record(
            actor=actor,
            action="role.assigned" if adding else "role.changed",
            target=assignment,
            summary=audit_changes(before, audit_snapshot(assignment, ROLE_FIELDS)),
        )
    return assignment


def role_assignment_delete(*, actor: User, assignment: RoleAssignment) -> None:
    """Take a role from a person."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="role.removed",
            target=assignment,
            summary={"before": audit_snapshot(assignment, ROLE_FIELDS)},
        )
        assignment.delete()
