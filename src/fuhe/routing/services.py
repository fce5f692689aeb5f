"""Routing: recommend the duty item and owning unit of a case, dispatch it automatically when confident,
record every dispatcher decision as training data, and retrain versioned models.

What a case was routed by is stored in ``Case.routing`` (duty-list version, item, model version, confidence,
explanation), so the explanation survives later changes of the list and of the model.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.audit.core.masking import mask_text
from fuhe.audit.services import audit_record
from fuhe.cases.core.lifecycle import Action, State
from fuhe.cases.models import Case, CaseEvent
from fuhe.duties.core.keywords import clean_keywords
from fuhe.duties.models import DutyItem, DutyList, ListStatus, owner_key_of_unit
from fuhe.duties.selectors import (
    Resolution,
    assisting_units,
    duty_list_in_force,
    duty_lists_in_force,
    owner_unit_resolve,
    owner_units_prefetch,
)
from fuhe.org.core.divisions import district_range
from fuhe.org.models import Unit
from fuhe.routing.core.classifier import KeywordMatcher, Message, TextClassifier
from fuhe.routing.core.evaluation import CROSS_FIT_FOLDS, PlattScaling, out_of_fold_measure, owners_ranked
from fuhe.routing.core.recommend import (
    ItemScorer,
    apply_category_prior,
    categories_related,
    fold_of_key,
    item_scores,
    keyword_documents,
    normalize_for_keywords,
    ranked_items,
    similar_texts_many,
)
from fuhe.routing.core.weakness import WEAK_CONFIDENCE, Evidence, Weakness, is_weak, weak_reasons
from fuhe.routing.core.weakness import Candidate as WeighedItem
from fuhe.routing.models import ExampleSource, RoutingExample, RoutingModel

logger = logging.getLogger("fuhe.routing")

ROUTING_SCHEMA = 1
ALTERNATIVES = 3
HOLD_OUT_MINIMUM = 50  # examples needed before the confidence is measured (out of fold) at all
FRESH_MINIMUM = 20  # decisions the active model never learnt, needed to compare a new model with it
WAITING_STATES = (State.RECEIVED, State.RETURNED, State.REOPENED, State.ESCALATED, State.UNDER_REVIEW)


MEASURED = "measured"


def auto_dispatch_threshold() -> float | None:
    """The confidence at or above which a case is dispatched automatically; ``None``: nobody is.

    ``FUHE_AUTO_DISPATCH_CONFIDENCE`` = "measured" (the default): the threshold measured when the active model
    was trained — the lowest calibrated owner confidence at which, over the out-of-fold predictions of every
    decision of the dispatch history, the one-sided 95 % lower confidence bound (Clopper–Pearson) of the share
    routed to the right unit still reaches 95 % (``core.evaluation.threshold_for_precision``), so the precision
    holds on cases not yet seen; no measurement (a cold start, too few decisions — at least 59 right ones are
    needed —, the goal never reached): ``None``.
    A number sets the threshold by hand (an operator's override); ``None``/"off" disables auto-dispatch."""
    value = settings.FUHE_AUTO_DISPATCH_CONFIDENCE
    if value is None or str(value).strip().lower() in {"", "none", "off", "0"}:
        return None
    if str(value).strip().lower() == MEASURED:
        model = routing_model_active()
        measured = ((model.metrics or {}).get("auto_dispatch") or {}) if model is not None else {}
        threshold = measured.get("threshold")
        return None if threshold is None else float(threshold)
    return float(value)


# --- models and their cache ----------------------------------------------------------------------------

_CACHE: dict[tuple, TextClassifier] = {}


def _cached(key: tuple, build) -> TextClassifier:
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = build()
    return _CACHE[key]


def list_keywords(items) -> dict[str, list[str]]:
    """Per item code, its keywords and its matter's name: the cold-start knowledge of the model."""
    keywords: dict[str, list[str]] = {}
    for item in items:
        keywords.setdefault(item.code, []).extend([*item.keywords, item.matter])
    return keywords


def list_examples(items) -> list[tuple[Message, str]]:
    """The items' typical cases (the list's knowledge base), each a training message of its item like a
    dispatcher's decision; an item shared by two regions' lists counts its cases once."""
    seen: set[tuple[str, str, str]] = set()
    examples = []
    for item in items:
        for case in item.examples or []:
            key = (item.code, case.get("title", ""), case.get("text", ""))
            if (key[1] or key[2]) and key not in seen:
                seen.add(key)
                examples.append((Message(key[1], key[2]), item.code))
    return examples


def _fit(
    messages: list[Message],
    labels: list[str],
    keywords: dict[str, list[str]],
    examples: Sequence[tuple[Message, str]] = (),
) -> TextClassifier:
    """The list's keywords as one-word documents, its typical cases, then the dispatchers' decisions."""
    documents, document_labels = keyword_documents(keywords)
    return TextClassifier().fit(
        [*documents, *(message for message, _ in examples), *messages],
        [*document_labels, *(code for _, code in examples), *labels],
        keywords=keywords,
    )


@dataclass(frozen=True)
class ModelInfo:
    id: int | None
    version: int | None
    kind: str  # "trained" or "cold_start"
    calibration: PlattScaling = field(default_factory=PlattScaling)  # raw owner confidence → probability

    def as_json(self) -> dict:
        return {"id": self.id, "version": self.version, "kind": self.kind}


def routing_model_active() -> RoutingModel | None:
    return RoutingModel.objects.defer("blob").filter(is_active=True).first()


def classifier_for(duty_list: DutyList) -> tuple[TextClassifier, ModelInfo]:
    """The active trained model, or a cold-start model built from ``duty_list``'s keywords."""
    model = routing_model_active()
    if model is not None:
        key = ("model", model.pk, model.version, model.created_at.isoformat())
        classifier = _cached(
            key,
            lambda: TextClassifier.from_bytes(
                bytes(RoutingModel.objects.values_list("blob", flat=True).get(pk=model.pk))
            ),
        )
        calibration = PlattScaling.from_json((model.metrics or {}).get("calibration"))
        return classifier, ModelInfo(model.pk, model.version, "trained", calibration)
    items = list(duty_list.items.all())
    key = ("cold", duty_list.pk, duty_list.created_at.isoformat(), len(items))
    return _cached(key, lambda: _fit([], [], list_keywords(items), list_examples(items))), ModelInfo(
        None, None, "cold_start"
    )


# --- recommendation ----------------------------------------------------------------------------------


@dataclass
class Candidate:
    item: DutyItem
    score: float  # the item's own probability
    keywords: list[str]
    resolution: Resolution
    owner_score: float = 0.0  # the calibrated probability that the item's owner is the right unit


@dataclass
class Recommendation:
    case: Case
    duty_list: DutyList
    model: ModelInfo
    candidates: list[Candidate]
    category_used: bool = False
    similar: list[dict] = field(default_factory=list)
    assisting: list[Unit] = field(default_factory=list)
    keywords_found: bool = False  # some keyword of the duty list occurs in the case's title or text

    @property
    def top(self) -> Candidate:
        return self.candidates[0]

    @property
    def confidence(self) -> float:
        """How likely the recommended *unit* is the right one (what auto-dispatch relies on)."""
        return self.top.owner_score

    def as_routing(self, *, decision: str, threshold: float | None) -> dict:
        top = self.top
        return {
            "schema": ROUTING_SCHEMA,
            "routed_at": timezone.now().isoformat(),
            "decision": decision,
            "threshold": threshold,
            "duty_list": {"id": self.duty_list.pk, "version": self.duty_list.version, "name": self.duty_list.name},
            "model": self.model.as_json(),
            "category": {"given": self.case.category.path if self.case.category_id else "", "used": self.category_used},
            "item": _item_json_cached(top.item),
            "unit": unit_json(top.resolution.unit),
            "resolution": top.resolution.how,
            "fallback": top.resolution.is_fallback,
            "confidence": round(self.confidence, 4),
            "item_confidence": round(top.score, 4),
            "matched_keywords": top.keywords,
            "keywords_found": self.keywords_found,
            "alternatives": [
                {
                    **_item_json_cached(c.item),
                    "unit": unit_json(c.resolution.unit),
                    "confidence": round(c.score, 4),
                    "unit_confidence": round(c.owner_score, 4),
                    "matched_keywords": c.keywords,
                }
                for c in self.candidates[1 : ALTERNATIVES + 1]
            ],
            "similar_cases": self.similar,
            "assisting": [unit_json(unit) for unit in self.assisting],
        }


def _item_json_cached(item: DutyItem) -> dict:
    """``item_json`` once per item instance: a batch's items are fetched once and shared by all its cases."""
    cached = item.__dict__.get("_routing_json")
    if cached is None:
        cached = item.__dict__["_routing_json"] = item_json(item)
    return dict(cached)


def item_json(item: DutyItem) -> dict:
    return {
        "id": item.pk,
        "code": item.code,
        "matter": item.matter,
        "category": item.category.path if item.category_id else "",
        "owner_level": item.owner_level,
        "owner_key": item.owner_key,
        "lead": item.lead_label(),
        "basis": item.basis,
        "admission": item.admission,
        "assisting": item.assisting_labels(),
    }


def unit_json(unit: Unit | None) -> dict | None:
    return (
        None
        if unit is None
        else {"id": unit.pk, "name": unit.name, "kind": unit.kind, "department_type": unit.department_type}
    )


SIMILAR_CANDIDATES = 2000  # recent training examples of the district compared with a new case


def _similar_cases_many(cases: list[Case], limit: int = 3) -> list[list[dict]]:
    """Per case, past cases of its district with similar text and who finally owned them. The district's
    recent examples are read and vectorised once for all the cases of a batch."""
    found: list[list[dict]] = [[] for _ in cases]
    by_district: dict[tuple[int, int], list[int]] = {}
    for index, case in enumerate(cases):
        if case.region_id is not None:
            by_district.setdefault(district_range(case.region_id), []).append(index)
    for (low, high), indices in by_district.items():
        examples = list(
            RoutingExample.objects.filter(
                is_current=True, case__isnull=False, case__region_id__gte=low, case__region_id__lt=high
            )
            .select_related("case", "unit")
            .order_by("-id")[:SIMILAR_CANDIDATES]
        )
        by_id = {example.pk: example for example in examples}
        own: dict[int, set[int]] = {}
        for example in examples:
            own.setdefault(example.case_id, set()).add(example.pk)
        batch = [cases[i] for i in indices]
        candidates = [(e.pk, f"{e.title}\n{e.text}") for e in examples]
        hits = similar_texts_many(
            [f"{case.title}\n{case.text}" for case in batch],
            candidates,
            limit=limit,
            exclude=[own.get(case.pk, set()) for case in batch],
        )
        for index, similar in zip(indices, hits, strict=True):
            found[index] = [
                {
                    "case_id": by_id[s.key].case_id,
                    "tracking_code": by_id[s.key].case.tracking_code,
                    "title": by_id[s.key].case.title,
                    "unit": by_id[s.key].unit.name if by_id[s.key].unit else "",
                    "item_code": by_id[s.key].duty_item_code,
                    "similarity": round(s.score, 3),
                }
                for s in similar
            ]
    return found


def recommend(case: Case, *, at=None) -> Recommendation | None:
    """The recommended duty item and owning unit for ``case``, with alternatives and the evidence."""
    return recommend_many([case], at=at)[0]


def recommend_many(cases: list[Case], *, at=None) -> list[Recommendation | None]:
    """``recommend`` for several cases at once (the background worker's batches): one classifier call per duty
    list, each unit and each district's past examples looked up once. ``None`` where no list is in force."""
    found: list[Recommendation | None] = [None] * len(cases)
    lists = duty_lists_in_force(region_ids=[case.region_id for case in cases], at=at)
    groups: dict[int, list[int]] = {}
    for index, case in enumerate(cases):
        duty_list = lists[case.region_id]
        if duty_list is not None:
            groups.setdefault(duty_list.pk, []).append(index)
    memo: dict = {}
    for indices in groups.values():
        duty_list = lists[cases[indices[0]].region_id]
        items = {item.code: item for item in duty_list.items.select_related("category")}
        if not items:
            continue
        classifier, info = classifier_for(duty_list)
        batch = [cases[i] for i in indices]
        probabilities, seen, known = classifier.predict_proba_keywords(
            [Message(case.title, case.text) for case in batch]
        )
        owner_units_prefetch(memo, [case.region for case in batch], items.values())
        matcher = _list_matcher(duty_list, items)
        # the model's own keyword matches serve when it knows every keyword of the list (it was trained on it)
        reuse = known.issuperset(matcher.keyword_classes)
        item_paths = {code: item.category.path if item.category_id else "" for code, item in items.items()}
        owners = {code: item.owner_key for code, item in items.items()}
        classes = classifier.classes_
        scorer = ItemScorer(classes, owners)
        similar = _similar_cases_many(batch)
        for position, (case, row) in enumerate(zip(batch, probabilities, strict=True)):
            document = f"{case.title}\n{case.text}"
            if reuse:  # the model matched on the raw text; keywords are plain Chinese words, the same either way
                words = [word for word in seen[position] if word in matcher.keyword_classes]
            else:
                words = matcher.find(normalize_for_keywords(document))
            hits = {code: matcher.of_class(words, code) for code in {c for w in words for c in _codes_of(matcher, w)}}
            case_path = case.category.path if case.category_id else ""
            used = False
            if case_path:  # the category given with the case weighs the items: the general path
                scores = item_scores(dict(zip(classes, row.tolist(), strict=True)), items, hits)
                scores, used = apply_category_prior(scores, item_paths, case_path)
                candidates = _candidates(scores, owners, items, hits, case, info.calibration, memo)
            else:
                candidates = _candidates_fast(scorer, row, hits, items, case, info.calibration, memo)
            found[indices[position]] = Recommendation(
                case,
                duty_list,
                info,
                candidates,
                used,
                similar[position],
                assisting_units(candidates[0].item, case.region, memo=memo),
                keywords_found=any(hits.values()),
            )
    return found


_MATCHERS: dict[tuple, KeywordMatcher] = {}


def _list_matcher(duty_list: DutyList, items: dict[str, DutyItem]) -> KeywordMatcher:
    """The keywords of a list's items, bucketed for fast matching; built once per list version."""
    key = (duty_list.pk, duty_list.created_at.isoformat(), len(items))
    if key not in _MATCHERS:
        if len(_MATCHERS) > 8:
            _MATCHERS.clear()
        codes = sorted(items)
        _MATCHERS[key] = KeywordMatcher({code: clean_keywords(items[code].keywords) for code in codes}, codes)
    return _MATCHERS[key]


def _codes_of(matcher: KeywordMatcher, word: str) -> list[str]:
    return [matcher.classes[position] for position in matcher.keyword_classes[word]]


def _candidates(scores, owners, items, hits, case, calibration: PlattScaling, memo) -> list[Candidate]:
    """The best item of the most likely unit first (the unit's confidence is the sum of its items'), then every
    other item by its own probability, whoever owns it: the runner-up unit is not hidden behind the top unit's
    unlikely items (a dispatcher sees it among the alternatives and the picker, and a tie between units is found)."""
    ranked_owners = owners_ranked(scores, owners)
    owner_score = dict(ranked_owners)
    order = ranked_items(scores, owners, ranked_owners[0][0], ALTERNATIVES + 1)
    return [
        Candidate(
            items[code],
            score,
            hits.get(code, []),
            owner_unit_resolve(items[code], case.region, memo=memo),
            calibration(owner_score[owners.get(code, "")]),
        )
        for code, score in order
    ]


def _candidates_fast(scorer: ItemScorer, row, hits, items, case, calibration: PlattScaling, memo) -> list[Candidate]:
    """``_candidates`` for a case without a category, with the batch's numpy scorer (same order, same figures)."""
    scores = scorer.scores(row, hits)
    ranked_owners = scorer.owners(scores)
    owner_score = dict(ranked_owners)
    return [
        Candidate(
            items[code],
            score,
            hits.get(code, []),
            owner_unit_resolve(items[code], case.region, memo=memo),
            calibration(owner_score[items[code].owner_key]),
        )
        for code, score in scorer.ranked(scores, ranked_owners[0][0], ALTERNATIVES + 1)
    ]


def _store_routing(case: Case, routing: dict) -> None:
    # Case.routing holds routing's own explanation; no cases service writes it outside a dispatch.
    Case.objects.filter(pk=case.pk).update(routing=routing)


NOTES_PER_TRANSACTION = 50  # routing notes written together: the writer lock is held a few milliseconds


def _store_routings(notes: list[tuple[int, dict]]) -> int:
    """Routing notes of many cases (``(case pk, routing)``), a few dozen per short transaction: one commit each,
    not one per case. Only where routing is still empty, as the batch found it. Returns how many notes could not
    be stored (logged; those cases stay unrouted for the next sweep)."""
    if not notes:
        return 0
    connection = transaction.get_connection()
    field = Case._meta.get_field("routing")
    table, quote = Case._meta.db_table, connection.ops.quote_name
    # the empty note as the database holds it (the JSON of {} in the field's own form)
    empty = field.get_db_prep_save({}, connection)
    sql = (
        f"UPDATE {quote(table)} SET {quote(field.column)} = %s "  # noqa: S608 - names from the model
        f"WHERE {quote('id')} = %s AND {quote(field.column)} = %s"
    )
    failed = 0
    for start in range(0, len(notes), NOTES_PER_TRANSACTION):
        chunk = notes[start : start + NOTES_PER_TRANSACTION]
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(
                    sql, [(field.get_db_prep_save(routing, connection), pk, empty) for pk, routing in chunk]
                )
        except Exception:  # noqa: BLE001 - the other chunks go on
            logger.exception("routing notes of cases %s..%s could not be stored", chunk[0][0], chunk[-1][0])
            failed += len(chunk)
    return failed


def is_auto_dispatchable(recommendation: Recommendation, threshold: float | None) -> bool:
    """Whether routing may dispatch alone: a threshold is set, the model is a stored version (so every automatic
    decision can be explained later), the owner is a real unit (not the district fallback) and the unit's
    confidence reaches the threshold."""
    top = recommendation.top
    return (
        threshold is not None
        and recommendation.model.id is not None
        and top.resolution.unit is not None
        and not top.resolution.is_fallback
        and recommendation.confidence >= threshold
    )


def case_route(
    *,
    case: Case,
    allow_auto: bool = True,
    recommendation: Recommendation | None = None,
    notes: list[tuple[int, dict]] | None = None,
    threshold: float | None | str = "setting",
) -> dict | None:
    """Recommend, store the explanation on the case and dispatch automatically when confident enough.
    ``recommendation``: already computed for this case (a batch); else it is computed here. ``notes``: a batch's
    list to add the explanation to, when it is not dispatched, for ``_store_routings`` to write with the others'.
    ``threshold``: the batch's ``auto_dispatch_threshold()`` (read once per batch); by default read here."""
    recommendation = recommendation or recommend(case)
    if recommendation is None:
        return None
    threshold = auto_dispatch_threshold() if threshold == "setting" else threshold
    top = recommendation.top
    unit = top.resolution.unit
    auto = allow_auto and is_auto_dispatchable(recommendation, threshold) and case.state == State.RECEIVED
    routing = recommendation.as_routing(decision="auto_dispatched" if auto else "queued", threshold=threshold)
    if not auto:
        if notes is not None:
            notes.append((case.pk, routing))
        else:
            _store_routing(case, routing)
        return routing
    from fuhe.cases.services.lifecycle import case_transition
    from fuhe.cases.services.notify import notify_unit

    with transaction.atomic():
        _store_routing(case, routing)
        case = case_transition(
            actor=None,
            case=case,
            action=Action.DISPATCH,
            owner=unit,
            check_permission=False,
            event_data={
                "auto": True,
                "unit": unit.name,
                "confidence": routing["confidence"],
                "duty_item": top.item.code,
                "duty_list_version": routing["duty_list"]["version"],
                "model_version": routing["model"]["version"],
            },
        )
        notify_unit(unit.pk, case=case, text=f"新工单（自动派单） {case.tracking_code}：{case.title}")
        audit_record(
            actor=None,
            action="routing.auto_dispatch",
            target=case,
            summary={
                "after": {
                    "unit": unit.pk,
                    "item": top.item.code,
                    "confidence": routing["confidence"],
                    "threshold": threshold,
                    "model": routing["model"],
                }
            },
        )
    return routing


ROUTE_BATCH = 200  # cases routed together: one classifier call, shared look-ups


def _unrouted(case_pks: list[int] | None = None):
    """Received cases that routing has not looked at yet (``routing`` still empty)."""
    cases = Case.objects.filter(state=State.RECEIVED, routing={}).select_related("region", "category")
    return cases.filter(pk__in=case_pks) if case_pks is not None else cases


def cases_route(case_pks: list[int] | None = None, *, batch: int = ROUTE_BATCH) -> int:
    """Route the received cases not routed yet — ``case_pks``, or all of them — oldest first, in batches.

    A case with no duty list in force gets a routing note saying so, so it is not looked at again (its page
    still recommends live once a list comes into force). A failure is logged and leaves that case for the
    next sweep; it never stops the others. Returns the number of cases routed or noted."""
    done = 0
    after = 0
    while True:
        cases = list(_unrouted(case_pks).filter(pk__gt=after).order_by("pk")[:batch])
        if not cases:
            return done
        after = cases[-1].pk
        try:
            recommendations = recommend_many(cases)
        except Exception:  # noqa: BLE001 - the queue must go on; the cases stay unrouted for the next sweep
            logger.exception("routing of cases %s..%s failed", cases[0].pk, after)
            continue
        notes: list[tuple[int, dict]] = []
        threshold = auto_dispatch_threshold()  # once per batch: the measured one is read from the active model
        for case, recommendation in zip(cases, recommendations, strict=True):
            try:
                if recommendation is None:
                    notes.append(
                        (
                            case.pk,
                            {
                                "schema": ROUTING_SCHEMA,
                                "routed_at": timezone.now().isoformat(),
                                "decision": "no_duty_list",
                            },
                        )
                    )
                else:
                    case_route(case=case, recommendation=recommendation, notes=notes, threshold=threshold)
                done += 1
            except Exception:  # noqa: BLE001
                logger.exception("routing of case %s failed", case.pk)
        done -= _store_routings(notes)


def route_on_intake(case_pk: int) -> None:
    """Route one new case (as the worker's batches do). Never lets a routing failure reach intake."""
    try:
        cases_route([case_pk])
    except Exception:  # noqa: BLE001 - intake must succeed even when routing cannot
        logger.exception("routing of case %s failed", case_pk)


# --- the dispatcher's decision -------------------------------------------------------------------------


def routing_decide(*, actor, case: Case, item: DutyItem, unit: Unit | None = None, reason: str = "") -> Case:
    """Dispatch (or reassign) ``case`` to the owner of ``item`` — or to ``unit`` when the dispatcher names one —
    and record the decision as a training example: a confirmation, or a correction of the recommendation."""
    from fuhe.cases.rules import is_dispatcher_for
    from fuhe.cases.services.actions import dispatch_units
    from fuhe.cases.services.lifecycle import case_dispatch, case_reassign

    if not is_dispatcher_for(actor, case):
        raise PermissionDenied(_("Only the dispatcher of this case's area routes it."))
    current = duty_list_in_force(region_id=case.region_id)
    if current is None or item.duty_list_id != current.pk:
        raise ValidationError({"item": _("choose an item of the duty list in force for this case's place")})
    resolution = owner_unit_resolve(item, case.region)
    unit = unit or resolution.unit
    if unit is None or not dispatch_units(case).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("no unit of this case's district owns this matter; choose a unit")})
    routing = dict(case.routing or {})
    if not routing.get("item"):
        recommendation = recommend(case)
        if recommendation is not None:
            routing = recommendation.as_routing(decision="queued", threshold=auto_dispatch_threshold())
    recommended_code = (routing.get("item") or {}).get("code", "")
    recommended_unit = (routing.get("unit") or {}).get("id")
    corrected = item.code != recommended_code or unit.pk != recommended_unit
    routing["dispatcher"] = {
        "kind": "corrected" if corrected else "confirmed",
        "by": actor.get_username(),
        "at": timezone.now().isoformat(),
        "item": item_json(item),
        "unit": unit_json(unit),
        "reason": reason,
    }
    with transaction.atomic():
        if case.state == State.RECEIVED:
            case = case_dispatch(actor=actor, case=case, unit=unit, routing=routing)
        else:
            case = case_reassign(
                actor=actor, case=case, unit=unit, reason=reason or "按权责清单改派 / reassigned by the duty list"
            )
            _store_routing(case, routing)
        event = CaseEvent.objects.filter(case=case, action__in=[Action.DISPATCH, Action.REASSIGN]).latest("id")
        RoutingExample.objects.filter(case=case).update(is_current=False)
        example = RoutingExample.objects.create(
            case=case,
            event=event,
            title=mask_text(case.title),
            text=mask_text(case.text),
            duty_item_code=item.code,
            owner_key=owner_key_of_unit(unit),
            unit=unit,
            recommended_code=recommended_code,
            recommended_unit_id=recommended_unit,
            created_by=actor,
            source=ExampleSource.CORRECTION if corrected else ExampleSource.CONFIRMATION,
        )
        audit_record(
            actor=actor,
            action=f"routing.{example.source}",
            target=case,
            summary={
                "before": {"item": recommended_code, "unit": recommended_unit},
                "after": {"item": item.code, "unit": unit.pk},
            },
        )
    case.refresh_from_db()
    return case


