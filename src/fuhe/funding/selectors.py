"""Scoped reads of calls, applications and awards. An id a user sent resolves through an ``*_get`` selector:
missing and out of scope answer the same 404.

Who sees a call: staff whose scope holds the owner's region, people acting for the owner, the panel, the
organisations that applied, and everyone whose home region or unit lies inside the call's area (its region, or the
owner's region when it names none) — the organisations it is addressed to. Who sees an application: the applicant,
the call's managers (owner's people, staff — not volunteers or residents —
whose scope holds the owner), the panel and the requester of its demand.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.accounts.scope import scope_for
from fuhe.funding.core import ranking
from fuhe.funding.models import Application, Award, Call, Criterion, Deliverable, DeliverableState, Score
from fuhe.funding.rules import STAFF_ROLES, has_conflict
from fuhe.org.core.divisions import Level, ancestor_keys
from fuhe.org.models import Region, Unit
from fuhe.resources.models import Demand
from fuhe.resources.selectors import demand_queryset


def _area_keys(user) -> list[int]:
    """The user's home regions, their units' regions and every region above them."""
    scope = scope_for(user)
    places = set(Region.objects.filter(pk__in=scope.home_region_ids).values_list("id", "level"))
    places |= set(Unit.objects.filter(pk__in=sorted(scope.unit_ids)).values_list("region_id", "region__level"))
    keys: set[int] = set()
    for key, level in places:
        keys.add(key)
        keys.update(ancestor_keys(key, Level(level)))
    return sorted(keys)


def call_queryset(user) -> QuerySet[Call]:
    scope = scope_for(user)
    if scope.is_global:
        return Call.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Call.objects.none()
    units = sorted(scope.unit_ids)
    area = _area_keys(user)
    visible = (
        scope.region_q("owner__region_id")
        | Q(owner_id__in=units)
        | Q(region_id__in=area)
        | Q(region__isnull=True, owner__region_id__in=area)
    )
    ids = set(Call.objects.filter(visible).values_list("id", flat=True))
    ids |= set(Call.objects.filter(panel=user).values_list("id", flat=True))
    ids |= set(Application.objects.filter(applicant_id__in=units).values_list("call_id", flat=True))
    return Call.objects.filter(pk__in=sorted(ids))


def call_list(*, user) -> QuerySet[Call]:
    return call_queryset(user).select_related("owner", "region").order_by("-created_at", "-id")


def call_get(*, user, call_id) -> Call:
    try:
        return call_queryset(user).select_related("owner", "owner__region", "region").get(pk=int(call_id))
    except (Call.DoesNotExist, TypeError, ValueError):
        raise Http404("No such call") from None


def application_queryset(user) -> QuerySet[Application]:
    scope = scope_for(user)
    if scope.is_global:
        return Application.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    units = sorted(scope.unit_ids)
    visible = (
        Q(applicant_id__in=units)
        | Q(call__owner_id__in=units)
        | Q(demand__requester_id__in=units)
        | Q(demand__created_by_id=user.pk)
    )
    if scope.has_role(*STAFF_ROLES):  # staff of the owner's regions (not volunteers or residents living there)
        visible |= scope.region_q("call__owner__region_id")
    ids = set(Application.objects.filter(visible).values_list("id", flat=True))
    ids |= set(Application.objects.filter(call__panel=user).values_list("id", flat=True))
    return Application.objects.filter(pk__in=sorted(ids))


def application_list(*, user, call: Call) -> QuerySet[Application]:
    return (
        application_queryset(user)
        .filter(call=call)
        .select_related("applicant", "demand", "call")
        .order_by("submitted_at", "id")
    )


def application_get(*, user, application_id) -> Application:
    try:
        return (
            application_queryset(user)
            .select_related("call", "call__owner", "applicant", "demand", "demand__requester", "submitted_by")
            .get(pk=int(application_id))
        )
    except (Application.DoesNotExist, TypeError, ValueError):
        raise Http404("No such application") from None


def deliverable_get(*, user, deliverable_id) -> Deliverable:
    try:
        deliverable = Deliverable.objects.select_related("application").get(pk=int(deliverable_id))
    except (Deliverable.DoesNotExist, TypeError, ValueError):
        raise Http404("No such deliverable") from None
    application_get(user=user, application_id=deliverable.application_id)
    return deliverable


def award_get(*, user, award_id) -> Award:
    try:
        award = Award.objects.get(pk=int(award_id))
    except (Award.DoesNotExist, TypeError, ValueError):
        raise Http404("No such award") from None
    award.application = application_get(user=user, application_id=award.application_id)
    return award


def demands_for_call(*, user):
    """Open demands the user may link a call to."""
    ids = list(demand_queryset(user).filter(state="open").order_by("-id").values_list("id", flat=True)[:200])
    return Demand.objects.filter(pk__in=ids).select_related("region", "requester").order_by("-id")


def panel_candidates(*, user) -> QuerySet[User]:
    """Active people with a role in the user's regions or above them (a district's experts may sit on a street's
    panel): the panel is chosen among them."""
    scope = scope_for(user)
    if scope.is_global:
        assignments = RoleAssignment.objects.all()
    else:
        assignments = RoleAssignment.objects.filter(scope.region_q("region_id") | Q(region_id__in=_area_keys(user)))
    ids = set(assignments.values_list("user_id", flat=True))
    return User.objects.filter(pk__in=sorted(ids), is_active=True).order_by("display_name", "username")


def units_for_owner(*, user) -> QuerySet[Unit]:
    """Units the user may publish a call for: those they act for (an administrator: every unit in scope)."""
    scope = scope_for(user)
    if scope.has_role(Role.ADMINISTRATOR):
        return Unit.objects.filter(scope.unit_q()).order_by("region_id", "name")
    return Unit.objects.filter(pk__in=sorted(scope.unit_ids)).order_by("name")


def units_for_applicant(*, user, call: Call) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=sorted(scope_for(user).unit_ids), kind__in=call.eligible_kinds).order_by("name")


# --- ranking and figures --------------------------------------------------------------------------------------


def score_entries(call: Call) -> list[ranking.ScoreEntry]:
    return [
        ranking.ScoreEntry(application_id=a, criterion_id=c, member_id=m, score=s, sequence=pk)
        for pk, a, c, m, s in Score.objects.filter(application__call=call).values_list(
            "pk", "application_id", "criterion_id", "member_id", "score"
        )
    ]


def eligible_members(call: Call, application: Application, panel: list[User]) -> frozenset[int]:
    return frozenset(member.pk for member in panel if not has_conflict(member, application))


def call_ranking(call: Call) -> list[ranking.Ranked]:
    """The ranking as the award rule computes it from the current scores (core/ranking.py)."""
    criteria = [ranking.Criterion(c.pk, c.weight) for c in Criterion.objects.filter(call=call)]
    panel = list(call.panel.all())
    applications = list(call.applications.all())
    candidates = [
        ranking.Candidate(a.pk, a.requested_fen, a.submitted_at, eligible_members(call, a, panel)) for a in applications
    ]
    return ranking.rank_and_award(
        budget_fen=call.budget_fen,
        criteria=criteria,
        candidates=candidates,
        entries=score_entries(call),
        minimum_total=call.minimum_score,
    )


def member_scores(*, application: Application, member) -> dict[int, Score]:
    """criterion id → the member's current score row."""
    current: dict[int, Score] = {}
    for score in Score.objects.filter(application=application, member=member).order_by("id"):
        current[score.criterion_id] = score
    return current


