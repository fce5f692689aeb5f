"""Who may see a case and who may perform which action on it: declared once, used everywhere."""

from __future__ import annotations

import rules

from fuhe.accounts.models import Role
from fuhe.accounts.scope import scope_for
from fuhe.cases.core.lifecycle import Action, State
from fuhe.org.core.divisions import Level

DISPATCH_ROLES = (Role.STREET_DISPATCHER, Role.ADMINISTRATOR)
SUPERVISE_ROLES = (Role.STREET_DISPATCHER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR)

#: actions performed by the dispatching side (street/township centre), on cases in their regions
DISPATCHER_ACTIONS = frozenset(
    {
        Action.DISPATCH,
        Action.ANSWER_DIRECTLY,
        Action.REASSIGN,
        Action.REJECT_RETURN,
        Action.MERGE,
        Action.FLAG_UNREASONABLE,
        Action.DISMISS,
        Action.CLEAR_REVIEW,
        Action.GRANT_EXTENSION,
        Action.DENY_EXTENSION,
        Action.CLOSE,
    }
)
#: actions performed by the handling unit's members
HANDLER_ACTIONS = frozenset(
    {Action.ACCEPT, Action.RETURN, Action.START, Action.REPLY, Action.REQUEST_EXTENSION, Action.FLAG_UNREASONABLE}
)
SUPERVISION_ACTIONS = frozenset({Action.URGE, Action.SUPERVISE})


def is_dispatcher_for(user, case) -> bool:
    scope = scope_for(user)
    return scope.has_role(*DISPATCH_ROLES) and scope.covers_case_region(case.region_id)


def is_handler_for(user, case) -> bool:
    return case.owner_unit_id is not None and case.owner_unit_id in scope_for(user).unit_ids


def is_summoned(user, case) -> bool:
    from fuhe.cases.models import ReportIn

    units = scope_for(user).unit_ids
    return bool(units) and ReportIn.objects.filter(summons__case=case, department_id__in=units).exists()


def can_act(user, case, action: Action) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if action in DISPATCHER_ACTIONS and is_dispatcher_for(user, case):
        return True
    if action in HANDLER_ACTIONS and is_handler_for(user, case):
        return True
    if action in SUPERVISION_ACTIONS:
        scope = scope_for(user)
        return scope.has_role(*SUPERVISE_ROLES) and scope.covers_case_region(case.region_id)
    return False


@rules.predicate
def can_view_case(user, case) -> bool:
    if case is None:
        return False
    scope = scope_for(user)
    return (
        scope.covers_case_region(case.region_id)
        or case.owner_unit_id in scope.unit_ids
        or (case.reporter_id is not None and case.reporter_id == user.pk)
        or is_summoned(user, case)
    )


@rules.predicate
def can_whistle(user, case) -> bool:
    """A street/township (or community) centre summons departments on a case in its area."""
    scope = scope_for(user)
    return scope.has_role(
        Role.STREET_DISPATCHER, Role.COMMUNITY_WORKER, Role.ADMINISTRATOR
    ) and scope.covers_case_region(case.region_id)


@rules.predicate
def can_see_reporter(user, case) -> bool:
    """The reporter's phone, in full: the handling unit (it must call back) and the dispatcher."""
    return is_handler_for(user, case) or is_dispatcher_for(user, case)


def is_independent_of_handling(user, case) -> bool:
    """The user acts neither for the unit handling the case nor for the department above it: whatever they
    record about the case's outcome is not the assessed unit grading itself."""
    if case.owner_unit_id is None:
        return True
    handling = {case.owner_unit_id, case.owner_unit.parent_id} - {None}
    return not handling & scope_for(user).unit_ids


@rules.predicate
def may_record_follow_up(user, case) -> bool:
    """A follow-up call (回访) is recorded by the dispatching side (a street or township centre, an administrator
    for the hotline centre) and never by the unit that handled the case or its department: the rates it feeds
    assess that unit. The resident's own rating on the tracking page needs no one."""
    return case is not None and is_dispatcher_for(user, case) and is_independent_of_handling(user, case)


