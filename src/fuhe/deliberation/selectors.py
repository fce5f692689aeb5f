"""Reads of the deliberation context, always scoped to the user; derived progress and inclusion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fuhe.accounts.models import Role, User
from fuhe.accounts.scope import scope_for
from fuhe.burden.models import REACHING_STATUSES, Task
from fuhe.burden.selectors import task_queryset
from fuhe.cases.core.lifecycle import State
from fuhe.cases.models import Case
from fuhe.cases.selectors import case_queryset
from fuhe.deliberation.core import inclusion
from fuhe.deliberation.core.progress import Progress, WorkFacts, item_status, resolution_status
from fuhe.deliberation.core.register import normalise
from fuhe.deliberation.models import (
    AgendaItem,
    Attendance,
    Body,
    Comment,
    HouseholdRegister,
    HouseholdRegisterEntry,
    ItemKind,
    Meeting,
    Proposal,
    Resolution,
    ResolutionItem,
    Topic,
    View,
    VillageMatter,
    Vote,
)
from fuhe.deliberation.rules import register_digest, register_key
from fuhe.org.core.divisions import Level, ancestor_key
from fuhe.org.models import Region
from fuhe.resources.models import SERVING_STATES, Demand, DemandState, Match

#: cases in these states are finished work
CASE_DONE_STATES = (State.CLOSED,)


def _scoped(queryset: QuerySet, user, field: str = "region_id") -> QuerySet:
    scope = scope_for(user)
    if scope.is_empty and not scope.is_global:
        return queryset.none()
    return queryset.filter(scope.region_q(field))


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, TypeError, ValueError):
        raise Http404("No such object") from None


def region_choices(*, user) -> QuerySet[Region]:
    """Communities and villages the user may see (where bodies, topics and proposals live)."""
    return _scoped(Region.objects.filter(level="community"), user, "id").order_by("id")


def body_list(*, user) -> QuerySet[Body]:
    return _scoped(Body.objects.select_related("region").annotate(member_count=Count("memberships")), user)


def body_get(*, user, body_id) -> Body:
    return _get(body_list(user=user), body_id)


def topic_list(*, user) -> QuerySet[Topic]:
    return _scoped(Topic.objects.select_related("region"), user)


def topic_get(*, user, topic_id) -> Topic:
    return _get(topic_list(user=user), topic_id)


def topic_evidence(*, user, topic: Topic) -> dict:
    """The evidence of a topic as the user may see it (cases scoped as everywhere; demands of the region)."""
    return {
        "cases": list(
            case_queryset(user).filter(pk__in=topic.evidence_cases.values("pk")).select_related("category", "region")
        ),
        "case_count": topic.evidence_cases.count(),
        "demands": list(topic.evidence_demands.select_related("region")),
    }


def meeting_list(*, user) -> QuerySet[Meeting]:
    return _scoped(Meeting.objects.select_related("body", "body__region"), user, "body__region_id")


def meeting_get(*, user, meeting_id) -> Meeting:
    return _get(meeting_list(user=user), meeting_id)


def resolution_list(*, user) -> QuerySet[Resolution]:
    return _scoped(
        Resolution.objects.select_related("meeting", "meeting__body", "agenda_item"), user, "meeting__body__region_id"
    )


def resolution_get(*, user, resolution_id) -> Resolution:
    return _get(resolution_list(user=user), resolution_id)


def public_resolution_get(*, resolution_id) -> Resolution:
    """A resolution is public (公开): anyone may read it and its items' progress; the page shows no person."""
    return _get(Resolution.objects.select_related("meeting", "meeting__body", "meeting__body__region"), resolution_id)


def village_matter_list(*, user) -> QuerySet[VillageMatter]:
    return _scoped(VillageMatter.objects.select_related("region"), user)


def village_matter_get(*, user, matter_id) -> VillageMatter:
    return _get(village_matter_list(user=user), matter_id)


def public_village_matter_get(*, matter_id) -> VillageMatter:
    return _get(VillageMatter.objects.select_related("region"), matter_id)