# --- training data from the dispatch history -------------------------------------------------------------


def _label(case: Case, unit: Unit, items: list[DutyItem], probabilities: dict[str, float]) -> str:
    """The duty item behind a dispatch to ``unit``: the recommended one if it has this owner, else the most
    likely item with this owner (fitting the case's category first). Empty when no item has this owner."""
    key = owner_key_of_unit(unit)
    recommended = (case.routing or {}).get("item") or {}
    if recommended.get("owner_key") == key and recommended.get("code"):
        return recommended["code"]
    candidates = [item for item in items if item.owner_key == key]
    if not candidates:
        return ""
    case_path = case.category.path if case.category_id else ""
    return max(
        candidates,
        key=lambda i: (
            categories_related(i.category.path if i.category_id else "", case_path),
            probabilities.get(i.code, 0.0),
            i.code,
        ),
    ).code


def _summoned_departments(case_ids: set[int]) -> dict[int, set[Unit]]:
    """Per case, the departments its street summoned (吹哨报到)."""
    from fuhe.cases.models import ReportIn

    found: dict[int, set[Unit]] = {}
    for report_in in ReportIn.objects.filter(summons__case_id__in=case_ids).select_related("summons", "department"):
        found.setdefault(report_in.summons.case_id, set()).add(report_in.department)
    return found


