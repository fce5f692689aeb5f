"""Writes of project-based allocation. Each is one atomic action with the acting user as keyword argument and its
audit event in the same transaction; a refusal raises ``FundingError`` (a ``ValidationError`` naming the field) or
``PermissionDenied``, and nothing is written.

* ``call_publish``: a fund owner's call (budget, eligible kinds, demands and/or region, window, criteria, panel);
* ``application_submit``: an organisation's plan, requested amount and deliverables against a demand;
* ``scores_submit``: a panel member's sheet for one application (a correction is a new sheet with a reason);
* ``call_award``: the ranking by weighted score and the awards within the budget (core/ranking.py);
* ``tranche_disburse``, ``spending_record``: money paid to the awardee and spent by it (never above the award);
* ``deliverable_report`` (the awardee) and ``deliverable_confirm`` (the demand's requester), which closes the
  demand once every deliverable funded for it is confirmed (``demand_close_funded``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fuhe.accounts.scope import scope_for
from fuhe.audit.services import audit_record
from fuhe.funding.core import ledger, ranking
from fuhe.funding.core.money import MoneyError, format_yuan, parse_yuan
from fuhe.funding.models import (
    Application,
    ApplicationState,
    Award,
    Call,
    CallState,
    Criterion,
    Deliverable,
    DeliverableState,
    Score,
    SpendingLine,
    Tranche,
)
from fuhe.funding.rules import (
    can_apply_for,
    can_confirm_delivery,
    can_manage_call,
    can_publish_for,
    can_report_for,
    can_score,
    has_conflict,
)
from fuhe.funding.selectors import call_ranking, panel_candidates
from fuhe.org.models import Unit, UnitKind
from fuhe.org.selectors import region_get
from fuhe.resources.models import Demand, DemandState
from fuhe.resources.selectors import demand_queryset
from fuhe.resources.services import demand_close_met

MAX_TEXT = 4000


class FundingError(ValidationError):
    """A write this context refuses (a form error at the edge); nothing was written."""


MONEY_MESSAGES = {
    "invalid": gettext_noop("Enter an amount in yuan, such as 12000 or 12000.50."),
    "negative": gettext_noop("The amount cannot be negative."),
    "precision": gettext_noop("Give the amount to the fen at most (two decimals)."),
    "large": gettext_noop("This amount is too large."),
}


def money_of(value, field: str) -> int:
    try:
        fen = parse_yuan(value)
    except MoneyError as error:
        raise FundingError({field: _(MONEY_MESSAGES[error.reason])}) from None
    if fen <= 0:
        raise FundingError({field: _("The amount must be greater than zero.")})
    return fen


def _text(value, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise FundingError({field: _("This field is required.")})
    if len(text) > limit:
        raise FundingError({field: _("Keep this under %(limit)s characters.") % {"limit": limit}})
    return text


def _date(value, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise FundingError({field: _("Enter a date as YYYY-MM-DD.")}) from None


def _whole(value, field: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool):
        raise FundingError({field: _("Enter a whole number.")})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise FundingError({field: _("Enter a whole number.")}) from None
    if number < minimum or number > maximum:
        raise FundingError(
            {field: _("Enter a whole number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum}}
        )
    return number


# --- calls --------------------------------------------------------------------------------------------------------


def _criteria_of(criteria: Iterable[tuple[str, object]]) -> list[tuple[str, int]]:
    rows = []
    for name, weight in criteria:
        name = str(name or "").strip()
        if not name and str(weight or "").strip() in ("", "0"):
            continue
        if not name:
            raise FundingError({"criteria": _("Every weighted criterion needs a name.")})
        rows.append((name[:120], _whole(weight, "criteria", minimum=1, maximum=100)))
    if not rows:
        raise FundingError({"criteria": _("Give at least one scoring criterion.")})
    if len({name for name, _weight in rows}) != len(rows):
        raise FundingError({"criteria": _("Two criteria have the same name.")})
    total = sum(weight for _name, weight in rows)
    if total != ranking.WEIGHT_TOTAL:
        raise FundingError(
            {"criteria": _("The weights of the criteria must sum to 100 (they sum to %(total)s).") % {"total": total}}
        )
    return rows


def call_publish(
    *,
    actor,
    owner_id,
    title: str,
    budget,
    eligible_kinds: Sequence[str],
    opens_on,
    closes_on,
    criteria: Iterable[tuple[str, object]],
    panel_ids: Iterable,
    demand_ids: Iterable = (),
    region_id=None,
    description: str = "",
    minimum_score=0,
) -> Call:
    """Publish a call of ``owner_id`` (a unit the actor acts for). All checks first; then one transaction."""
    owner = Unit.objects.filter(pk=_whole(owner_id or 0, "owner", minimum=0, maximum=2**62)).first()
    if owner is None or not can_publish_for(actor, owner):
        raise FundingError({"owner": _("You may not publish calls for this unit.")})
    title = _text(title, "title", limit=200)
    description = _text(description, "description", required=False)
    budget_fen = money_of(budget, "budget")
    kinds = [str(kind) for kind in eligible_kinds]
    if not kinds:
        raise FundingError({"eligible_kinds": _("Choose at least one kind of applicant.")})
    if any(kind not in UnitKind.values for kind in kinds):
        raise FundingError({"eligible_kinds": _("Choose one of the listed kinds.")})
    opens, closes = _date(opens_on, "opens_on"), _date(closes_on, "closes_on")
    if closes < opens:
        raise FundingError({"closes_on": _("The application window closes before it opens.")})
    if closes < timezone.localdate():
        raise FundingError({"closes_on": _("The application window has already closed.")})
    rows = _criteria_of(criteria)
    minimum = _whole(minimum_score or 0, "minimum_score", minimum=0, maximum=100)
    panel_ids = sorted({int(pk) for pk in panel_ids if str(pk).strip().isdigit()})
    if not panel_ids:
        raise FundingError({"panel": _("Name at least one panel member.")})
    panel = list(panel_candidates(user=actor).filter(pk__in=panel_ids))
    if len(panel) != len(panel_ids):
        raise FundingError({"panel": _("A panel member is not among the people in your scope.")})
    demand_ids = sorted({int(pk) for pk in demand_ids if str(pk).strip().isdigit()})
    demands = list(demand_queryset(actor).filter(pk__in=demand_ids, state=DemandState.OPEN))
    if len(demands) != len(demand_ids):
        raise FundingError({"demands": _("A demand is not open or not in your scope.")})
    region = None
    if region_id not in (None, ""):
        try:
            region = region_get(scope=scope_for(actor), region_id=region_id)
        except Http404:
            raise FundingError({"region": _("No region with this id in your scope.")}) from None
    if region is None and not demands:
        raise FundingError({"demands": _("Link the call to at least one demand or to a region.")})
    with transaction.atomic():
        call = Call.objects.create(
            owner=owner,
            title=title,
            description=description,
            budget_fen=budget_fen,
            eligible_kinds=kinds,
            region=region,
            opens_on=opens,
            closes_on=closes,
            minimum_score=minimum,
            created_by=actor,
            created_at=timezone.now(),
        )
        Criterion.objects.bulk_create(
            [Criterion(call=call, name=name, weight=weight, position=i) for i, (name, weight) in enumerate(rows)]
        )
        call.panel.set(panel)
        call.demands.set(demands)
        audit_record(
            actor=actor,
            action="funding.call_published",
            target=call,
            summary={
                "owner": owner.pk,
                "budget_fen": budget_fen,
                "eligible_kinds": kinds,
                "demands": demand_ids,
                "region": region.pk if region else None,
                "window": [opens.isoformat(), closes.isoformat()],
                "criteria": rows,
                "panel": panel_ids,
            },
        )
    return call


# --- applications -------------------------------------------------------------------------------------------------


def _deliverables_of(deliverables: Iterable[Mapping], opens: date) -> list[dict]:
    rows = []
    for i, row in enumerate(deliverables, start=1):
        description = str(row.get("description") or "").strip()
        if not description and not str(row.get("quantity") or "").strip():
            continue
        field = f"deliverables.{i}"
        if not description:
            raise FundingError({field: _("Deliverable %(n)s: describe it.") % {"n": i}})
        try:
            quantity = _whole(row.get("quantity"), field, minimum=1, maximum=1_000_000)
        except FundingError:
            raise FundingError(
                {field: _("Deliverable %(n)s: the quantity must be a whole number of at least 1.") % {"n": i}}
            ) from None
        try:
            due = _date(row.get("due_on"), field)
        except FundingError:
            raise FundingError({field: _("Deliverable %(n)s: enter the due date as YYYY-MM-DD.") % {"n": i}}) from None
        if due < max(opens, timezone.localdate()):
            raise FundingError({field: _("Deliverable %(n)s: the due date lies in the past.") % {"n": i}})
        rows.append(
            {
                "description": description[:200],
                "quantity": quantity,
                "unit_label": str(row.get("unit_label") or "").strip()[:20],
                "due_on": due,
            }
        )
    if not rows:
        raise FundingError({"deliverables": _("Name at least one deliverable with its quantity and date.")})
    return rows


def application_submit(
    *,
    actor,
    call: Call,
    applicant_id,
    title: str,
    plan: str,
    requested,
    deliverables: Iterable[Mapping],
    demand_id=None,
) -> Application:
    applicant = Unit.objects.filter(pk=_whole(applicant_id or 0, "applicant", minimum=0, maximum=2**62)).first()
    if applicant is None or not can_apply_for(actor, applicant):
        raise FundingError({"applicant": _("You may not apply for this unit.")})
    if applicant.kind not in call.eligible_kinds:
        raise FundingError({"applicant": _("This call does not admit applicants of this kind.")})
    if applicant.pk == call.owner_id:
        raise FundingError({"applicant": _("The fund owner cannot apply to its own call.")})
    today = timezone.localdate()
    if call.state != CallState.OPEN or not call.opens_on <= today <= call.closes_on:
        raise FundingError(
            {
                "call": _("Applications are accepted from %(opens)s to %(closes)s.")
                % {"opens": call.opens_on, "closes": call.closes_on}
            }
        )
    demand = None
    linked = list(call.demands.values_list("pk", flat=True))
    if demand_id not in (None, ""):
        demand = Demand.objects.filter(pk__in=linked, pk=_whole(demand_id, "demand", minimum=0, maximum=2**62)).first()
        if demand is None:
            raise FundingError({"demand": _("Choose one of the demands this call addresses.")})
        if demand.state != DemandState.OPEN:
            raise FundingError({"demand": _("This demand is no longer open.")})
    elif linked:
        raise FundingError({"demand": _("Choose the demand your project addresses.")})
    title = _text(title, "title", limit=200)
    plan = _text(plan, "plan")
    requested_fen = money_of(requested, "requested")
    if requested_fen > call.budget_fen:
        raise FundingError(
            {
                "requested": _("The requested amount exceeds the call's budget of %(budget)s yuan.")
                % {"budget": format_yuan(call.budget_fen)}
            }
        )
    rows = _deliverables_of(deliverables, call.opens_on)
    if Application.objects.filter(call=call, applicant=applicant, demand=demand).exists():
        raise FundingError({"demand": _("Your unit has already applied to this call for this demand.")})
    with transaction.atomic():
        application = Application.objects.create(
            call=call,
            applicant=applicant,
            demand=demand,
            title=title,
            plan=plan,
            requested_fen=requested_fen,
            submitted_by=actor,
            submitted_at=timezone.now(),
        )
        Deliverable.objects.bulk_create([Deliverable(application=application, **row) for row in rows])
        audit_record(
            actor=actor,
            action="funding.application_submitted",
            target=application,
            summary={
                "call": call.pk,
                "applicant": applicant.pk,
                "demand": demand.pk if demand else None,
                "requested_fen": requested_fen,
                "deliverables": [[r["description"], r["quantity"], r["due_on"].isoformat()] for r in rows],
            },
        )
    return application


# --- scoring ------------------------------------------------------------------------------------------------------


def scores_submit(*, actor, application: Application, scores: Mapping, reason: str = "") -> list[Score]:
    """A panel member's scores of every criterion of ``application``. Scores are final once submitted: a second
    sheet is a correction, kept beside the first, and needs a reason."""
    call = application.call
    if call.panel.filter(pk=actor.pk).exists() and has_conflict(actor, application):
        raise PermissionDenied(_("You act for the applicant's unit: you cannot score this application."))
    if not can_score(actor, application):
        raise PermissionDenied(_("You are not on this call's panel."))
    if call.state != CallState.OPEN:
        raise FundingError({"scores": _("The call has been awarded: scores can no longer change.")})
    criteria = list(call.criteria.all())
    values = {}
    for criterion in criteria:
        raw = scores.get(criterion.pk, scores.get(str(criterion.pk)))
        if raw in (None, ""):
            raise FundingError({f"score_{criterion.pk}": _("Score “%(name)s”.") % {"name": criterion.name}})
        try:
            values[criterion.pk] = _whole(raw, f"score_{criterion.pk}", minimum=0, maximum=ranking.MAX_SCORE)
        except FundingError:
            raise FundingError(
                {
                    f"score_{criterion.pk}": _("“%(name)s”: enter a whole number from 0 to 100.")
                    % {"name": criterion.name}
                }
            ) from None
    reason = str(reason or "").strip()
    with transaction.atomic():
        locked = Call.objects.select_for_update(of=("self",)).get(pk=call.pk)
        if locked.state != CallState.OPEN:
            raise FundingError({"scores": _("The call has been awarded: scores can no longer change.")})
        previous = {
            s.criterion_id: s for s in Score.objects.filter(application=application, member=actor).order_by("id")
        }
        if previous and not reason:
            raise FundingError({"reason": _("You have scored this application: say why you correct your scores.")})
        now = timezone.now()
        rows = [
            Score.objects.create(
                application=application,
                criterion_id=pk,
                member=actor,
                score=value,
                supersedes=previous.get(pk),
                reason=reason,
                created_at=now,
            )
            for pk, value in values.items()
        ]
        audit_record(
            actor=actor,
            action="funding.scores_corrected" if previous else "funding.scores_submitted",
            target=application,
            summary={"scores": {str(k): v for k, v in values.items()}, "reason": reason},
        )
    return rows


# --- awarding -----------------------------------------------------------------------------------------------------


def call_award(*, actor, call: Call) -> list[Award]:
    """Award by the documented rule (core/ranking.py). Refused while any application's scoring is incomplete."""
    if not can_manage_call(actor, call):
        raise PermissionDenied(_("You may not award this call."))
    with transaction.atomic():
        call = Call.objects.select_for_update(of=("self",)).select_related("owner").get(pk=call.pk)
        if call.state != CallState.OPEN:
            raise FundingError({"call": _("This call has already been awarded.")})
        result = call_ranking(call)
        if not result:
            raise FundingError({"call": _("No application has been submitted to this call.")})
        incomplete = [r for r in result if r.outcome == "incomplete"]
        if incomplete:
            raise FundingError(
                {
                    "scores": _("%(count)s application(s) still lack scores from panel members.")
                    % {"count": len(incomplete)}
                }
            )
        now = timezone.now()
        awards, awarded = [], 0
        for row in result:
            state = ApplicationState.NOT_AWARDED
            if row.outcome == "awarded":
                refusal = ledger.award_refusal(
                    budget_fen=call.budget_fen, awarded_fen=awarded, amount_fen=row.awarded_fen
                )
                if refusal is not None:  # the rule guarantees it; checked again before the write
                    raise FundingError({"budget": _("The awards would exceed the budget.")})
                awarded += row.awarded_fen
                awards.append(
                    Award.objects.create(
                        application_id=row.application_id,
                        amount_fen=row.awarded_fen,
                        rank=row.rank,
                        total_score=Decimal(row.total.numerator) / Decimal(row.total.denominator),
                        awarded_by=actor,
                        awarded_at=now,
                    )
                )
                state = ApplicationState.AWARDED
            Application.objects.filter(pk=row.application_id).update(state=state)
        Call.objects.filter(pk=call.pk).update(state=CallState.AWARDED, awarded_at=now)
        audit_record(
            actor=actor,
            action="funding.call_awarded",
            target=call,
            summary={
                "awarded_fen": awarded,
                "budget_fen": call.budget_fen,
                "ranking": [
                    [r.application_id, r.rank, str(r.total) if r.total is not None else None, r.outcome, r.awarded_fen]
                    for r in result
                ],
            },
        )
    return awards