def proposal_list(*, user) -> QuerySet[Proposal]:
    return _scoped(
        Proposal.objects.select_related("region", "body").annotate(
            support=Count("votes"), assisted=Count("votes", filter=Q(votes__assistant__isnull=False))
        ),
        user,
    )


def proposal_get(*, user, proposal_id) -> Proposal:
    return _get(proposal_list(user=user), proposal_id)


def proposal_comments(*, proposal: Proposal) -> QuerySet[Comment]:
    return proposal.comments.select_related("author")


def agenda_waiting(*, body: Body) -> QuerySet[AgendaItem]:
    """Items raised for the body (from proposals past their threshold) that no meeting has taken up yet."""
    return AgendaItem.objects.filter(body=body, meeting__isnull=True).order_by("due_at", "pk")


# --- derived progress -----------------------------------------------------------------------------------------


def _task_facts(item: ResolutionItem) -> WorkFacts:
    task = item.task
    targets = list(task.targets.all())
    finished = task.status in REACHING_STATUSES and bool(targets) and all(t.submitted_at for t in targets)
    last = max((t.submitted_at for t in targets if t.submitted_at), default=None)
    return WorkFacts(finished, last if finished else None, item.due_at)


def work_facts(item: ResolutionItem) -> WorkFacts:
    """The facts of the work an item became, read from that work's own state."""
    if item.kind == ItemKind.CASE:
        case = item.case
        finished = case.state in CASE_DONE_STATES
        return WorkFacts(finished, case.closed_at if finished else None, item.due_at)
    if item.kind == ItemKind.TASK:
        return _task_facts(item)
    demand = item.demand
    finished = demand.state == DemandState.CLOSED
    return WorkFacts(finished, demand.closed_at if finished else None, item.due_at)


@dataclass(frozen=True)
class ItemProgress:
    item: ResolutionItem
    status: Progress
    work_state: str  # the work's own state, as its context names it
    is_blocked: bool  # a task the admission gate refused, a cancelled demand: someone must act


def item_progress(item: ResolutionItem, *, now=None) -> ItemProgress:
    now = now or timezone.now()
    status = item_status(work_facts(item), now)
    if item.kind == ItemKind.CASE:
        return ItemProgress(item, status, item.case.get_state_display(), False)
    if item.kind == ItemKind.TASK:
        return ItemProgress(item, status, item.task.get_status_display(), item.task.status not in REACHING_STATUSES)
    return ItemProgress(item, status, item.demand.get_state_display(), item.demand.state == DemandState.CANCELLED)


def resolution_items(*, resolution: Resolution, now=None) -> list[ItemProgress]:
    items = resolution.items.select_related("case", "task", "demand", "owner").prefetch_related("task__targets")
    return [item_progress(item, now=now) for item in items]


def openable_work(*, user, items: list[ItemProgress]) -> tuple[set[int], set[int]]:
    """The ids of the items' cases and tasks that ``user`` may open: a resolution is read by residents too, and its
    items link only to work its reader may see (never to a page that answers 404)."""
    case_ids = [p.item.case_id for p in items if p.item.case_id]
    task_ids = [p.item.task_id for p in items if p.item.task_id]
    cases = set(case_queryset(user).filter(pk__in=case_ids).values_list("pk", flat=True)) if case_ids else set()
    tasks = set(task_queryset(user).filter(pk__in=task_ids).values_list("pk", flat=True)) if task_ids else set()
    return cases, tasks


def resolution_progress(*, resolution: Resolution, now=None) -> Progress:
    return resolution_status([p.status for p in resolution_items(resolution=resolution, now=now)])


def items_not_finished() -> QuerySet[ResolutionItem]:
    """Items whose work is not finished (the sweep's candidates), read from the work's state."""
    finished_task_ids = _finished_task_ids()
    return ResolutionItem.objects.exclude(
        Q(kind=ItemKind.CASE, case__state__in=CASE_DONE_STATES)
        | Q(kind=ItemKind.DEMAND, demand__state=DemandState.CLOSED)
        | Q(kind=ItemKind.TASK, task_id__in=finished_task_ids)
    )


