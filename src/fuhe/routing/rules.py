"""Who sees routing recommendations and who acts on them (django-rules)."""

from __future__ import annotations

import rules

from fuhe.accounts.models import Role
from fuhe.accounts.scope import scope_for
from fuhe.cases.rules import is_dispatcher_for

READ_ROLES = (Role.STREET_DISPATCHER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR)


@rules.predicate
def dispatches_case(user, case) -> bool:
    return case is not None and is_dispatcher_for(user, case)


@rules.predicate
def oversees_case(user, case) -> bool:
    scope = scope_for(user)
    return (
        case is not None and scope.has_role(Role.LEADER, Role.SUPERVISOR) and scope.covers_case_region(case.region_id)
    )


@rules.predicate
def reads_routing(user) -> bool:
    return scope_for(user).has_role(*READ_ROLES)


@rules.predicate
def is_administrator(user) -> bool:
    return scope_for(user).has_role(Role.ADMINISTRATOR)


rules.add_perm("routing.view_recommendation", dispatches_case | oversees_case)
rules.add_perm("routing.decide", dispatches_case)
rules.add_perm("routing.view_dashboard", reads_routing)
rules.add_perm("routing.retrain", is_administrator)
