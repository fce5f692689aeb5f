"""Who may keep resources, raise demands, run the matching and move a match along the loop (django-rules).

* A resource is kept by the people acting for its owner unit, and by administrators whose scope holds the owner.
* Demands are raised and matching is run by staff (dispatchers, leaders, administrators, community workers)
  whose scope holds the region.
* The owner answers an offer (accept, decline) and delivers; the requester (people acting for the requesting
  unit, or the person who raised the demand) confirms the delivery; a dispatcher in scope offers and withdraws.
"""

from __future__ import annotations

import rules

from fuhe.accounts.models import Role
from fuhe.accounts.scope import scope_for

DISPATCH_ROLES = (Role.STREET_DISPATCHER, Role.LEADER, Role.ADMINISTRATOR, Role.COMMUNITY_WORKER)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def acts_for_unit(user, unit_id: int | None) -> bool:
    return unit_id is not None and unit_id in scope_for(user).unit_ids


@rules.predicate
def can_keep_resource(user, resource) -> bool:
    if resource is None or not _authenticated(user):
        return False
    scope = scope_for(user)
    return acts_for_unit(user, resource.owner_id) or (
        scope.has_role(Role.ADMINISTRATOR) and scope.contains_region(resource.owner.region_id)
    )


@rules.predicate
def can_register_for_unit(user, unit) -> bool:
    if unit is None or not _authenticated(user):
        return False
    scope = scope_for(user)
    return acts_for_unit(user, unit.pk) or (
        scope.has_role(Role.ADMINISTRATOR) and scope.contains_region(unit.region_id)
    )


@rules.predicate
def can_dispatch_in(user, region) -> bool:
    """Raise demands, run the matching, offer and withdraw matches in ``region``."""
    if region is None or not _authenticated(user):
        return False
    scope = scope_for(user)
    return scope.has_role(*DISPATCH_ROLES) and scope.contains_region(region.pk)


@rules.predicate
def can_answer_match(user, match) -> bool:
    """The owner's side: accept, decline, deliver."""
    return match is not None and can_keep_resource(user, match.resource)


@rules.predicate
def can_confirm_match(user, match) -> bool:
    """The requester's side: confirm the delivery."""
    if match is None or not _authenticated(user):
        return False
    demand = match.demand
    return user.pk == demand.created_by_id or acts_for_unit(user, demand.requester_id)


# --- urban–rural pairing and emergency mode ------------------------------------------------------------------------

PAIRING_ROLES = (Role.LEADER, Role.ADMINISTRATOR)
EMERGENCY_ROLES = (Role.LEADER, Role.STREET_DISPATCHER, Role.ADMINISTRATOR)
STAFF_ROLES = (*DISPATCH_ROLES, Role.SUPERVISOR)


def _overlaps(scope, region) -> bool:
    """Does the scope reach into the region's subtree (a community worker of one of the street's communities)?"""
    if scope.is_global:
        return True
    low, high = region.subtree
    return any(a < high and low < b for a, b in scope.ranges)


def can_set_up_pairing(user, street, township) -> bool:
    """A leader or administrator of the district (or the city) holding both sides sets up or ends a pairing."""
    if street is None or township is None or not _authenticated(user):
        return False
    scope = scope_for(user)
    return scope.has_role(*PAIRING_ROLES) and all(
        scope.contains_region(side.parent_id) and side.parent_id is not None for side in (street, township)
    )


@rules.predicate
def can_view_pairing(user, pairing) -> bool:
    """Staff whose scope reaches into either side."""
    if pairing is None or not _authenticated(user):
        return False
    scope = scope_for(user)
    return scope.has_role(*STAFF_ROLES) and (_overlaps(scope, pairing.street) or _overlaps(scope, pairing.township))


@rules.predicate
def can_declare_emergency(user, region) -> bool:
    """A leader, dispatcher or administrator of the region's district (or above) switches a district, street or
    township into emergency mode and back."""
    if region is None or not _authenticated(user) or region.level not in ("district", "street"):
        return False
    scope = scope_for(user)
    district_id = region.pk if region.level == "district" else region.parent_id
    return scope.has_role(*EMERGENCY_ROLES) and scope.contains_region(district_id)


@rules.predicate
def can_view_emergency(user, period) -> bool:
    if period is None or not _authenticated(user):
        return False
    scope = scope_for(user)
    return scope.has_role(*STAFF_ROLES) and _overlaps(scope, period.region)


def may_open_pairing_and_emergency(user) -> bool:
    """The pages of urban–rural pairing and emergency mode (each record on them is scoped again)."""
    if not _authenticated(user):
        return False
    scope = scope_for(user)
    return scope.is_global or scope.has_role(*STAFF_ROLES)


rules.add_perm("resources.change_resource", can_keep_resource)
rules.add_perm("resources.add_resource", can_register_for_unit)
rules.add_perm("resources.dispatch", can_dispatch_in)
rules.add_perm("resources.answer_match", can_answer_match)
rules.add_perm("resources.confirm_match", can_confirm_match)
rules.add_perm("resources.view_pairing", can_view_pairing)
rules.add_perm("resources.declare_emergency", can_declare_emergency)
rules.add_perm("resources.view_emergency", can_view_emergency)
rules.add_perm("resources.open_pairing_emergency", may_open_pairing_and_emergency)
