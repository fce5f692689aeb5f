"""Reads of cases, always scoped: a worklist never shows a case its reader may not open."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Case as Choose
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from fuhe.accounts.models import Role, RoleAssignment
from fuhe.accounts.scope import scope_for
from fuhe.cases.core.coverage import Gap, Place, merge, uncovered
from fuhe.cases.core.history import CaseRow, EventRow, mismatches
from fuhe.cases.core.lifecycle import TERMINAL, CaseFacts, State, allowed_actions, is_rating_window_over
from fuhe.cases.core.search import query_terms
from fuhe.cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    ImportJob,
    Notification,
    ReportIn,
    ReportInStatus,
    Summons,
)
from fuhe.cases.rules import can_act, patrol_facts
from fuhe.org.core.divisions import Level, ancestor_key, subtree_range
from fuhe.org.models import Region, Unit
from fuhe.org.selectors import region_ancestors

OPEN_STATES = [s.value for s in State if s not in TERMINAL]
HANDLING_STATES = [State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS, State.REOPENED, State.ESCALATED]


def case_queryset(
    user, *, states: Iterable[str] | None = None, received_since=None, text_terms: list[str] | None = None
) -> QuerySet[Case]:
    """Cases the user may see: their roles' regions, their own reports, their units' work and summonses.

    Each way in is its own indexed query; they are joined with UNION inside ``id IN (…)``. One big ``OR``
    (ranges OR reporter OR owner OR EXISTS summons) would make SQLite scan the whole table. ``states``, when
    given, narrows the large branches (so a street's open worklist seeks its open cases through the
    ``(state, region)`` index instead of collecting every case of the street first); the result may still hold
    own reports in other states, so callers filter by state as well. ``received_since`` narrows the same branches
    by the time received (the rates of a period count only that period's cases); callers filter by it as well.
    ``text_terms`` (``fuhe.cases.core.search.query_terms``) keeps only the cases holding every term, read from
    the search index first and then checked against the scope, so that a text search reads its candidates, not
    the whole scope; callers still match the text itself.
    """
    scope = scope_for(user)
    if scope.is_global:
        return Case.objects.filter(pk__in=_holding_terms(text_terms)) if text_terms is not None else Case.objects.all()
    if scope.user_id is None:
        return Case.objects.none()
    if text_terms is not None:
        # the index's candidates drive: each is checked against the ways in (an OR is cheap on a few rows;
        # collecting a street's every case to intersect them is not)
        visible = Q(reporter_id=scope.user_id)
        if scope.case_ranges:
            visible |= scope.case_region_q("region_id")
        if scope.unit_ids:
            units = sorted(scope.unit_ids)
            visible |= Q(owner_unit_id__in=units) | Q(
                pk__in=ReportIn.objects.filter(department_id__in=units).values("summons__case_id")
            )
        return Case.objects.filter(visible, pk__in=_holding_terms(text_terms))
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
        branches.append(
            ReportIn.objects.filter(summons_state_q, department_id__in=units).values("summons__case_id").order_by()
        )
    return Case.objects.filter(pk__in=branches[0].union(*branches[1:]))


def case_get(*, user, case_id: int) -> Case:
    try:
        return (
            case_queryset(user).select_related("category", "region", "owner_unit", "merged_into").get(pk=int(case_id))
        )
    except (Case.DoesNotExist, TypeError, ValueError):
        raise Http404("No such case") from None


def case_find(*, tracking_code: str) -> Case | None:
    """The case with this tracking code, unscoped: only for a resident proving access to it
    (``case_verify_access``) before it enters their session. Never shown on its own: pages use ``tracked_case_get``."""
    return Case.objects.filter(tracking_code=tracking_code.upper()).first()


def tracked_case_get(*, code: str, tracked_codes: Iterable[str]) -> Case:
    """A case the resident has proved access to in this session (``tracked_codes``); the same 404 for a code
    that matches no case and for one this session has not proved."""
    code = code.upper()
    if code not in set(tracked_codes):
        raise Http404("No such case")
    try:
        return Case.objects.select_related("owner_unit", "merged_into").get(tracking_code=code)
    except Case.DoesNotExist:
        raise Http404("No such case") from None


def case_photo_get(*, user, photo_id: int, tracked_codes: Iterable[str] = ()) -> CasePhoto:
    """A photo of a case the user may see, or that the resident tracks in this session; the same 404 for a
    missing photo and for one of a case out of reach."""
    try:
        photo = CasePhoto.objects.select_related("case").get(pk=int(photo_id))
    except (CasePhoto.DoesNotExist, TypeError, ValueError):
        raise Http404("No such photo") from None
    tracked = photo.case.tracking_code in set(tracked_codes)
    if not tracked and not (user.is_authenticated and user.has_perm("cases.view_case", photo.case)):
        raise Http404("No such photo")
    return photo


INTAKE_LEVELS = ("community", "grid")


def intake_region_list(*, user, limit: int = 500) -> list[tuple[int, str]]:
    """(id, name) of the communities and grids where the user's case-handling roles reach, for the intake form."""
    regions = Region.objects.filter(scope_for(user).case_region_q("id"), level__in=INTAKE_LEVELS).order_by("id")
    return [(region.id, region.name) for region in regions[:limit]]


def intake_region_get(*, user, region_id: int) -> Region:
    """A community or grid of ``intake_region_list``; the same 404 for a missing region and one out of reach."""
    try:
        return Region.objects.filter(scope_for(user).case_region_q("id"), level__in=INTAKE_LEVELS).get(
            pk=int(region_id)
        )
    except (Region.DoesNotExist, TypeError, ValueError):
        raise Http404("No such region") from None


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
    query = filters.query.strip()
    terms = query_terms(query) if query else None
    cases = case_queryset(user, states=states, text_terms=terms)
    if filters.state == "open":
        cases = cases.filter(state__in=OPEN_STATES)
    elif filters.state:
        cases = cases.filter(state=filters.state)
    if filters.category_id:
        cases = cases.filter(category_id=filters.category_id)
    if filters.region_id:
        region = Region.objects.filter(pk=filters.region_id).first()
        if region:
            low, high = region.subtree
            cases = cases.filter(region_id__gte=low, region_id__lt=high)
    if filters.overdue:
        cases = cases.filter(state__in=HANDLING_STATES, resolution_due__lt=timezone.now())
    if filters.mine:
        scope = scope_for(user)
        cases = cases.filter(Q(owner_unit_id__in=sorted(scope.unit_ids)) | Q(reporter_id=user.pk))
    if query:
        text = Q(title__contains=query) | Q(text__contains=query) | Q(address__contains=query)
        # with terms the index gave the candidates (a tracking code has none: it is letters and digits)
        cases = cases.filter(text if terms is not None else Q(tracking_code=query.upper()) | text)
    return cases.select_related("category", "region", "owner_unit").order_by(
        *ORDERINGS.get(filters.order, ORDERINGS["deadline"])
    )


def _holding_terms(terms: list[str]) -> RawSQL:
    """Ids of the cases whose search terms include every one of ``terms`` (``fuhe.cases.core.search``), from the
    database's index of them (migration 0008)."""
    if connection.vendor == "sqlite":
        match = " AND ".join(f'"{term}"' for term in terms)  # bigrams of letters: nothing to escape
        # and the cases the worker has not indexed yet (fuhe.cases.services.search): all are candidates
        return RawSQL(
            "SELECT rowid FROM cases_casesearch_fts WHERE cases_casesearch_fts MATCH %s UNION ALL "
            "SELECT id FROM cases_case WHERE id > COALESCE((SELECT through FROM cases_casesearch_mark), 0)",
            [match],
        )
    if connection.vendor == "postgresql":
        return RawSQL("SELECT case_id FROM cases_casesearch WHERE string_to_array(terms, ' ') @> %s::text[]", [terms])
    return RawSQL("SELECT case_id FROM cases_casesearch", [])  # no index on this database: every case


QUEUE_STATES = [State.RECEIVED, State.RETURNED, State.UNDER_REVIEW, State.ESCALATED, State.REOPENED]
#: while a case is in one of these states and was never dispatched, its intake (dispatch) clock runs
INTAKE_STATES = [State.RECEIVED, State.UNDER_REVIEW]
REPEAT_WINDOW = timedelta(days=90)
#: the levels of a street's own dispatchers (one assigned to a village covers that village only)
DISPATCHER_LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID)