def _owner_learned(event: CaseEvent, summoned: dict[int, set[Unit]]) -> Unit:
    """The unit a dispatch teaches: the dispatched unit — except a case sent straight to its street (直派) whose
    street then summoned exactly one department: the matter was that department's, the street led on the spot, so
    the department is what the text predicts. (Whether to send a department's case to the street first is a
    policy of the place, not something the message says.)"""
    departments = summoned.get(event.case_id, set())
    if owner_key_of_unit(event.unit) == "street" and len(departments) == 1:
        return next(iter(departments))
    return event.unit


def routing_examples_collect(*, limit: int = 5000) -> int:
    """Turn new dispatch/reassign events into training examples (idempotent; run in the background).
    Automatic dispatches are left out: the model would learn from itself."""
    done = RoutingExample.objects.filter(event__isnull=False).values("event_id")
    events = list(
        CaseEvent.objects.filter(action__in=[Action.DISPATCH, Action.REASSIGN], unit__isnull=False)
        .exclude(id__in=done)
        .select_related("case__category", "case__region", "unit")
        .order_by("id")[:limit]
    )
    events = [event for event in events if not (event.data or {}).get("auto")]
    if not events:
        return 0
    lists = duty_lists_in_force(region_ids=[event.case.region_id for event in events])
    list_items: dict[int, list[DutyItem]] = {}
    # the classifier's view of every case, one call per duty list (a call per case cost ~1 ms of fixed overhead)
    probabilities: list[dict[str, float]] = [{} for _ in events]
    by_list: dict[int, list[int]] = {}
    for index, event in enumerate(events):
        duty_list = lists[event.case.region_id]
        if duty_list is not None:
            by_list.setdefault(duty_list.pk, []).append(index)
    for indices in by_list.values():
        duty_list = lists[events[indices[0]].case.region_id]
        list_items[duty_list.pk] = list(duty_list.items.select_related("category"))
        classifier, _info = classifier_for(duty_list)
        rows = classifier.predict_proba([Message(events[i].case.title, events[i].case.text) for i in indices])
        for index, row in zip(indices, rows, strict=True):
            probabilities[index] = dict(zip(classifier.classes_, (float(p) for p in row), strict=True))
    summoned = _summoned_departments({event.case_id for event in events})
    made = []
    for event, probability in zip(events, probabilities, strict=True):
        case = event.case
        duty_list = lists[case.region_id]
        owner = _owner_learned(event, summoned)
        recommended = case.routing or {}
        made.append(
            RoutingExample(
                case=case,
                event=event,
                title=mask_text(case.title),
                text=mask_text(case.text),
                duty_item_code=_label(case, owner, list_items.get(duty_list.pk, []) if duty_list else [], probability),
                owner_key=owner_key_of_unit(owner),
                unit=owner,
                recommended_code=(recommended.get("item") or {}).get("code", ""),
                recommended_unit_id=(recommended.get("unit") or {}).get("id"),
                source=ExampleSource.DISPATCH if event.action == Action.DISPATCH else ExampleSource.REASSIGN,
            )
        )
    with transaction.atomic():
        RoutingExample.objects.bulk_create(made)
        case_ids = {event.case_id for event in events}
        latest = (
            RoutingExample.objects.filter(case_id__in=case_ids)
            .values("case_id")
            .annotate(last=Max("event_id"))
            .values_list("last", flat=True)
        )
        # a case's examples other than its latest decision's are no longer current: one statement for all
        RoutingExample.objects.filter(case_id__in=case_ids, is_current=True).exclude(event_id__in=list(latest)).update(
            is_current=False
        )
    return len(made)


