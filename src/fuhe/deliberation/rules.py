"""Deliberation permissions (django-rules), one name each for views, templates and tests.

- ``deliberation.view``: anyone signed in with a role (residents see their own community's deliberation);
- ``deliberation.manage`` (region): community workers, street dispatchers, leaders and administrators whose scope
  holds the region — they form bodies, schedule meetings, record attendance and steps, bind resolutions to work;
- ``deliberation.assist`` (region): those, and grid workers of the region, who may record an elder's view or vote
  on their behalf (named as the assistant);
- eligibility to vote (``is_eligible_voter``): a resident of the community or village (role resident, region inside
  it) whom staff have verified (``ResidentVerification``) or whose resident ID number is in the household register
  the community or village has imported (``in_household_register``), where it has one.
"""

from __future__ import annotations

import rules
from django.utils.crypto import salted_hmac

from fuhe.accounts.models import Role
from fuhe.accounts.scope import scope_for
from fuhe.deliberation.core.register import id_digest, normalise
from fuhe.deliberation.models import HouseholdRegisterEntry, ResidentVerification

_REGISTER_SALT = "fuhe.deliberation.household_register"

MANAGE_ROLES = (Role.COMMUNITY_WORKER, Role.STREET_DISPATCHER, Role.LEADER, Role.ADMINISTRATOR)
ASSIST_ROLES = (*MANAGE_ROLES, Role.GRID_WORKER)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def can_manage(user, region) -> bool:
    if region is None or not _authenticated(user):
        return False
    scope = scope_for(user)
    if scope.is_global:
        return True
    return scope.has_role(*MANAGE_ROLES) and scope.contains_region(region.pk)


def can_assist(user, region, person=None) -> bool:
    """Staff of the region, or a grid worker for a ``person`` living in their grid inside the region."""
    if region is None or not _authenticated(user):
        return False
    scope = scope_for(user)
    if scope.is_global or (scope.has_role(*ASSIST_ROLES) and scope.contains_region(region.pk)):
        return True
    if person is None or not scope.has_role(*ASSIST_ROLES):
        return False
    homes = scope_for(person).home_region_ids
    return any(scope.contains_region(home) and region.contains(home) for home in homes)


def lives_in(user, region) -> bool:
    """The person holds the resident role somewhere inside ``region`` (the community or village)."""
    if region is None or not _authenticated(user):
        return False
    low, high = region.subtree
    return user.roles.filter(role=Role.RESIDENT, region_id__gte=low, region_id__lt=high).exists()


def register_key() -> bytes:
    """The key of the household register's digests, derived from the site's secret key (a register imported before
    the secret key changed must be imported again). Derive it once for many numbers."""
    return salted_hmac(_REGISTER_SALT, "key", algorithm="sha256").digest()


def register_digest(id_number: str, key: bytes | None = None) -> str:
    """What the household register keeps of a resident ID number: its HMAC under ``register_key()``."""
    return id_digest(id_number, key or register_key())


def in_household_register(user, region) -> bool:
    """The person's ID number (entered by staff in the back office) is in the region's register in force."""
    number = normalise(getattr(user, "id_number", "") or "")
    if region is None or not number:
        return False
    entries = HouseholdRegisterEntry.objects.filter(region=region, digest=register_digest(number))
    return entries.filter(register__in_force=True).exists()


def is_eligible_voter(user, region) -> bool:
    if not lives_in(user, region):
        return False
    return ResidentVerification.objects.filter(user=user, region=region).exists() or in_household_register(user, region)


@rules.predicate
def may_view(user) -> bool:
    return _authenticated(user) and (scope_for(user).is_global or bool(scope_for(user).roles))


@rules.predicate
def may_manage(user, region) -> bool:
    return can_manage(user, region)


@rules.predicate
def may_manage_anywhere(user) -> bool:
    return _authenticated(user) and (scope_for(user).is_global or scope_for(user).has_role(*MANAGE_ROLES))


@rules.predicate
def may_assist(user, region) -> bool:
    """Pages: someone who may record views for at least some residents of the region (their grid inside it)."""
    if can_assist(user, region):
        return True
    scope = scope_for(user)
    return (
        region is not None
        and scope.has_role(Role.GRID_WORKER)
        and any(region.contains(home) for home in scope.home_region_ids)
    )


rules.add_perm("deliberation.view", may_view)
rules.add_perm("deliberation.manage", may_manage)
rules.add_perm("deliberation.manage_any", may_manage_anywhere)
rules.add_perm("deliberation.assist", may_assist)