rules.add_perm("cases.view_case", can_view_case)
rules.add_perm("cases.whistle", can_whistle)
rules.add_perm("cases.view_reporter", can_see_reporter)
rules.add_perm("cases.follow_up", may_record_follow_up)
rules.add_perm("cases.dispatch", rules.predicate(lambda user: scope_for(user).has_role(*DISPATCH_ROLES)))

#: the levels whose administrators keep the platform's calendar (the holiday schedule is national: a district's)
CALENDAR_LEVELS = (Level.PROVINCE, Level.CITY, Level.DISTRICT)


@rules.predicate
def is_district_administrator(user) -> bool:
    """An administrator of a district or a wider region (a street's administrator keeps no calendar)."""
    scope = scope_for(user)
    if scope.is_global:
        return True
    return (
        scope.has_role(Role.ADMINISTRATOR)
        and user.roles.filter(role=Role.ADMINISTRATOR, region__level__in=CALENDAR_LEVELS).exists()
    )


rules.add_perm("cases.import_calendar", is_district_administrator)


# --- patrol (巡查) and on-spot fixes (就地解决) ------------------------------------------------------------------

#: the roles that resolve their own patrol findings on the spot (the grid worker of the grid)
ON_SPOT_ROLES = (Role.GRID_WORKER,)
#: the actions that settle a spot check of an on-spot fix (there is at most one per case)
SPOT_CHECK_DECISIONS = (Action.SPOT_CHECK_CONFIRM, Action.SPOT_CHECK_REOPEN)


def is_patrol_finding(case) -> bool:
    """The case was found on patrol (channel patrol, proactive), not reported by a resident."""
    from fuhe.cases.models import Channel

    return case.channel == Channel.PATROL and case.is_proactive


def patrol_facts(case) -> dict[str, bool]:
    """What the lifecycle's patrol guards read about ``case`` (``CaseFacts``): a patrol finding, whether it was
    closed on the spot before (a fix a spot check overturned is not closed on the spot again: it goes through the
    loop), and whether a spot check of its on-spot fix is waiting. Queries only for patrol findings."""
    from fuhe.cases.models import CaseEvent

    facts = {"is_patrol_finding": is_patrol_finding(case), "was_resolved_on_spot": False, "spot_check_pending": False}
    if not facts["is_patrol_finding"] or case.state not in (State.RECEIVED, State.CLOSED):
        return facts
    events = CaseEvent.objects.filter(case_id=case.pk)
    on_spot = list(events.filter(action=Action.RESOLVE_ON_SPOT).values_list("data", flat=True))
    facts["was_resolved_on_spot"] = bool(on_spot)
    if case.state == State.CLOSED and any(data.get("spot_check") for data in on_spot):
        facts["spot_check_pending"] = not events.filter(action__in=SPOT_CHECK_DECISIONS).exists()
    return facts


@rules.predicate
def may_patrol(user) -> bool:
    """Records patrol findings: anyone whose roles cover cases in some region (the grid worker above all)."""
    scope = scope_for(user)
    return scope.is_global or bool(scope.case_ranges)


@rules.predicate
def may_fix_on_spot(user) -> bool:
    """Offered the "fixed on the spot" button of the patrol page."""
    return scope_for(user).has_role(*ON_SPOT_ROLES)


@rules.predicate
def may_resolve_on_spot(user, case) -> bool:
    """Only the grid worker who found the problem on patrol, in their own grid, closes it as fixed on the spot."""
    if case is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    scope = scope_for(user)
    return (
        scope.has_role(*ON_SPOT_ROLES)
        and case.created_by_id == user.pk
        and is_patrol_finding(case)
        and scope.covers_case_region(case.region_id)
    )


@rules.predicate
def may_spot_check(user, case) -> bool:
    """The street's dispatching side checks an on-spot fix, never the worker who reported and closed it (the trust
    rule: nobody verifies their own work)."""
    return (
        case is not None
        and getattr(user, "is_authenticated", False)
        and is_dispatcher_for(user, case)
        and case.created_by_id != user.pk
    )


rules.add_perm("cases.patrol", may_patrol)
rules.add_perm("cases.fix_on_spot", may_fix_on_spot)
rules.add_perm("cases.resolve_on_spot", may_resolve_on_spot)
rules.add_perm("cases.spot_check", may_spot_check)
