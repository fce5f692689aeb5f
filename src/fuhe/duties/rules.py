"""Who may read and maintain duty lists (django-rules; one name for views, templates and tests)."""

from __future__ import annotations

import rules

from fuhe.accounts.models import Role
from fuhe.accounts.rules import is_staff_member
from fuhe.accounts.scope import scope_for

MAINTAINER_ROLES = (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.LEADER)


@rules.predicate
def is_list_maintainer(user) -> bool:
    return scope_for(user).has_role(*MAINTAINER_ROLES)


@rules.predicate
def list_region_in_scope(user, duty_list) -> bool:
    """The list's whole region lies in the user's scope (a district leader maintains the district's list)."""
    return duty_list is not None and scope_for(user).contains_region(duty_list.region_id)


@rules.predicate
def list_applies_to_user(user, duty_list) -> bool:
    if duty_list is None:
        return False
    scope = scope_for(user)
    if scope.is_global:
        return True
    low, high = duty_list.region.subtree
    return any(low <= a < high or a <= duty_list.region_id < b for a, b in scope.ranges)


rules.add_perm("duties.view_dutylist", is_staff_member & list_applies_to_user)
rules.add_perm("duties.maintain", is_list_maintainer)  # may create lists and import (in their own regions)
rules.add_perm("duties.change_dutylist", is_list_maintainer & list_region_in_scope)
rules.add_perm("duties.view_report", is_list_maintainer & list_applies_to_user)