def intake_running_q() -> Q:
    """Cases whose intake (dispatch) clock runs: received (or under review) and never dispatched. A direct reply,
    a dismissal or a merge moves the case out of these states and so stops the clock."""
    return Q(state__in=INTAKE_STATES, dispatched_at__isnull=True)


def dispatch_queue(*, user) -> QuerySet[Case]:
    """Cases waiting for the dispatcher: new, returned, under review, escalated — none may sit unseen."""
    return (
        case_queryset(user, states=QUEUE_STATES)
        .filter(state__in=QUEUE_STATES)
        .select_related("category", "region", "owner_unit")
        .order_by("created_at")
    )


def dispatcher_gaps(*, region_ids: Iterable[int]) -> list[Gap]:
    """The parts of the streets (and districts) holding ``region_ids`` that no active street dispatcher covers,
    each named after its street: a case there is in no street's queue, so its district answers for it (兜底).

    A region's place is its street (itself, or its ancestor at the street level); a case placed on a district or a
    city is its own place. Two queries: the places, and the dispatchers' assignments within them."""
    keys = {ancestor_key(key, Level.STREET) for key in region_ids if key}
    if not keys:
        return []
    places = [
        Place(*subtree_range(region.id, Level.STREET), region.name)
        if region.level == Level.STREET
        else Place(region.id, region.id + 1, region.name)  # a district or a city itself: its key alone
        for region in Region.objects.filter(pk__in=sorted(keys)).only("id", "level", "name")
    ]
    if not places:
        return []
    within = Q()
    for low, high in merge((place.low, place.high) for place in places):
        within |= Q(region_id__gte=low, region_id__lt=high)
    assignments = RoleAssignment.objects.filter(
        within, role=Role.STREET_DISPATCHER, user__is_active=True, region__level__in=DISPATCHER_LEVELS
    ).values_list("region_id", "region__level")
    return uncovered(places, [subtree_range(region_id, Level(level)) for region_id, level in assignments])


