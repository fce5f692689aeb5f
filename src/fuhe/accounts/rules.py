"""Permissions, declared once and used by views, API and templates alike (django-rules)."""

from __future__ import annotations

import rules

from fuhe.accounts.models import STAFF_ROLES, Role
from fuhe.accounts.scope import scope_for


@rules.predicate
def is_administrator(user) -> bool:
    return scope_for(user).has_role(Role.ADMINISTRATOR)


@rules.predicate
def is_supervisor(user) -> bool:
    return scope_for(user).has_role(Role.SUPERVISOR)


@rules.predicate
def is_staff_member(user) -> bool:
    return scope_for(user).has_role(*STAFF_ROLES)


@rules.predicate
def region_in_scope(user, region) -> bool:
    return region is not None and scope_for(user).contains_region(region.pk)


@rules.predicate
def unit_in_scope(user, unit) -> bool:
    return unit is not None and scope_for(user).contains_unit(unit.pk, unit.region_id)


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and user.pk == person.pk


@rules.predicate
def person_in_scope(user, person) -> bool:
    if person is None:
        return False
    scope = scope_for(user)
    return any(scope.contains_region(region_id) for region_id in scope_for(person).home_region_ids)


rules.add_perm("org.view_region", region_in_scope)
rules.add_perm("org.view_unit", unit_in_scope)
rules.add_perm("accounts.view_person", is_self | (is_staff_member & person_in_scope))
# Full phone / ID number / address: the person themself, or an administrator whose scope holds them.
rules.add_perm("accounts.view_personal_data", is_self | (is_administrator & person_in_scope))
rules.add_perm("audit.view_auditevent", is_administrator | is_supervisor)
