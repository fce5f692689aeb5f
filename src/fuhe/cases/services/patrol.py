"""Patrol (巡查): what a grid worker finds on their round, recorded in a few taps.

Two outcomes. Fixed on the spot (就地解决): ``case_resolve_on_spot`` receives the finding and closes it in one
transaction through the lifecycle's one writer (``resolve_on_spot``), with its event and audit row; it never enters
the street's dispatch queue and is never counted as a resident's rating (it has none: the three rates leave cases
that were never dispatched out). A share of these closures (``FUHE_SPOT_CHECK_SHARE``) is drawn at random for the
street's spot check (``case_spot_check``): someone other than the worker confirms the fix or sends the case into the
normal loop. Needs reporting (需上报): ``case_report_from_patrol`` receives it like any case: the normal loop.

A photo is optional, never required: no work standard asks one for these findings.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.cases.core.lifecycle import Action
from fuhe.cases.models import Case, Category, Channel
from fuhe.cases.rules import may_resolve_on_spot, may_spot_check
from fuhe.cases.services.intake import case_create
from fuhe.cases.services.lifecycle import case_transition
from fuhe.cases.services.photos import photos_attach
from fuhe.org.models import Region

NOTE_MAX_LENGTH = 200


@dataclass(frozen=True)
class PatrolFinding:
    """What the patrol page sends, checked: where (a grid or community in the worker's reach), what, a note."""

    region: Region
    category: Category | None
    note: str
    photos: list  # (file, content type) pairs checked by ``photos_validate``
    submission_id: str


def patrol_finding_check(
    *, region: Region, category_id: str | int | None, note: str, photos: list, submission_id: str
) -> PatrolFinding:
    """The finding, or ``ValidationError`` naming the field: a category or a note is needed to say what was found."""
    note = " ".join((note or "").split())
    errors: dict[str, str] = {}
    category = None
    if category_id not in (None, ""):
        category = Category.objects.filter(pk=category_id if str(category_id).isdigit() else 0, is_active=True).first()
        if category is None:
            errors["category"] = _("this category does not exist (any more); choose another")
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("at most %(count)d characters") % {"count": NOTE_MAX_LENGTH}
    if category is None and not note and "category" not in errors:
        errors["category"] = _("choose what you found, or write a short note")
    if not submission_id or len(submission_id) > 64:
        errors["submission_id"] = _("the form is out of date: open the patrol page again")
    if errors:
        raise ValidationError(errors)
    return PatrolFinding(region, category, note, photos, submission_id)


def _case_text(finding: PatrolFinding, *, fixed: bool) -> tuple[str, str]:
    """The case's title and text, in the platform's working language (the case record, not the interface)."""
    title = (finding.category.name if finding.category else finding.note)[:40]
    text = "网格员巡查发现" + (f"：{finding.category}" if finding.category else "")
    text += "（已就地解决）" if fixed else ""
    return title, text + (f"。{finding.note}" if finding.note else "。")


def _receive(*, actor, finding: PatrolFinding, fixed: bool):
    title, text = _case_text(finding, fixed=fixed)
    return case_create(
        actor=actor,
        channel=Channel.PATROL,
        text=text,
        title=title,
        region=finding.region,
        category=finding.category,
        is_proactive=True,
        idempotency_key=f"patrol:{actor.pk}:{finding.submission_id}",
    )


def spot_check_drawn(share: float, roll: float) -> bool:
    """Whether a closure whose random ``roll`` (uniform in [0, 1)) falls under ``share`` is drawn for a check."""
    return roll < min(max(share, 0.0), 1.0)


def _roll() -> float:
    return secrets.SystemRandom().random()  # the worker cannot predict which fixes will be checked


def case_report_from_patrol(*, actor, finding: PatrolFinding) -> Case:
    """需上报: the finding enters the normal loop (received, in the street's dispatch queue)."""
    with transaction.atomic():
        intake = _receive(actor=actor, finding=finding, fixed=False)
        if intake.created:
            photos_attach(case=intake.case, checked=finding.photos)
    return intake.case


def case_resolve_on_spot(*, actor, finding: PatrolFinding) -> Case:
    """已就地解决: receive the finding and close it at once, as the grid worker who fixed it; a share of these
    closures is drawn for the street's spot check (recorded on the closing event). A form sent twice closes once."""
    with transaction.atomic():
        intake = _receive(actor=actor, finding=finding, fixed=True)
        case = intake.case
        if not intake.created:  # the same form again (a double tap, a retry): the case it made, as it is now
            return case
        if not may_resolve_on_spot(actor, case):
            raise PermissionDenied(_("Only the grid worker who found the problem on patrol resolves it on the spot."))
        photos_attach(case=case, checked=finding.photos)
        drawn = spot_check_drawn(settings.FUHE_SPOT_CHECK_SHARE, _roll())
        case = case_transition(
            actor=actor,
            case=case,
            action=Action.RESOLVE_ON_SPOT,
            reason=finding.note,
            event_data={"spot_check": drawn, "photos": len(finding.photos)},
            check_permission=False,  # checked above: the lifecycle's role table has no patrol roles
        )
        Case.objects.filter(pk=case.pk).update(closed_at=timezone.now())
        case.refresh_from_db(fields=["closed_at"])
    return case


def case_spot_check(*, actor, case: Case, confirmed: bool, reason: str = "") -> Case:
    """The street's check of an on-spot fix drawn for it: confirmed (the case stays closed), or not (the case is
    received again and enters the dispatch queue: the normal loop). Never by the worker who fixed it."""
    if not may_spot_check(actor, case):
        raise PermissionDenied(_("Only the street's dispatcher, not the worker who fixed it, checks an on-spot fix."))
    if not confirmed and not reason.strip():
        raise ValidationError({"reason": _("say what the check found")})
    with transaction.atomic():
        case = case_transition(
            actor=actor,
            case=case,
            action=Action.SPOT_CHECK_CONFIRM if confirmed else Action.SPOT_CHECK_REOPEN,
            reason=reason,
            check_permission=False,  # checked above
        )
        if not confirmed:
            Case.objects.filter(pk=case.pk).update(closed_at=None)
            case.refresh_from_db(fields=["closed_at"])
    return case