# --- training ------------------------------------------------------------------------------------------


def _accuracy(classifier: TextClassifier, held: list[tuple[Message, str, str]], owners: dict[str, str]) -> dict:
    predicted = classifier.predict_labels([message for message, _code, _owner in held])
    items = sum(p == code for p, (_m, code, _o) in zip(predicted, held, strict=True))
    owner_hits = sum(owners.get(p) == owner for p, (_m, _c, owner) in zip(predicted, held, strict=True))
    return {"item_accuracy": round(items / len(held), 4), "owner_accuracy": round(owner_hits / len(held), 4)}


def owner_confidences(
    classifier: TextClassifier, messages: list[Message], owners: dict[str, str]
) -> list[tuple[str, float, list[str], str]]:
    """Per message, the most likely owner, its raw confidence (the summed probability of its items), the owners
    ranked — as ``recommend_many`` ranks them, without a case's category — and the most likely item."""
    probabilities = classifier.predict_proba(messages)
    found = []
    for row in probabilities:
        scores = item_scores(dict(zip(classifier.classes_, row.tolist(), strict=True)), owners, {})
        ranked = owners_ranked(scores, owners)
        item = max(sorted(scores), key=lambda code: scores[code]) if scores else ""
        found.append((ranked[0][0], ranked[0][1], [owner for owner, _score in ranked], item))
    return found


