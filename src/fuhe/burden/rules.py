"""Burden permissions (django-rules), one name each for views, templates and tests."""

from __future__ import annotations

import rules

from fuhe.accounts.models import Role
from fuhe.accounts.rules import is_staff_member
from fuhe.accounts.scope import scope_for
from fuhe.burden.selectors import policy_for_region, sender_units


@rules.predicate
def may_send_tasks(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and sender_units(user).exists()


def can_decide(user, task) -> bool:
    """The approving body of the task's district (its policy names it), or an administrator, decides on a task
    outside the admission lists."""
    scope = scope_for(user)
    if not scope.contains_region(task.target_region_id) and not scope.is_global:
        return False
    if scope.is_global or scope.has_role(Role.ADMINISTRATOR):
        return True
    policy = policy_for_region(task.target_region_id)
    return policy.approval_unit_id is not None and policy.approval_unit_id in scope.unit_ids


@rules.predicate
def may_decide(user, task) -> bool:
    return task is not None and can_decide(user, task)


@rules.predicate
def acts_for_target_unit(user, target) -> bool:
    return target is not None and target.unit_id in scope_for(user).unit_ids


rules.add_perm("burden.issue_task", may_send_tasks)
rules.add_perm("burden.decide_task", may_decide)
rules.add_perm("burden.answer_task", acts_for_target_unit)
rules.add_perm("burden.view_registry", is_staff_member)  # the registry pages: sent, received, counts, catalogue


@rules.predicate
def oversees_staff(user) -> bool:
    """Leaders, supervisors and administrators: who may see named people's load (colleagues may not)."""
    scope = scope_for(user)
    return scope.is_global or scope.has_role(Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR)


rules.add_perm("burden.view_load", is_staff_member)
rules.add_perm("burden.view_people_load", oversees_staff)
rules.add_perm("burden.view_report", is_staff_member)
