"""Who sees which map layers (django-rules). Regions, grids, resources, demands and matches are open to every signed-in
user, each filtered by the owning context's scope; the case layer only to those whose roles handle cases (not
residents, volunteers or anonymous users); the load layer to those who may read the load page."""

from __future__ import annotations

import rules

from fuhe.accounts.models import Role
from fuhe.accounts.scope import scope_for

CASE_LAYER_ROLES = (
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.STREET_DISPATCHER,
    Role.DEPARTMENT_HANDLER,
    Role.LEADER,
    Role.SUPERVISOR,
    Role.ADMINISTRATOR,
)


@rules.predicate
def can_view_map(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


@rules.predicate
def can_view_case_layer(user) -> bool:
    if not can_view_map(user):
        return False
    scope = scope_for(user)
    return scope.is_global or scope.has_role(*CASE_LAYER_ROLES)


@rules.predicate
def can_view_load_layer(user) -> bool:
    return can_view_map(user) and user.has_perm("burden.view_load")


rules.add_perm("maps.view_map", can_view_map)
rules.add_perm("maps.view_case_layer", can_view_case_layer)
rules.add_perm("maps.view_load_layer", can_view_load_layer)