@dataclass(frozen=True)
class LearntDecision:
    """One dispatcher decision as training sees it: its stable key, its words, the item and the owner chosen."""

    key: str
    pk: int
    message: Message
    code: str
    owner: str


@dataclass(frozen=True)
class OutOfFoldPredictions:
    owner: list[str]  # the owner the fold's model ranks first
    raw: list[float]  # its raw confidence
    item: list[str]  # the item the fold's model ranks first
    fold_of: list[int]


def _out_of_fold(
    decisions: list[LearntDecision], keywords: dict, owners: dict, folds: int, examples: Sequence = ()
) -> OutOfFoldPredictions:
    """Each decision predicted by a model fitted on the list's keywords and the decisions of the other folds (the
    fold is ``fold_of_key`` of the decision's key, never its row id, so SQLite and PostgreSQL agree)."""
    fold_of = [fold_of_key(decision.key, folds) for decision in decisions]
    owner = [""] * len(decisions)
    raw = [0.0] * len(decisions)
    item = [""] * len(decisions)
    for fold in range(folds):
        held = [i for i, f in enumerate(fold_of) if f == fold]
        if not held:
            continue
        train = [decisions[i] for i, f in enumerate(fold_of) if f != fold]
        classifier = _fit([d.message for d in train], [d.code for d in train], keywords, examples)
        predicted = owner_confidences(classifier, [decisions[i].message for i in held], owners)
        for i, (top, confidence, _ranked, code) in zip(held, predicted, strict=True):
            owner[i], raw[i], item[i] = top, confidence, code
    return OutOfFoldPredictions(owner, raw, item, fold_of)