def _in_gaps_q(gaps: list[Gap]) -> Q:
    condition = Q(pk__in=[])
    for gap in gaps:
        condition |= Q(region_id__gte=gap.low, region_id__lt=gap.high)
    return condition


@dataclass(frozen=True)
class QueueFilters:
    """The dispatch queue's sort and filters, as the queue page's URL carries them."""

    order: str = "received"
    overdue: bool = False
    category_id: int | None = None
    channel: str = ""
    repeat: bool = False  # the caller's phone has earlier cases in the 90 days before this one
    no_dispatcher: bool = False  # the district's 兜底: no active dispatcher for the case's street


QUEUE_ORDERINGS = {
    "received": ["created_at", "pk"],  # the longest waiting first
    "newest": ["-created_at", "-pk"],
    "deadline": [F("queue_due").asc(nulls_last=True), "created_at", "pk"],
    "category": [F("category__path").asc(nulls_last=True), "created_at", "pk"],
}


def _earlier_calls(user) -> Coalesce:
    """How many cases the same phone reported in the 90 days before this case, among the cases the user's roles
    cover (a count only: the phone itself is never shown)."""
    scope = scope_for(user)
    earlier = Case.objects.filter(
        reporter_phone=OuterRef("reporter_phone"),
        created_at__lt=OuterRef("created_at"),
        created_at__gte=OuterRef("created_at") - REPEAT_WINDOW,
    ).exclude(reporter_phone="")
    if not scope.is_global:
        earlier = earlier.filter(scope.case_region_q("region_id"))
    counted = earlier.order_by().values("reporter_phone").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def dispatch_queue_list(*, user, filters: QueueFilters = QueueFilters()) -> QuerySet[Case]:
    """The queue page: ``dispatch_queue`` with each case's due time (``queue_due``: the dispatch limit while the
    intake clock runs, else the resolution deadline), its caller's earlier cases (``earlier_calls``) and, where no
    dispatcher covers its street, that street's name (``no_dispatcher_for``); sorted and filtered by ``filters``."""
    cases = dispatch_queue(user=user)
    gaps = dispatcher_gaps(region_ids=cases.order_by().values_list("region_id", flat=True).distinct())
    whens = [When(region_id__gte=gap.low, region_id__lt=gap.high, then=Value(gap.place)) for gap in gaps]
    cases = cases.annotate(
        queue_due=Choose(
            When(intake_running_q() & Q(intake_due__isnull=False), then=F("intake_due")),
            default=F("resolution_due"),
            output_field=DateTimeField(),
        ),
        earlier_calls=_earlier_calls(user),
        no_dispatcher_for=Choose(*whens, default=Value(""), output_field=CharField())
        if whens
        else Value("", output_field=CharField()),
    )
    if filters.overdue:
        now = timezone.now()
        cases = cases.filter(Q(intake_running_q(), intake_due__lt=now) | Q(resolution_due__lt=now))
    if filters.category_id:
        cases = cases.filter(category_id=filters.category_id)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.repeat:
        cases = cases.filter(earlier_calls__gt=0)
    if filters.no_dispatcher:
        cases = cases.filter(_in_gaps_q(gaps))
    return cases.order_by(*QUEUE_ORDERINGS.get(filters.order, QUEUE_ORDERINGS["received"]))


