"""Who may do what in project-based allocation (django-rules).

* A call is published and managed (award, disburse tranches) by people acting for its owner unit, or by
  administrators whose scope holds the owner's region.
* An organisation applies through people acting for it; its kind must be one the call admits.
* A panel member scores an application unless they act for the applicant's unit (conflict of interest: what a
  unit is assessed on is recorded by someone else).
* The awardee (people acting for the applicant) reports spending and deliveries; the requester of the demand
  (people acting for the requesting unit, or who raised the demand) confirms a delivery — never the awardee.
"""

from __future__ import annotations

import rules

from fuhe.accounts.models import Role
from fuhe.accounts.scope import scope_for

STAFF_ROLES = (
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.STREET_DISPATCHER,
    Role.DEPARTMENT_HANDLER,
    Role.LEADER,
    Role.SUPERVISOR,
    Role.ADMINISTRATOR,
)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def acts_for_unit(user, unit_id: int | None) -> bool:
    return _authenticated(user) and unit_id is not None and unit_id in scope_for(user).unit_ids


def _administers(user, unit) -> bool:
    scope = scope_for(user)
    return scope.has_role(Role.ADMINISTRATOR) and scope.contains_region(unit.region_id)


@rules.predicate
def can_publish_for(user, unit) -> bool:
    if unit is None or not _authenticated(user):
        return False
    return acts_for_unit(user, unit.pk) or _administers(user, unit)


@rules.predicate
def can_manage_call(user, call) -> bool:
    return call is not None and can_publish_for(user, call.owner)


@rules.predicate
def can_publish_any(user) -> bool:
    if not _authenticated(user):
        return False
    scope = scope_for(user)
    return bool(scope.unit_ids) or scope.has_role(Role.ADMINISTRATOR)


@rules.predicate
def can_apply_for(user, unit) -> bool:
    return unit is not None and acts_for_unit(user, unit.pk)


def has_conflict(user, application) -> bool:
    return acts_for_unit(user, application.applicant_id)


@rules.predicate
def can_score(user, application) -> bool:
    if application is None or not _authenticated(user):
        return False
    is_member = application.call.panel.filter(pk=user.pk).exists()
    return is_member and not has_conflict(user, application)


@rules.predicate
def can_report_for(user, application) -> bool:
    """The awardee's side: spending lines and deliveries."""
    return application is not None and acts_for_unit(user, application.applicant_id)


@rules.predicate
def can_confirm_delivery(user, application) -> bool:
    """The requester's side: confirm what the awardee reported delivered (never the awardee itself)."""
    if application is None or application.demand_id is None or not _authenticated(user):
        return False
    if acts_for_unit(user, application.applicant_id):
        return False
    demand = application.demand
    return user.pk == demand.created_by_id or acts_for_unit(user, demand.requester_id)


@rules.predicate
def can_view_projects(user) -> bool:
    """The projects pages: staff, people acting for a unit (owners and organisations) and panel members."""
    if not _authenticated(user):
        return False
    scope = scope_for(user)
    if scope.is_global or scope.unit_ids or scope.has_role(*STAFF_ROLES):
        return True
    return user.funding_panels.exists()


rules.add_perm("funding.view_projects", can_view_projects)
rules.add_perm("funding.publish_call", can_publish_any)
rules.add_perm("funding.manage_call", can_manage_call)
rules.add_perm("funding.score", can_score)
rules.add_perm("funding.report", can_report_for)
rules.add_perm("funding.confirm_delivery", can_confirm_delivery)
