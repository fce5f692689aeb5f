"""Reads of routing, scoped to the reader: the dashboard's figures, model versions, recent corrections, and the
duty item and unit a dispatcher's decision names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from fuhe.cases.core.lifecycle import Action
from fuhe.cases.models import Case, CaseEvent
from fuhe.cases.selectors import case_queryset
from fuhe.cases.services.actions import dispatch_units
from fuhe.duties.models import DutyItem, ListStatus
from fuhe.duties.selectors import duty_list_queryset
from fuhe.org.models import Unit
from fuhe.routing.models import ExampleSource, RoutingExample, RoutingModel


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"


@dataclass(frozen=True)
class RoutingFigures:
    days: int
    routed: int
    dispatched: int
    auto_share: Share
    auto_return_rate: Share
    manual_return_rate: Share
    accuracy_final: Share  # closed cases: recommended unit == final owner
    accuracy_auto_final: Share
    accuracy_current: Share  # all routed cases with an owner now


def routing_figures(*, user, days: int = 30) -> RoutingFigures:
    since = timezone.now() - timedelta(days=days)
    cases = case_queryset(user)
    dispatches = list(
        CaseEvent.objects.filter(action=Action.DISPATCH, at__gte=since, case__in=cases.values("pk")).values_list(
            "case_id", "data", "at"
        )
    )
    auto = {case_id: at for case_id, data, at in dispatches if (data or {}).get("auto")}
    manual = {case_id: at for case_id, data, at in dispatches if not (data or {}).get("auto")}
    later = CaseEvent.objects.filter(
        action__in=[Action.RETURN, Action.REASSIGN], case_id__in=[*auto, *manual]
    ).values_list("case_id", "at")
    returned = {case_id for case_id, at in later if case_id in auto and at > auto[case_id]}
    returned_manual = {case_id for case_id, at in later if case_id in manual and at > manual[case_id]}
    routed = [
        row
        for row in cases.filter(created_at__gte=since).values_list("routing", "owner_unit_id", "closed_at")
        if row[0]
    ]
    final = [(r, owner) for r, owner, closed in routed if closed is not None and owner is not None and r.get("unit")]
    current = [(r, owner) for r, owner, _closed in routed if owner is not None and r.get("unit")]

    def hits(rows):
        return sum(1 for r, owner in rows if r["unit"]["id"] == owner)

    final_auto = [(r, owner) for r, owner in final if r.get("decision") == "auto_dispatched"]
    return RoutingFigures(
        days=days,
        routed=len(routed),
        dispatched=len(dispatches),
        auto_share=Share(len(auto), len(dispatches)),
        auto_return_rate=Share(len(returned), len(auto)),
        manual_return_rate=Share(len(returned_manual), len(manual)),
        accuracy_final=Share(hits(final), len(final)),
        accuracy_auto_final=Share(hits(final_auto), len(final_auto)),
        accuracy_current=Share(hits(current), len(current)),
    )


def routing_model_list(*, limit: int = 20) -> QuerySet[RoutingModel]:
    return RoutingModel.objects.defer("blob").select_related("duty_list")[:limit]


def routing_example_counts() -> dict[str, int]:
    rows = RoutingExample.objects.filter(is_current=True).values("source").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(ExampleSource.values, 0)
    counts.update({row["source"]: row["n"] for row in rows})
    return counts


def typical_case_count() -> int:
    """How many typical cases the lists in force hold (an item shared by two regions' lists counted once), as
    ``routing_model_train`` learns them beside the dispatchers' decisions."""
    seen = set()
    items = DutyItem.objects.filter(duty_list__status=ListStatus.ACTIVE).exclude(examples=[]).only("code", "examples")
    for item in items:
        for case in item.examples or []:
            if case.get("title") or case.get("text"):
                seen.add((item.code, case.get("title", ""), case.get("text", "")))
    return len(seen)


def routing_example_counts_labelled() -> list[tuple[str, str, int]]:
    """(source, its translated label, count) of the current training examples, for the dashboard's list; last, the
    typical cases of the lists in force, which every model learns too."""
    labels = dict(ExampleSource.choices)
    counts = [(source, labels.get(source, source), n) for source, n in routing_example_counts().items()]
    return [*counts, ("typical_case", gettext("Typical cases of the duty lists in force"), typical_case_count())]


def recent_corrections(*, user, limit: int = 10):
    visible = case_queryset(user).values("pk")
    return (
        RoutingExample.objects.filter(source=ExampleSource.CORRECTION, case__in=visible)
        .select_related("case", "unit", "recommended_unit", "created_by")
        .order_by("-id")[:limit]
    )


def duty_item_get(*, user, item_id) -> DutyItem:
    """An item of a duty list the user sees (``duty_list_queryset``: lists applying somewhere in their regions);
    the same 404 for a missing item and for one of a list out of reach."""
    items = DutyItem.objects.filter(duty_list__in=duty_list_queryset(user))
    try:
        return items.select_related("category", "duty_list").get(pk=int(item_id))
    except (DutyItem.DoesNotExist, TypeError, ValueError):
        raise Http404("No such duty item") from None


def dispatch_unit_get(*, case: Case, unit_id) -> Unit:
    """A unit ``case`` may be dispatched to (``dispatch_units``: the active units of its district); the same 404
    for a missing unit and for one of another district."""
    try:
        return dispatch_units(case).get(pk=int(unit_id))
    except (Unit.DoesNotExist, TypeError, ValueError):
        raise Http404("No such unit") from None


TYPICAL_SHOWN = 2  # typical cases of the recommended item shown beside the recommendation


def typical_cases_like(*, case: Case, duty_list, item_code: str, limit: int = TYPICAL_SHOWN) -> list[dict]:
    """The recommended item's typical cases (the list's knowledge base) nearest the case's words, so a dispatcher
    can compare the message with what the item covers: ``{"title", "text", "similarity"}`` each, nearest first.
    Empty when no list is in force, the item is not in it or it has no typical cases."""
    from fuhe.routing.core.recommend import similar_texts_many

    if duty_list is None or not item_code:
        return []
    item = duty_list.items.filter(code=item_code).only("examples").first()
    examples = [e for e in ((item.examples if item else None) or []) if e.get("title") or e.get("text")]
    if not examples:
        return []
    candidates = [(i, f"{e.get('title', '')}\n{e.get('text', '')}") for i, e in enumerate(examples)]
    hits = similar_texts_many([f"{case.title}\n{case.text}"], candidates, limit=limit, min_score=0.0)[0]
    if not hits:  # a case with no text still shows what the item covers
        return [{"title": e.get("title", ""), "text": e.get("text", ""), "similarity": 0.0} for e in examples[:limit]]
    return [
        {
            "title": examples[h.key].get("title", ""),
            "text": examples[h.key].get("text", ""),
            "similarity": round(h.score, 3),
        }
        for h in hits
    ]