def dispatch_queue_categories(*, user) -> list[Category]:
    """The categories of the cases waiting in the user's queue (the queue page's category filter)."""
    waiting = dispatch_queue(user=user).order_by().exclude(category_id=None).values("category_id").distinct()
    return list(Category.objects.filter(pk__in=waiting).order_by("path"))


def case_region_path(*, case: Case) -> list[Region]:
    """Where the case is, from its street down to its own region (street › community › grid), for the case page."""
    region = case.region
    if region is None:
        return []
    below_district = (Level.STREET, Level.COMMUNITY, Level.GRID)
    ancestors = [r for r in region_ancestors(region) if r.level in below_district and r.pk != region.pk]
    return [*ancestors, region]


def case_timeline(*, case: Case, public_only: bool = False) -> QuerySet[CaseEvent]:
    events = case.events.select_related("actor", "unit")
    return events.filter(is_public=True) if public_only else events


def case_actions(*, user, case: Case) -> list[str]:
    """The actions this user may take now: lifecycle allows it and the user's role may do it."""
    # the unit to dispatch to and the case to merge into are asked for by the action's form
    facts: CaseFacts = replace(case_facts(case), has_owner=True, has_duplicate_target=True)
    return [a.value for a in allowed_actions(case.state, facts) if can_act(user, case, a)]


def open_report_ins(*, case: Case):
    return ReportIn.objects.filter(summons__case=case).select_related("department", "summons").order_by("pk")


def case_summons_list(*, case: Case) -> list[Summons]:
    """The summonses (吹哨) of ``case``, oldest first, each with its report-ins (``report_ins.all()``, with their
    departments) and, on every report-in, ``released_at``: when it was released (from its release event; None while
    it is not released). Three queries."""
    report_ins = ReportIn.objects.select_related("department").order_by("pk")
    summonses = list(
        case.summonses.select_related("whistled_by")
        .prefetch_related(Prefetch("report_ins", queryset=report_ins))
        .order_by("whistled_at", "pk")
    )
    by_report_in: dict[int, object] = {}
    by_department: dict[int, list] = {}  # release events written before they named their report-in
    for at, unit_id, data in (
        CaseEvent.objects.filter(case_id=case.pk, action="release")
        .order_by("at", "pk")
        .values_list("at", "unit_id", "data")
    ):
        if (data or {}).get("report_in"):
            by_report_in[data["report_in"]] = at
        else:
            by_department.setdefault(unit_id, []).append(at)
    for summons in summonses:
        for report_in in summons.report_ins.all():
            report_in.released_at = None
            if report_in.status == ReportInStatus.RELEASED:
                earlier = by_department.get(report_in.department_id) or [None]
                report_in.released_at = by_report_in.get(report_in.pk) or earlier.pop(0)
    return summonses


@dataclass(frozen=True)
class SummonsActions:
    """What a user may do about the summonses of a case, decided as the case page decides its buttons."""

    can_whistle: bool  # summon departments: the user may whistle on this case, acts for a unit, it is not closed
    report_in: frozenset[int]  # the pending report-ins of the user's own departments
    release: frozenset[int]  # the pending report-ins the user may release (those who may whistle release)


def case_summons_actions(*, user, case: Case, report_ins: Iterable[ReportIn] | None = None) -> SummonsActions:
    """``report_ins``: the case's report-ins when already read (``case_summons_list``), else they are read here."""
    if report_ins is None:
        report_ins = open_report_ins(case=case)
    pending = [r for r in report_ins if r.status == ReportInStatus.PENDING]
    may_whistle = bool(getattr(user, "is_authenticated", False)) and user.has_perm("cases.whistle", case)
    units = scope_for(user).unit_ids
    return SummonsActions(
        can_whistle=may_whistle and bool(units) and State(case.state) not in TERMINAL,
        report_in=frozenset(r.pk for r in pending if r.department_id in units),
        release=frozenset(r.pk for r in pending) if may_whistle else frozenset(),
    )


def notification_list(*, user) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(recipient_id=user.pk).select_related("case")


def import_job_list(*, user, limit: int = 20) -> QuerySet[ImportJob]:
    """The user's own recent imports, newest first (without the uploaded content)."""
    return ImportJob.objects.filter(created_by_id=user.pk).defer("content")[:limit]


