"""The one access layer: what regions and units a user may see, derived from their roles.

Every list and detail the platform serves filters through ``scope_for(user)``. The scoped ``*_get`` selectors of
each context (``region_get``, ``unit_get``, ``case_get``, ``person_get``, ``task_get`` …) resolve an id a user sent
and answer "missing" and "out of scope" with the same 404, so nothing can be probed
(``tests/accounts/rules/test_scope_matrix.py`` proves it role by role).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from fuhe.accounts.models import Role
from fuhe.org.core.divisions import Level, subtree_range

SCOPE_CACHE_ATTRIBUTE = "_fuhe_scope"


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_global: bool
    ranges: tuple[tuple[int, int], ...]
    roles: frozenset[str]
    unit_ids: frozenset[int]
    home_region_ids: tuple[int, ...]
    case_ranges: tuple[tuple[int, int], ...] = ()  # regions whose cases the user's roles cover (not residents,
    # volunteers or department handlers: those see their own cases, their unit's work and their summonses)

    @property
    def is_empty(self) -> bool:
        return not self.is_global and not self.ranges

    def contains_region(self, region_id: int | None) -> bool:
        if region_id is None:
            return self.is_global
        return self.is_global or any(low <= region_id < high for low, high in self.ranges)

    def region_q(self, field: str = "id") -> Q:
        """A Q object keeping rows whose ``field`` (a region key) lies in scope."""
        return Q() if self.is_global else _ranges_q(self.ranges, field)

    def case_region_q(self, field: str = "region_id") -> Q:
        """Rows whose region lies where the user's case-handling roles reach (excludes the global case)."""
        return _ranges_q(self.case_ranges, field)

    def covers_case_region(self, region_id: int | None) -> bool:
        if self.is_global:
            return True
        return region_id is not None and any(low <= region_id < high for low, high in self.case_ranges)

    def contains_unit(self, unit_id: int, region_id: int) -> bool:
        """A unit is visible when it lies in the user's regions or the user acts for it."""
        return unit_id in self.unit_ids or self.contains_region(region_id)

    def unit_q(self) -> Q:
        if self.is_global:
            return Q()
        return self.region_q("region_id") | Q(id__in=sorted(self.unit_ids))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


EMPTY_SCOPE = Scope(None, False, (), frozenset(), frozenset(), ())
CASE_REGION_ROLES = frozenset(
    {Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.STREET_DISPATCHER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR}
)


def _ranges_q(ranges: tuple[tuple[int, int], ...], field: str) -> Q:
    if not ranges:
        return Q(pk__in=[])
    condition = Q()
    for low, high in ranges:
        condition |= Q(**{f"{field}__gte": low, f"{field}__lt": high})
    return condition


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Drop ranges nested in others (a street worker who is also in one of its communities)."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return tuple(merged)


def scope_for(user) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, SCOPE_CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    assignments = list(user.roles.values_list("role", "unit_id", "region_id", "region__level"))
    roles = frozenset(role for role, _unit, _region, _level in assignments)
    ranges = [subtree_range(region_id, Level(level)) for _role, _unit, region_id, level in assignments]
    case_ranges = [
        subtree_range(region_id, Level(level))
        for role, _unit, region_id, level in assignments
        if role in CASE_REGION_ROLES
    ]
    is_global = user.is_superuser
    scope = Scope(
        user_id=user.pk,
        is_global=is_global,
        ranges=() if is_global else _merge(ranges),
        roles=roles | ({Role.ADMINISTRATOR.value} if user.is_superuser else frozenset()),
        unit_ids=frozenset(unit for _role, unit, _region, _level in assignments if unit),
        home_region_ids=tuple(dict.fromkeys(region for _role, _unit, region, _level in assignments)),
        case_ranges=() if is_global else _merge(case_ranges),
    )
    setattr(user, SCOPE_CACHE_ATTRIBUTE, scope)
    return scope


def forget_scope(user) -> None:
    if hasattr(user, SCOPE_CACHE_ATTRIBUTE):
        delattr(user, SCOPE_CACHE_ATTRIBUTE)
