"""Reads of cases, always scoped: a worklist never shows a case its reader may not open."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fuhe.accounts.scope import scope_for
from fuhe.cases.core.lifecycle import TERMINAL, CaseFacts, State, allowed_actions
from fuhe.cases.models import Case, CaseEvent, ReportIn, ReportInStatus
from fuhe.cases.rules import can_act

OPEN_STATES = [s.value for s in State if s not in TERMINAL]
HANDLING_STATES = [State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS, State.REOPENED, State.ESCALATED]


def case_queryset(user, *, states: Iterable[str] | None = None, received_since=None) -> QuerySet[Case]:
    """Cases the user may see: their roles' regions, their own reports, their units' work and summonses.

    Each way in is its own indexed query; they are joined with UNION inside ``id IN (…)``. One big ``OR``
    (ranges OR reporter OR owner OR EXISTS summons) would make SQLite scan the whole table. ``states``, when
    given, narrows the large branches (so a street's open worklist seeks its open cases through the
    ``(state, region)`` index instead of collecting every case of the street first); the result may still hold
    own reports in other states, so callers filter by state as well. ``received_since`` narrows the same branches
    by the time received (the rates of a period count only that period's cases); callers filter by it as well.
    """
    scope = scope_for(user)
    if scope.is_global:
        return Case.objects.all()
    if scope.user_id is None:
        return Case.objects.none()
    state_q = Q(state__in=sorted(set(states))) if states is not None else Q()
    summons_state_q = Q(summons__case__state__in=sorted(set(states))) if states is not None else Q()
    if received_since is not None:
        state_q &= Q(created_at__gte=received_since)
        summons_state_q &= Q(summons__case__created_at__gte=received_since)
    # own reports are few: this branch is not narrowed (a state filter here made SQLite prefer a table scan)
    branches = [Case.objects.filter(reporter_id=scope.user_id).values("id").order_by()]
    if scope.case_ranges:
        branches.append(Case.objects.filter(scope.case_region_q("region_id"), state_q).values("id").order_by())
    if scope.unit_ids:
        units = sorted(scope.unit_ids)
        branches.append(Case.objects.filter(state_q, owner_unit_id__in=units).values("id").order_by())
        branches.append(ReportIn.objects.filter(summons_state_q, department_id__in=units)
                        .values("summons__case_id").order_by())
    return Case.objects.filter(pk__in=branches[0].union(*branches[1:]))


def case_get(*, user, case_id: int) -> Case:
    try:
        return (case_queryset(user).select_related("category", "region", "owner_unit", "merged_into")
                .get(pk=int(case_id)))
    except (Case.DoesNotExist, TypeError, ValueError):
        raise Http404("No such case") from None


@dataclass(frozen=True)
class CaseFilters:
    state: str = ""
    category_id: int | None = None
    region_id: int | None = None
    overdue: bool = False
    mine: bool = False
    query: str = ""
    order: str = "deadline"


ORDERINGS = {"deadline": ["resolution_due", "-created_at"], "newest": ["-created_at"], "oldest": ["created_at"]}


def case_list(*, user, filters: CaseFilters = CaseFilters()) -> QuerySet[Case]:
    states: set[str] | None = None
    if filters.state == "open":
        states = set(OPEN_STATES)
    elif filters.state:
        states = {filters.state}
    if filters.overdue:
        states = set(HANDLING_STATES) if states is None else states & set(HANDLING_STATES)
    cases = case_queryset(user, states=states)
    if filters.state == "open":
        cases = cases.filter(state__in=OPEN_STATES)
    elif filters.state:
        cases = cases.filter(state=filters.state)
    if filters.category_id:
        cases = cases.filter(category_id=filters.category_id)
    if filters.region_id:
        from fuhe.org.models import Region

        region = Region.objects.filter(pk=filters.region_id).first()
        if region:
            low, high = region.subtree
            cases = cases.filter(region_id__gte=low, region_id__lt=high)
    if filters.overdue:
        cases = cases.filter(state__in=HANDLING_STATES, resolution_due__lt=timezone.now())
    if filters.mine:
        scope = scope_for(user)
        cases = cases.filter(Q(owner_unit_id__in=sorted(scope.unit_ids)) | Q(reporter_id=user.pk))
    if filters.query:
        query = filters.query.strip()
        cases = cases.filter(Q(tracking_code=query.upper()) | Q(title__contains=query) | Q(text__contains=query)
                             | Q(address__contains=query))
    return (cases.select_related("category", "region", "owner_unit")
            .order_by(*ORDERINGS.get(filters.order, ORDERINGS["deadline"])))


def dispatch_queue(*, user) -> QuerySet[Case]:
    """Cases waiting for the dispatcher: new, returned, under review, escalated — none may sit unseen."""
    waiting = [State.RECEIVED, State.RETURNED, State.UNDER_REVIEW, State.ESCALATED, State.REOPENED]
    return case_queryset(user, states=waiting).filter(state__in=waiting).select_related(
        "category", "region", "owner_unit").order_by("created_at")


def case_timeline(*, case: Case, public_only: bool = False) -> QuerySet[CaseEvent]:
    events = case.events.select_related("actor", "unit")
    return events.filter(is_public=True) if public_only else events


def case_actions(*, user, case: Case) -> list[str]:
    """The actions this user may take now: lifecycle allows it and the user's role may do it."""
    from fuhe.cases.services.lifecycle import case_facts

    # the unit to dispatch to and the case to merge into are asked for by the action's form
    facts: CaseFacts = replace(case_facts(case), has_owner=True, has_duplicate_target=True)
    return [a.value for a in allowed_actions(case.state, facts) if can_act(user, case, a)]


def open_report_ins(*, case: Case):
    return ReportIn.objects.filter(summons__case=case).select_related("department", "summons").order_by("pk")


def pending_report_ins_for(*, user):
    units = scope_for(user).unit_ids
    return (ReportIn.objects.filter(department_id__in=sorted(units), status=ReportInStatus.PENDING)
            .select_related("summons__case", "department"))