def _finished_task_ids() -> list[int]:
    """Tasks of resolution items that reached their units and every unit has answered."""
    bound = ResolutionItem.objects.filter(kind=ItemKind.TASK).values("task_id")
    return list(
        Task.objects.filter(pk__in=bound, status__in=REACHING_STATUSES)
        .annotate(total=Count("targets"), pending=Count("targets", filter=Q(targets__submitted_at__isnull=True)))
        .filter(total__gt=0, pending=0)
        .values_list("pk", flat=True)
    )


# --- evidence suggestions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseCluster:
    region: Region
    category_id: int | None
    category_name: str
    case_ids: list[int]


def case_clusters(*, user, days: int = 90, minimum: int = 3) -> list[CaseCluster]:
    """Places with several cases of one category lately: a cluster that suggests a topic (the evidence)."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        case_queryset(user, received_since=since)
        .filter(created_at__gte=since)
        .exclude(state__in=(State.MERGED, State.DISMISSED))
        .values("region_id", "category_id", "category__name", "pk")
    )
    groups: dict[tuple[int, int | None], list] = {}
    names: dict[int | None, str] = {}
    for row in rows:
        community = ancestor_key(row["region_id"], Level.COMMUNITY)
        groups.setdefault((community, row["category_id"]), []).append(row["pk"])
        names[row["category_id"]] = row["category__name"] or ""
    regions = Region.objects.in_bulk([key[0] for key, ids in groups.items() if len(ids) >= minimum])
    clusters = [
        CaseCluster(regions[region_id], category_id, names[category_id], sorted(ids))
        for (region_id, category_id), ids in groups.items()
        if len(ids) >= minimum and region_id in regions
    ]
    return sorted(clusters, key=lambda c: -len(c.case_ids))


def resource_gaps(*, user) -> QuerySet[Demand]:
    """Open demands that no match serves: a resource gap a topic can take up."""
    serving = Match.objects.filter(state__in=SERVING_STATES)
    return _scoped(
        Demand.objects.filter(state=DemandState.OPEN).exclude(pk__in=serving.values("demand_id")), user
    ).select_related("region")


# --- inclusion ------------------------------------------------------------------------------------------------


def minimum_cell() -> int:
    return int(getattr(settings, "FUHE_DELIBERATION_MIN_CELL", 5))


def _participants(region: Region) -> list[inclusion.Participant]:
    low, high = region.subtree
    in_region = {"region_id__gte": low, "region_id__lt": high}
    assisted: dict[int, bool] = {}
    for voter, assistant in Vote.objects.filter(**{f"proposal__{k}": v for k, v in in_region.items()}).values_list(
        "voter_id", "assistant_id"
    ):
        assisted[voter] = assisted.get(voter, False) or assistant is not None
    for person, assistant in View.objects.filter(**{f"topic__{k}": v for k, v in in_region.items()}).values_list(
        "person_id", "assistant_id"
    ):
        assisted[person] = assisted.get(person, False) or assistant is not None
    for author in Comment.objects.filter(**{f"proposal__{k}": v for k, v in in_region.items()}).values_list(
        "author_id", flat=True
    ):
        assisted.setdefault(author, False)
    for person in Attendance.objects.filter(**{f"meeting__body__{k}": v for k, v in in_region.items()}).values_list(
        "user_id", flat=True
    ):
        assisted.setdefault(person, False)
    today = timezone.localdate()
    residents = (
        User.objects.filter(
            pk__in=list(assisted), roles__role=Role.RESIDENT, **{f"roles__{k}": v for k, v in in_region.items()}
        )
        .values_list("pk", "id_number", "roles__region_id")
        .distinct()
    )
    areas = Region.objects.in_bulk({row[2] for row in residents})
    people: dict[int, inclusion.Participant] = {}
    for pk, id_number, region_id in residents:
        band, gender = inclusion.from_id_number(id_number or "", today)
        area = areas[region_id].name if region_id in areas else inclusion.UNKNOWN
        people.setdefault(pk, inclusion.Participant(pk, area, band, gender, assisted[pk]))
    return list(people.values())


@dataclass(frozen=True)
class InclusionReport:
    region: Region
    population: int | None
    total: int | None
    minimum: int
    cells: list[inclusion.Cell]


def inclusion_report(*, region: Region) -> InclusionReport:
    """Who took part in the region's deliberation (residents only), against its resident population."""
    participants = _participants(region)
    minimum = minimum_cell()
    return InclusionReport(
        region=region,
        population=region.population,
        total=inclusion.total(participants, minimum=minimum),
        minimum=minimum,
        cells=inclusion.table(participants, population=region.population, minimum=minimum),
    )


