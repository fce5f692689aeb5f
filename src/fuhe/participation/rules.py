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

import rules

from fuhe.accounts.models import Role
from fuhe.accounts.rules import is_staff_member, person_in_scope
from fuhe.accounts.scope import scope_for

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