# --- money --------------------------------------------------------------------------------------------------------


def _locked_award(award: Award) -> tuple[Award, int, int]:
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("application", "application__call")
        .get(pk=award.pk)
    )
    disbursed = Tranche.objects.filter(award=award).aggregate(t=Sum("amount_fen"))["t"] or 0
    spent = SpendingLine.objects.filter(award=award).aggregate(t=Sum("amount_fen"))["t"] or 0
    return award, disbursed, spent


def _past_date(value, field: str, award: Award) -> date:
    day = _date(value, field)
    if day > timezone.localdate():
        raise FundingError({field: _("The date lies in the future.")})
    if day < timezone.localdate(award.awarded_at):
        raise FundingError({field: _("The date lies before the award.")})
    return day


def tranche_disburse(*, actor, award: Award, amount, paid_on, note: str = "") -> Tranche:
    """The owner pays a tranche; the tranches of an award never exceed it."""
    if not can_manage_call(actor, award.application.call):
        raise PermissionDenied(_("You may not disburse money of this call."))
    amount_fen = money_of(amount, "amount")
    day = _past_date(paid_on, "paid_on", award)
    note = _text(note, "note", required=False, limit=200)
    with transaction.atomic():
        award, disbursed, _spent = _locked_award(award)
        if ledger.tranche_refusal(award_fen=award.amount_fen, disbursed_fen=disbursed, amount_fen=amount_fen):
            raise FundingError(
                {
                    "amount": _("Only %(left)s yuan of the award of %(award)s yuan is left to disburse.")
                    % {"left": format_yuan(award.amount_fen - disbursed), "award": format_yuan(award.amount_fen)}
                }
            )
        tranche = Tranche.objects.create(
            award=award, amount_fen=amount_fen, paid_on=day, note=note, created_by=actor, created_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="funding.tranche_disbursed",
            target=tranche,
            summary={"award": award.pk, "amount_fen": amount_fen, "paid_on": day.isoformat(), "note": note},
        )
    return tranche