def _measure_confidence(
    decisions: list[LearntDecision], keywords: dict, owners: dict, *, folds: int, examples: Sequence = ()
) -> dict:
    """Cross-fitted over the whole dispatch history (``core.evaluation.out_of_fold_measure``): every decision is
    predicted by a model that did not learn it; on those predictions the owner confidence is calibrated (Platt),
    its reliability and ECE checked, and the auto-dispatch threshold chosen where the precision's one-sided 95 %
    lower bound (Clopper–Pearson) over every decision still reaches 95 %. Stored with the model trained on all the
    decisions; ``auto_dispatch_threshold`` reads it."""
    predictions = _out_of_fold(decisions, keywords, owners, folds, examples)
    correct = [top == d.owner for top, d in zip(predictions.owner, decisions, strict=True)]
    measured = out_of_fold_measure(predictions.raw, correct, predictions.fold_of)
    items_right = sum(code == d.code for code, d in zip(predictions.item, decisions, strict=True))
    return {
        "candidate": {
            "item_accuracy": round(items_right / len(decisions), 4),
            "owner_accuracy": round(measured.accuracy, 4),
        },
        "calibration": measured.calibration.as_json(),
        "calibration_check": measured.as_json(),
        "auto_dispatch": (
            measured.choice.as_json() if measured.choice else {"threshold": None, "measured_on": len(decisions)}
        ),
        "_owner_right": correct,  # not stored: for the comparison with the active model
    }


