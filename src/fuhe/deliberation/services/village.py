"""四议两公开: a village matter recorded step by step through ``core/procedure.py``."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.audit.services import audit_record
from fuhe.deliberation.core import procedure
from fuhe.deliberation.models import (
    VillageMatter,
    VillageStep,
)
from fuhe.deliberation.services.common import (
    _community,
    _count,
    _raise,
    _require_manager,
    _text,
)
from fuhe.org.models import Region, RegionKind

# --- 四议两公开 ----------------------------------------------------------------------------------------------


@transaction.atomic
def village_matter_create(*, actor, title: str, region: Region | None, description: str = "") -> VillageMatter:
    region = _community(region)
    _require_manager(actor, region)
    if region.kind == RegionKind.URBAN:
        _raise("region", _("四议两公开 is the procedure of a village; choose a village."))
    matter = VillageMatter.objects.create(
        title=_text(title, "title", limit=120),
        description=_text(description, "description", limit=4000, required=False),
        region=region,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit_record(actor=actor, action="deliberation.village_matter_create", target=matter, summary={})
    return matter


@transaction.atomic
def village_step_record(
    *,
    actor,
    matter: VillageMatter,
    step: str,
    held_on: date | None,
    participants: str,
    participant_count,
    content: str,
    is_rejection: bool = False,
) -> VillageStep:
    """Record the next step of 四议两公开 with its date and participants; a skipped, repeated or reordered step is
    refused and nothing is written (``core/procedure.py``)."""
    _require_manager(actor, matter.region)
    matter = VillageMatter.objects.select_for_update(of=("self",)).get(pk=matter.pk)
    try:
        state = procedure.apply(matter.state, step, rejected=is_rejection)
    except procedure.StepOutOfOrderError as error:
        if error.expected is None:
            _raise("step", _("This matter's procedure is finished; no step can follow."))
        _raise(
            "step",
            _("Steps cannot be skipped or reordered: the next step is “%(expected)s”.")
            % {"expected": procedure.Step(error.expected).zh},
        )
    except ValueError:
        _raise("step", _("Choose a step of the procedure."))
    if not isinstance(held_on, date):
        _raise("held_on", _("Give the date of this step."))
    if held_on > timezone.localdate():
        _raise("held_on", _("A step is recorded after it took place, not before."))
    last = matter.steps.order_by("-pk").first()
    if last and held_on < last.held_on:
        _raise("held_on", _("This step cannot be dated before the previous one."))
    count = _count(participant_count, "participant_count")
    if count == 0:
        _raise("participant_count", _("Enter a number of at least %(min)s.") % {"min": 1})
    row = VillageStep.objects.create(
        matter=matter,
        step=step,
        held_on=held_on,
        participants=_text(participants, "participants", limit=4000),
        participant_count=count,
        content=_text(content, "content", limit=8000),
        is_rejection=is_rejection,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    matter.state = state
    matter.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="deliberation.village_step",
        target=matter,
        summary={"step": step, "held_on": str(held_on), "rejected": is_rejection, "state": state},
    )
    return row