def spending_record(*, actor, award: Award, amount, spent_on, purpose: str, evidence=None) -> SpendingLine:
    """The awardee records what it spent; the spending of an award never exceeds it."""
    if not can_report_for(actor, award.application):
        raise PermissionDenied(_("Only the awarded organisation records its spending."))
    amount_fen = money_of(amount, "amount")
    day = _past_date(spent_on, "spent_on", award)
    purpose = _text(purpose, "purpose", limit=200)
    with transaction.atomic():
        award, _disbursed, spent = _locked_award(award)
        if ledger.spending_refusal(award_fen=award.amount_fen, spent_fen=spent, amount_fen=amount_fen):
            raise FundingError(
                {
                    "amount": _("The spending would exceed the award: %(left)s yuan of %(award)s yuan are left.")
                    % {"left": format_yuan(award.amount_fen - spent), "award": format_yuan(award.amount_fen)}
                }
            )
        line = SpendingLine(
            award=award,
            amount_fen=amount_fen,
            spent_on=day,
            purpose=purpose,
            created_by=actor,
            created_at=timezone.now(),
        )
        if evidence:
            line.evidence.save(evidence.name, evidence, save=False)
        line.save()
        audit_record(
            actor=actor,
            action="funding.spending_recorded",
            target=line,
            summary={
                "award": award.pk,
                "amount_fen": amount_fen,
                "spent_on": day.isoformat(),
                "purpose": purpose,
                "evidence": line.evidence.name or "",
            },
        )
    return line