def score_history(*, application: Application) -> QuerySet[Score]:
    return Score.objects.filter(application=application).select_related("criterion", "member").order_by("id")


def award_totals(award_id: int) -> tuple[int, int]:
    """(disbursed, spent) of one award, in fen."""
    award = Award.objects.get(pk=award_id)
    disbursed = award.tranches.aggregate(t=Sum("amount_fen"))["t"] or 0
    spent = award.spending.aggregate(t=Sum("amount_fen"))["t"] or 0
    return disbursed, spent


def call_awarded_fen(call: Call) -> int:
    return Award.objects.filter(application__call=call).aggregate(t=Sum("amount_fen"))["t"] or 0


def money_path(*, call: Call) -> dict:
    """Every figure of the money's path with the rows it sums: owner → call → award → organisation → tranches and
    spending → delivered service → demand; plus the Sankey's nodes and links (amounts in yuan, labels unique)."""
    awards = list(
        Award.objects.filter(application__call=call)
        .select_related("application", "application__applicant", "application__demand")
        .prefetch_related("tranches", "spending", "application__deliverables")
        .order_by("rank", "id")
    )
    rows = []
    for award in awards:
        application = award.application
        tranches = list(award.tranches.all())
        spending = list(award.spending.all())
        deliverables = list(application.deliverables.all())
        rows.append(
            {
                "award": award,
                "application": application,
                "tranches": tranches,
                "spending": spending,
                "deliverables": deliverables,
                "disbursed_fen": sum(t.amount_fen for t in tranches),
                "spent_fen": sum(s.amount_fen for s in spending),
                "confirmed": sum(1 for d in deliverables if d.state == DeliverableState.CONFIRMED),
            }
        )
    awarded = sum(award.amount_fen for award in awards)
    return {
        "rows": rows,
        "budget_fen": call.budget_fen,
        "awarded_fen": awarded,
        "unawarded_fen": call.budget_fen - awarded,
        "disbursed_fen": sum(row["disbursed_fen"] for row in rows),
        "spent_fen": sum(row["spent_fen"] for row in rows),
        "sankey": _sankey(call, rows, awarded),
    }


def _yuan(fen: int) -> float:
    return round(fen / 100, 2)  # for the chart only; every figure shown in text is exact (format_yuan)


def _sankey(call: Call, rows: list[dict], awarded: int) -> dict:
    nodes: list[str] = []
    links: list[dict] = []

    def node(name: str) -> str:
        if name not in nodes:
            nodes.append(name)
        return name

    owner = node(f"{call.owner.name}")
    call_node = node(f"{call.title}")
    links.append({"source": owner, "target": call_node, "value": _yuan(call.budget_fen)})
    if call.budget_fen - awarded > 0:
        links.append(
            {
                "source": call_node,
                "target": node(f"{call.title} · " + _("unawarded")),
                "value": _yuan(call.budget_fen - awarded),
            }
        )
    for row in rows:
        application = row["application"]
        org = node(f"{application.applicant.name} · {application.title}")
        links.append({"source": call_node, "target": org, "value": _yuan(row["award"].amount_fen)})
        if row["spent_fen"]:
            target = application.demand.title if application.demand_id else application.title
            service = node(f"{application.title} · " + _("delivered service"))
            links.append({"source": org, "target": service, "value": _yuan(row["spent_fen"])})
            links.append({"source": service, "target": node(target), "value": _yuan(row["spent_fen"])})
        if row["award"].amount_fen - row["spent_fen"] > 0:
            links.append(
                {
                    "source": org,
                    "target": node(f"{application.applicant.name} · " + _("not yet spent")),
                    "value": _yuan(row["award"].amount_fen - row["spent_fen"]),
                }
            )
    return {"nodes": [{"name": name} for name in nodes], "links": links}