def import_job_get(*, user, job_id: int) -> ImportJob:
    """An import the user started (any, for a superuser); the same 404 for a missing job and another's."""
    jobs = ImportJob.objects.all() if user.is_superuser else ImportJob.objects.filter(created_by_id=user.pk)
    try:
        return jobs.get(pk=int(job_id))
    except (ImportJob.DoesNotExist, TypeError, ValueError):
        raise Http404("No such import") from None


def case_facts(case: Case, *, owner: Unit | None = None, duplicate_of: Case | None = None) -> CaseFacts:
    open_summons = ReportIn.objects.filter(summons__case=case, status=ReportInStatus.PENDING).count()
    now = timezone.now()
    return CaseFacts(
        has_owner=(owner or case.owner_unit) is not None,
        summons_open=open_summons,
        is_overdue=bool(case.resolution_due and case.resolution_due < now),
        reopen_count=case.reopen_count,
        max_reopens=settings.FUHE_MAX_REOPENS,
        resident_satisfied=case.rating_satisfied,
        has_duplicate_target=duplicate_of is not None,
        extension_pending=case.extension_pending_days is not None,
        rating_window_over=is_rating_window_over(
            case.replied_at, now=now, window_days=settings.FUHE_RATING_WINDOW_DAYS
        ),
        **patrol_facts(case),
    )


def case_history_mismatches(*, chunk: int = 5000):
    """Every case whose stored state or rating differs from what its own events say (``core.history``), reading
    both tables once in case order (a maintenance check over all cases: no user scope)."""
    cases = (
        CaseRow(*row)
        for row in Case.objects.order_by("pk")
        .values_list("pk", "state", "rating_resolved", "rating_satisfied")
        .iterator(chunk_size=chunk)
    )
    events = (
        EventRow(*row)
        for row in CaseEvent.objects.order_by("case_id", "at", "pk")
        .values_list("case_id", "action", "to_state", "data")
        .iterator(chunk_size=chunk)
    )
    return mismatches(cases, events)


def caller_cases(*, user, case: Case, limit: int = 5) -> list[Case]:
    """The caller's earlier cases: other cases left with the same reporter phone that ``user`` may see, newest
    first (a dispatcher sees a repeat caller before dispatching). None when the case has no phone."""
    phone = case.reporter_phone.strip()
    if not phone:
        return []
    # the same condition as the partial index on (reporter_phone, created_at), so the database uses it
    cases = case_queryset(user).filter(reporter_phone=phone).exclude(reporter_phone="").exclude(pk=case.pk)
    return list(
        cases.only("pk", "tracking_code", "title", "state", "created_at", "reporter_phone").order_by("-created_at")[
            :limit
        ]
    )


def dispatch_unit_search(
    *, case: Case, units: QuerySet[Unit], query: str = "", recommended: Iterable[int] = (), limit: int = 30
) -> tuple[list[tuple[int, Unit]], int]:
    """The units of ``units`` (the case's dispatch units, already scoped) whose name holds every word of ``query``
    — as written, or as pinyin or its initials ("chengguan", "hpqcgw": ``core.pinyin``) — as (tier, unit) ranked by
    ``core.unit_ranking``: the recommended first, then the case's street's, then the district's departments.
    Returns at most ``limit`` of them and how many matched.

    A word in Chinese characters is matched by the database; a word in Latin letters against the names' pinyin
    keys, computed once per name and process."""
    from fuhe.cases.core.pinyin import is_pinyin_word, name_matches
    from fuhe.cases.core.unit_ranking import UnitRow, query_words, rank_units
    from fuhe.org.core import divisions
    from fuhe.org.models import UnitKind

    words = query_words(query)
    for word in words:
        if not is_pinyin_word(word):
            units = units.filter(name__icontains=word)
    spelt = [word for word in words if is_pinyin_word(word)]
    found = {
        unit.pk: unit
        for unit in units.only("pk", "name", "kind", "region_id")
        if all(name_matches(unit.name, word) for word in spelt)
    }
    street = None
    street_level = divisions.Level.STREET
    if case.region_id is not None and divisions.level_depth(case.region.level) >= divisions.level_depth(street_level):
        street = divisions.ancestor_range(case.region_id, street_level)
    ranked = rank_units(
        [UnitRow(unit.pk, unit.name, unit.kind, unit.region_id) for unit in found.values()],
        recommended=[pk for pk in recommended if pk in found],
        street=street,
        kinds=UnitKind.values,
    )
    return [(level, found[row.id]) for level, row in ranked[:limit]], len(ranked)