# --- delivery -----------------------------------------------------------------------------------------------------


def deliverable_report(*, actor, deliverable: Deliverable, delivered_quantity, note: str = "") -> Deliverable:
    application = Application.objects.get(pk=deliverable.application_id)  # its state as stored, not as cached
    if not can_report_for(actor, application):
        raise PermissionDenied(_("Only the awarded organisation reports its deliveries."))
    if application.state != ApplicationState.AWARDED:
        raise FundingError({"deliverable": _("Only an awarded project reports deliveries.")})
    quantity = _whole(delivered_quantity, "delivered_quantity", minimum=1, maximum=deliverable.quantity)
    note = _text(note, "note", required=False)
    with transaction.atomic():
        deliverable = Deliverable.objects.select_for_update(of=("self",)).get(pk=deliverable.pk)
        if deliverable.state == DeliverableState.CONFIRMED:
            raise FundingError({"deliverable": _("This deliverable is already confirmed.")})
        before = deliverable.state
        deliverable.state = DeliverableState.REPORTED
        deliverable.delivered_quantity = quantity
        deliverable.report_note = note
        deliverable.reported_by = actor
        deliverable.reported_at = timezone.now()
        deliverable.save()
        audit_record(
            actor=actor,
            action="funding.deliverable_reported",
            target=deliverable,
            summary={"before": before, "delivered_quantity": quantity, "quantity": deliverable.quantity, "note": note},
        )
    return deliverable