def _split_keys(examples):
    """The stable key of each example: its words and how many earlier examples had the same words. It does not
    depend on row ids, so the folds are the same on SQLite and PostgreSQL and after a dump and restore, and copies
    of one message still fall into several folds."""
    seen: dict[tuple[str, str], int] = {}
    for example in sorted(examples, key=lambda e: e.pk):
        words = (example.title, example.text)
        seen[words] = seen.get(words, 0) + 1
        yield f"{example.title}\n{example.text}\n{seen[words]}", example


def _compare_with_active(
    active: RoutingModel, decisions: list[LearntDecision], owner_right: list[bool], owners
) -> dict:
    """The candidate against the active model on the decisions the active model never learnt (recorded after it
    was trained): the candidate's out-of-fold predictions against the active model's own. Fewer than
    ``FRESH_MINIMUM`` such decisions compare nothing (the candidate, trained on more, is activated)."""
    through = (active.metrics or {}).get("examples_through")
    if through is None:
        return {}
    fresh = [i for i, d in enumerate(decisions) if d.pk > through]
    if len(fresh) < FRESH_MINIMUM:
        return {}
    held = [(decisions[i].message, decisions[i].code, decisions[i].owner) for i in fresh]
    try:
        previous = _accuracy(TextClassifier.from_bytes(bytes(active.blob)), held, owners)
    except ValueError:
        return {"active": None}  # an unreadable old model never blocks a new one
    candidate = round(sum(owner_right[i] for i in fresh) / len(fresh), 4)
    return {
        "compared_on": len(fresh),
        "candidate_on_new": {"owner_accuracy": candidate},
        "active": previous,
        "active_version": active.version,
    }