def case_for_item(*, user, case_id) -> Case | None:
    return case_queryset(user).filter(pk=case_id).first()


def person_or_none(value) -> User | None:
    """The person a form names by id (the service then checks what they may do), or None."""
    try:
        return User.objects.get(pk=int(value))
    except (User.DoesNotExist, TypeError, ValueError):
        return None


def people_by_ids(ids: list[int]) -> list[User]:
    return list(User.objects.filter(pk__in=ids))


def residents_of(*, user, region: Region) -> QuerySet[User]:
    """The residents of a community or village (role resident inside it), for staff who manage it."""
    if not scope_for(user).is_global and not scope_for(user).contains_region(region.pk):
        return User.objects.none()
    low, high = region.subtree
    return (
        User.objects.filter(roles__role=Role.RESIDENT, roles__region_id__gte=low, roles__region_id__lt=high)
        .distinct()
        .order_by("display_name", "pk")
    )


def verified_ids(*, region: Region) -> set[int]:
    from fuhe.deliberation.models import ResidentVerification

    return set(ResidentVerification.objects.filter(region=region).values_list("user_id", flat=True))


def register_in_force(*, region: Region) -> HouseholdRegister | None:
    """The household register import in force for the community or village (the newest), or None."""
    return HouseholdRegister.objects.filter(region=region, in_force=True).select_related("imported_by").first()


def register_ids(*, user, region: Region) -> set[int]:
    """Residents of the community or village (as ``residents_of`` shows them to ``user``) whose ID number is in its
    household register in force."""
    register = register_in_force(region=region)
    if register is None:
        return set()
    people: dict[str, list[int]] = {}
    key = register_key()
    residents = residents_of(user=user, region=region).exclude(id_number="").values_list("pk", "id_number")
    for pk, number in residents:
        if normalise(number):
            people.setdefault(register_digest(number, key), []).append(pk)
    digests, found = list(people), set()
    for start in range(0, len(digests), 5000):  # well under any database's limit of query parameters
        chunk = digests[start : start + 5000]
        entries = HouseholdRegisterEntry.objects.filter(register=register, digest__in=chunk)
        found.update(entries.values_list("digest", flat=True))
    return {pk for digest in found for pk in people[digest]}


def member_ids(*, body: Body) -> set[int]:
    return set(body.memberships.values_list("user_id", flat=True))


def topics_without_meeting(*, body: Body) -> QuerySet[Topic]:
    low, high = body.region.subtree
    return Topic.objects.filter(region_id__gte=low, region_id__lt=high).exclude(agenda_items__resolution__isnull=False)


def units_for_items(*, user) -> QuerySet:
    """Units that may own a resolution item: active units the user's scope sees."""
    from fuhe.org.models import Unit

    return Unit.objects.filter(scope_for(user).unit_q(), is_active=True).order_by("region_id", "name")


def village_step_rows(*, matter: VillageMatter):
    return matter.steps.select_related("recorded_by")


def public_proposal_get(*, proposal_id) -> Proposal:
    return _get(Proposal.objects.select_related("region", "body").annotate(support=Count("votes")), proposal_id)