def deliverable_confirm(*, actor, deliverable: Deliverable) -> Deliverable:
    """The requester of the demand confirms a reported delivery (never the awardee). When every deliverable
    funded for the demand is confirmed in full, the demand is closed."""
    application = Application.objects.select_related("demand", "call").get(pk=deliverable.application_id)
    if not can_confirm_delivery(actor, application):
        raise PermissionDenied(_("Only the requester of the demand confirms a delivery."))
    with transaction.atomic():
        deliverable = Deliverable.objects.select_for_update(of=("self",)).get(pk=deliverable.pk)
        if deliverable.state != DeliverableState.REPORTED:
            raise FundingError({"deliverable": _("Only a delivery reported by the organisation can be confirmed.")})
        if deliverable.delivered_quantity < deliverable.quantity:
            raise FundingError(
                {
                    "deliverable": _("Only %(done)s of %(total)s were reported delivered.")
                    % {"done": deliverable.delivered_quantity, "total": deliverable.quantity}
                }
            )
        deliverable.state = DeliverableState.CONFIRMED
        deliverable.confirmed_by = actor
        deliverable.confirmed_at = timezone.now()
        deliverable.save()
        audit_record(
            actor=actor,
            action="funding.deliverable_confirmed",
            target=deliverable,
            summary={"application": application.pk, "demand": application.demand_id},
        )
        demand_close_funded(actor=actor, demand_id=application.demand_id)
    return deliverable


def demand_close_funded(*, actor, demand_id: int) -> bool:
    """Close the demand when every deliverable of every awarded project for it is confirmed (returns whether it
    closed), through the resource context's ``demand_close_met``."""
    funded = Deliverable.objects.filter(application__demand_id=demand_id, application__state=ApplicationState.AWARDED)
    if not funded.exists() or funded.exclude(state=DeliverableState.CONFIRMED).exists():
        return False
    applications = sorted(set(funded.values_list("application_id", flat=True)))
    closed = demand_close_met(actor=actor, demand_id=demand_id, summary={"by": "funding", "applications": applications})
    return closed is not None
