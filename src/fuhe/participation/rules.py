"""Who may hold, see and move points (django-rules predicates), and the certification hook of earnings.

* Staff never hold points accounts: the 2026 rules for government apps forbid points rankings of staff.
* An account is seen by its holder, by the people acting for its organisation, and by staff whose scope holds the
  person or the organisation.
* ``earning_allowed(person, field)`` says whether ``person`` may earn points for service in ``field`` (legal,
  medical …). The volunteer module registers its certification check with ``earning_check_register``; with no
  check registered (before volunteers are certified on the platform) every field is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import rules
from django.utils import timezone

from fuhe.accounts.models import Role
from fuhe.accounts.rules import is_staff_member, person_in_scope
from fuhe.accounts.scope import scope_for
from fuhe.org.core.divisions import Level, ancestor_range
from fuhe.org.models import Unit
from fuhe.participation.core import certification as certification_rules
from fuhe.participation.models import Certification, RequestState

EarningCheck = Callable[[object, str], bool]
_earning_checks: list[EarningCheck] = []


def earning_check_register(check: EarningCheck) -> Callable[[], None]:
    """Add a certification check (``check(person, field) -> bool``); returns the function that removes it."""
    _earning_checks.append(check)

    def unregister() -> None:
        if check in _earning_checks:
            _earning_checks.remove(check)

    return unregister


def earning_allowed(person, field: str) -> bool:
    """May ``person`` earn points for service in ``field``? Every registered check must agree."""
    return all(check(person, field) for check in _earning_checks)


def is_staff_person(person) -> bool:
    """A staff member (any staff role, or a back-office account): never a points account holder."""
    return bool(person.is_staff or person.is_superuser or is_staff_member(person))


def acts_for_unit(user, unit) -> bool:
    return unit is not None and unit.pk in scope_for(user).unit_ids


@rules.predicate
def can_view_account(user, account) -> bool:
    if account is None or not getattr(user, "is_authenticated", False):
        return False
    if account.person_id is not None:
        return user.pk == account.person_id or (is_staff_member(user) and person_in_scope(user, account.person))
    unit = account.unit
    return acts_for_unit(user, unit) or (is_staff_member(user) and scope_for(user).contains_region(unit.region_id))


@rules.predicate
def can_reverse(user, transaction) -> bool:
    """The person who counter-signed the transaction, or an administrator."""
    if transaction is None or not getattr(user, "is_authenticated", False):
        return False
    return user.pk == transaction.counter_signer_id or scope_for(user).has_role(Role.ADMINISTRATOR)


rules.add_perm("participation.view_account", can_view_account)
rules.add_perm("participation.reverse_transaction", can_reverse)


# --- volunteers ---------------------------------------------------------------------------------------------------

REQUEST_POSTER_ROLES = (Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.STREET_DISPATCHER)


def certification_grants(person, field: str, *, min_level: int = 1, day: date | None = None) -> bool:
    """Does ``person`` hold a certification valid on ``day`` (today) for ``field`` at ``min_level`` or above? A
    general task needs none; an expired or revoked certification grants nothing."""
    if field in certification_rules.UNCERTIFIED_FIELDS:
        return True
    if person is None or person.pk is None:
        return False
    day = day or timezone.localdate()
    grants = [
        certification_rules.Grant(
            field, level, valid_from, valid_until, timezone.localdate(revoked) if revoked else None
        )
        for level, valid_from, valid_until, revoked in Certification.objects.filter(
            volunteer=person, field=field
        ).values_list("level", "valid_from", "valid_until", "revoked_at")
    ]
    return certification_rules.grants_field(grants, field, day, min_level=min_level)


def earning_certified(person, field: str) -> bool:
    """The certification check registered with ``earning_check_register`` (apps.py): no points for service in a
    field the earner holds no valid certification for."""
    return certification_grants(person, field)


def issuing_units(user) -> list[Unit]:
    """The units ``user`` acts for that the issuer table recognises for at least one field."""
    unit_ids = scope_for(user).unit_ids
    if not unit_ids:
        return []
    return [
        unit
        for unit in Unit.objects.filter(id__in=sorted(unit_ids)).order_by("id")
        if certification_rules.fields_issued_by(
            unit_kind=unit.kind, department_type=unit.department_type, name=unit.name
        )
    ]


def fields_issued_by(unit) -> list[str]:
    return certification_rules.fields_issued_by(
        unit_kind=unit.kind, department_type=unit.department_type, name=unit.name
    )


def volunteer_area_ranges(user) -> list[tuple[int, int]]:
    """Where a volunteer serves: the streets of their home regions (a volunteer team is a street's)."""
    ranges = []
    for region_id in scope_for(user).home_region_ids:
        try:
            ranges.append(ancestor_range(region_id, Level.STREET))
        except (ValueError, KeyError):
            continue
    return ranges


def in_volunteer_area(user, region_id: int) -> bool:
    return any(low <= region_id < high for low, high in volunteer_area_ranges(user))


@rules.predicate
def is_volunteer_person(user) -> bool:
    """A resident or volunteer (never staff): holds certifications, takes tasks, earns and redeems points."""
    return bool(getattr(user, "is_authenticated", False)) and not is_staff_person(user)


@rules.predicate
def can_issue_certifications(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(issuing_units(user))


@rules.predicate
def can_post_requests(user) -> bool:
    scope = scope_for(user)
    return (
        bool(getattr(user, "is_authenticated", False))
        and scope.has_role(*REQUEST_POSTER_ROLES)
        and bool(scope.unit_ids)
    )


@rules.predicate
def can_manage_request(user, request) -> bool:
    """The owner of the request, or someone acting for its issuing organisation."""
    if request is None or not getattr(user, "is_authenticated", False):
        return False
    return user.pk == request.owner_id or acts_for_unit(user, request.unit)


@rules.predicate
def can_take_request(user, request) -> bool:
    """A volunteer certified for the request's field and level, in the request's area, while it is open."""
    return (
        request is not None
        and is_volunteer_person(user)
        and request.state == RequestState.OPEN
        and in_volunteer_area(user, request.region_id)
        and certification_grants(user, request.field, min_level=request.min_level)
    )


rules.add_perm("participation.volunteer", is_volunteer_person)
rules.add_perm("participation.issue_certification", can_issue_certifications)
rules.add_perm("participation.post_service_request", can_post_requests)
rules.add_perm("participation.manage_service_request", can_manage_request)
rules.add_perm("participation.take_service_request", can_take_request)