def routing_model_train(*, actor=None, note: str = "", folds: int = CROSS_FIT_FOLDS) -> RoutingModel | None:
    """Fit a new model on the active lists' keywords (cold start) and **all** the current examples; keep it as a
    new version and activate it unless it is worse than the active one on the decisions that one never learnt.

    Its confidence is measured cross-fitted (``_measure_confidence``): once there are ``HOLD_OUT_MINIMUM``
    examples, each is predicted by a model fitted on the other ``folds`` − 1 folds, so every decision counts
    toward the calibration and the auto-dispatch threshold while the model deployed learns from all of them."""
    lists = sorted(
        DutyList.objects.filter(status=ListStatus.ACTIVE).select_related("region"),
        key=lambda d: d.region.subtree[1] - d.region.subtree[0],
        reverse=True,
    )
    if not lists:
        return None
    items = [item for duty_list in lists for item in duty_list.items.all()]
    keywords = list_keywords(items)
    typical = list_examples(items)
    owners = {item.code: item.owner_key for item in items}
    examples = {}
    for example in RoutingExample.objects.filter(is_current=True, duty_item_code__in=list(keywords)).order_by("id"):
        examples[example.case_id or -example.pk] = example  # one per case: the latest decision
    decisions = [
        LearntDecision(key, e.pk, Message(e.title, e.text), e.duty_item_code, e.owner_key)
        for key, e in _split_keys(examples.values())
    ]
    classifier = _fit([d.message for d in decisions], [d.code for d in decisions], keywords, typical)
    measured = len(decisions) >= HOLD_OUT_MINIMUM
    metrics: dict = {
        "examples": len(decisions),
        "trained_on": len(decisions),
        "held_out": len(decisions) if measured else 0,  # decisions predicted out of fold
        "folds": folds if measured else 0,
        "examples_through": max((d.pk for d in decisions), default=0),
        "typical_cases": len(typical),
        "duty_lists": [{"id": d.pk, "version": d.version, "region": d.region.code} for d in lists],
    }
    active = RoutingModel.objects.filter(is_active=True).first()
    activate = True
    if measured:
        confidence = _measure_confidence(decisions, keywords, owners, folds=folds, examples=typical)
        owner_right = confidence.pop("_owner_right")
        metrics.update(confidence)
        if active is not None:
            metrics.update(_compare_with_active(active, decisions, owner_right, owners))
            if metrics.get("active"):
                activate = metrics["candidate_on_new"]["owner_accuracy"] >= metrics["active"]["owner_accuracy"]
    with transaction.atomic():
        version = (RoutingModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        if activate:
            RoutingModel.objects.filter(is_active=True).update(is_active=False)
        model = RoutingModel.objects.create(
            version=version,
            duty_list=lists[0],
            trained_on=len(decisions),
            keyword_documents=len(keyword_documents(keywords)[0]),
            classes=list(classifier.classes_),
            blob=classifier.to_bytes(),
            metrics=metrics,
            is_active=activate,
            note=note[:200],
        )
        audit_record(
            actor=actor,
            action="routing.model_train",
            target=model,
            summary={"after": {"version": version, "active": activate, "metrics": _audit_metrics(metrics)}},
        )
    return model


def _audit_metrics(metrics: dict) -> dict:
    """The model's figures for the audit row, without the reliability bins (they are on the model)."""
    return {key: value for key, value in metrics.items() if key != "calibration_check"}


# --- why a recommendation is weak ------------------------------------------------------------------------


def _item_label(entry: dict) -> str:
    return f"{entry.get('code', '')} {entry.get('matter', '')}".strip()


def recommendation_weaknesses(*, case: Case, routing: dict | None, has_duty_list: bool) -> list[str]:
    """Plain, translated sentences saying why the recommendation of ``case`` is weak (``core.weakness``): empty
    when its confidence reaches the auto-dispatch threshold. ``routing``: the stored or live recommendation;
    ``has_duty_list``: whether a duty list is in force for the case's region now."""
    routing = routing if routing and routing.get("item") else None
    candidates: tuple[WeighedItem, ...] = ()
    keyword_found = False
    if routing is not None:
        alternatives = routing.get("alternatives") or []
        top_unit = (routing.get("unit") or {}).get("id")
        # a tie is between units: another item of the same unit is no doubt about where the case goes
        others = [a for a in alternatives if "unit_confidence" not in a or (a.get("unit") or {}).get("id") != top_unit]
        candidates = tuple(
            WeighedItem(_item_label(entry), float(confidence or 0.0))
            for entry, confidence in [(routing["item"], routing.get("confidence"))]
            + [(a, a.get("unit_confidence", a.get("confidence"))) for a in others]
        )
        keyword_found = routing.get("keywords_found")
        if keyword_found is None:  # routed before the flag was stored: the candidates' own keywords
            keyword_found = bool(routing.get("matched_keywords")) or any(
                alternative.get("matched_keywords") for alternative in alternatives
            )
    evidence = Evidence(
        has_duty_list=has_duty_list and routing is not None,
        candidates=candidates,
        keyword_found=bool(keyword_found),
        text=f"{case.text}",
        is_gap=routing is not None and not (routing.get("item") or {}).get("owner_key"),
    )
    sentences = []
    for reason in weak_reasons(evidence, threshold=auto_dispatch_threshold()):
        match reason.kind:
            case Weakness.NO_DUTY_LIST:
                sentences.append(_("No duty list is in force for this case's region, so nothing can be matched."))
            case Weakness.GAP:
                sentences.append(
                    _(
                        "The duty list names no lead for this matter (a gap in the list): "
                        "the district government takes it."
                    )
                )
            case Weakness.NO_KEYWORD:
                sentences.append(_("No keyword of the duty list occurs in the case's text."))
            case Weakness.TIE:
                first, second = reason.names
                sentences.append(
                    _("Two duty items are almost equally likely: %(first)s and %(second)s.")
                    % {"first": first, "second": second}
                )
            case Weakness.SHORT_TEXT:
                sentences.append(_("The case's text is very short: there is little to judge by."))
            case Weakness.LOW_CONFIDENCE:
                sentences.append(
                    _("The wording leaves the model unsure: its confidence is below the %(threshold)s it needs.")
                    % {"threshold": f"{(auto_dispatch_threshold() or WEAK_CONFIDENCE) * 100:.0f}%"}
                )
    return sentences


def recommendation_is_weak(routing: dict | None) -> bool:
    """Whether the confidence of ``routing`` is below the auto-dispatch threshold (or there is none)."""
    confidence = (routing or {}).get("confidence") if (routing or {}).get("item") else None
    return is_weak(None if confidence is None else float(confidence), auto_dispatch_threshold())


# --- recommendations for a file of messages (``fuhe routing recommend``) -----------------------------------


@dataclass(frozen=True)
class MessageRow:
    line: int  # of the CSV, for errors
    title: str
    text: str
    point: tuple[float, float] | None = None  # (latitude, longitude), WGS-84


def routing_recommend_messages(*, rows: list[MessageRow], region) -> list[dict]:
    """What routing would decide for each message, as if it had been received in ``region`` — or, for a row with a
    point, in the region that holds the point when that lies inside ``region`` (``fuhe.org.regions.regions_at``).
    Nothing is written. Each result: the place used, the recommended item and unit, the unit's confidence, the
    decision ("auto" or "human") and, for a human decision, why (``core.weakness`` kinds)."""
    from fuhe.org.models import Region
    from fuhe.org.regions import regions_at

    low, high = region.subtree
    points = [row.point for row in rows if row.point is not None]
    located = iter(regions_at(points) if points else [])
    found_ids = [next(located) if row.point is not None else None for row in rows]
    inside = {pk for pk in found_ids if pk is not None and low <= pk < high}
    regions = {r.pk: r for r in Region.objects.filter(pk__in=inside)}
    places = [regions.get(pk, region) if pk in inside else region for pk in found_ids]
    cases = [Case(title=row.title[:120], text=row.text, region=place) for row, place in zip(rows, places, strict=True)]
    threshold = auto_dispatch_threshold()
    results = []
    for row, case, recommendation, found in zip(rows, cases, recommend_many(cases), found_ids, strict=True):
        placed = "point" if found is not None and found in inside else "region"
        if row.point is not None and found is not None and found not in inside:
            placed = "outside"  # the point lies in another district than --region: placed by --region
        result = {"line": row.line, "place": case.region.code, "place_name": case.region.name, "placed_by": placed}
        if recommendation is None:
            results.append({**result, "decision": "human", "why": Weakness.NO_DUTY_LIST.value})
            continue
        top = recommendation.top
        auto = is_auto_dispatchable(recommendation, threshold)
        routing = recommendation.as_routing(decision="preview", threshold=threshold)
        top_owner = top.item.owner_key
        evidence = Evidence(
            has_duty_list=True,
            candidates=(
                WeighedItem(top.item.code, top.owner_score),
                *(
                    WeighedItem(c.item.code, c.owner_score)
                    for c in recommendation.candidates[1:]
                    if c.item.owner_key != top_owner
                ),
            ),
            keyword_found=recommendation.keywords_found,
            text=row.text,
            is_gap=not top.item.owner_key,
        )
        reasons = [] if auto else [reason.kind.value for reason in weak_reasons(evidence, threshold=threshold)]
        if not auto and not reasons:
            if top.resolution.is_fallback or top.resolution.unit is None:
                reasons = ["fallback_owner"]  # e.g. a street's matter for a message placed only in the district
            else:
                reasons = ["no_measured_threshold" if threshold is None else "no_trained_model"]
        results.append(
            {
                **result,
                "item_code": top.item.code,
                "item_matter": top.item.matter,
                "unit_kind": top.item.owner_key or "district_government",
                "unit": top.resolution.unit.name if top.resolution.unit else "",
                "confidence": routing["confidence"],
                "item_confidence": routing["item_confidence"],
                "alternatives": " ".join(c.item.code for c in recommendation.candidates[1:]),
                "decision": "auto" if auto else "human",
                "why": " ".join(reasons),
            }
        )
    return results
