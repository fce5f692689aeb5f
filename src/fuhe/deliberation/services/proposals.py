"""Residents' proposals: eligibility (verified residence), comments, the feasibility note, votes, the threshold
that makes one agenda item, a published rejection."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.accounts.models import User
from fuhe.audit.services import audit_record
from fuhe.deliberation.models import (
    AgendaItem,
    Body,
    Comment,
    Proposal,
    ResidentVerification,
    Vote,
)
from fuhe.deliberation.rules import can_assist, can_manage, is_eligible_voter, lives_in
from fuhe.deliberation.services.common import (
    _community,
    _count,
    _raise,
    _require_manager,
    _text,
)
from fuhe.org.models import Region

# --- eligibility and proposals ------------------------------------------------------------------------------


@transaction.atomic
def resident_verify(*, actor, person: User, region: Region) -> ResidentVerification:
    """A staff member confirms that the person lives in the community or village (checked against the household
    register or in person): the person may then vote on its proposals."""
    region = _community(region)
    _require_manager(actor, region)
    if not lives_in(person, region):
        _raise("person", _("This person holds no resident role in this community or village."))
    verification, created = ResidentVerification.objects.get_or_create(
        user=person, region=region, defaults={"verified_by": actor, "verified_at": timezone.now()}
    )
    if not created:
        _raise("person", _("This resident is already verified."))
    audit_record(actor=actor, action="deliberation.resident_verify", target=verification, summary={"person": person.pk})
    return verification


def default_threshold() -> int:
    return int(getattr(settings, "FUHE_DELIBERATION_SUPPORT_THRESHOLD", 10))


@transaction.atomic
def proposal_submit(*, actor, body: Body, title: str, text: str, support_threshold: int | None = None) -> Proposal:
    if not is_eligible_voter(actor, body.region):
        _raise("author", _("Only verified residents of this community or village may make a proposal."))
    threshold = default_threshold() if support_threshold is None else _count(support_threshold, "support_threshold")
    if threshold < 1:
        _raise("support_threshold", _("Enter a number of at least %(min)s.") % {"min": 1})
    proposal = Proposal.objects.create(
        title=_text(title, "title", limit=120),
        text=_text(text, "text", limit=4000),
        body=body,
        region=body.region,
        author=actor,
        created_at=timezone.now(),
        support_threshold=threshold,
    )
    audit_record(actor=actor, action="deliberation.proposal_submit", target=proposal, summary={"body": body.pk})
    return proposal


@transaction.atomic
def proposal_comment(*, actor, proposal: Proposal, text: str) -> Comment:
    if not (lives_in(actor, proposal.region) or can_manage(actor, proposal.region)):
        _raise("text", _("Only residents of this community and its staff may comment here."))
    if proposal.status in (Proposal.Status.REJECTED, Proposal.Status.ON_AGENDA):
        _raise("text", _("This proposal is closed for comments."))
    comment = Comment.objects.create(
        proposal=proposal, author=actor, text=_text(text, "text", limit=2000), created_at=timezone.now()
    )
    audit_record(actor=actor, action="deliberation.proposal_comment", target=comment, summary={"proposal": proposal.pk})
    return comment


@transaction.atomic
def proposal_feasibility(*, actor, proposal: Proposal, note: str) -> Proposal:
    """Staff publish the feasibility note (可行性: cost, law, who would do it); only then is the vote open."""
    _require_manager(actor, proposal.region, "proposal")
    proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    if proposal.status != Proposal.Status.OPEN:
        _raise("proposal", _("The feasibility note is written before the vote opens."))
    proposal.feasibility_note = _text(note, "feasibility_note", limit=4000)
    proposal.feasibility_by = actor
    proposal.feasibility_at = timezone.now()
    proposal.status = Proposal.Status.VOTING
    proposal.save(update_fields=["feasibility_note", "feasibility_by", "feasibility_at", "status"])
    audit_record(actor=actor, action="deliberation.proposal_feasibility", target=proposal, summary={})
    return proposal


def agenda_days() -> int:
    return int(getattr(settings, "FUHE_DELIBERATION_AGENDA_DAYS", 30))


def _agenda_item_for(proposal: Proposal) -> AgendaItem:
    """The one agenda item of a proposal past its threshold; a concurrent second vote finds the first's item (the
    unique constraint on ``AgendaItem.proposal`` decides)."""
    existing = AgendaItem.objects.filter(proposal=proposal).first()
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            item = AgendaItem.objects.create(
                body=proposal.body,
                proposal=proposal,
                title=proposal.title,
                created_at=now,
                due_at=now + timedelta(days=agenda_days()),
            )
    except IntegrityError:
        return AgendaItem.objects.get(proposal=proposal)
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.ON_AGENDA)
    audit_record(actor=None, action="deliberation.proposal_on_agenda", target=item, summary={"proposal": proposal.pk})
    return item


@transaction.atomic
def proposal_vote(*, actor, proposal: Proposal, voter: User | None = None) -> Vote:
    """Support a proposal (a verified resident, or a grid worker recording an elder's support on their behalf).
    When the support reaches the threshold the proposal becomes exactly one agenda item of its body, with a clock."""
    assistant = None
    if voter is not None and voter.pk != actor.pk:
        if not can_assist(actor, proposal.region, voter):
            _raise("voter", _("Only the community's staff or grid workers may record support for someone else."))
        assistant = actor
    else:
        voter = actor
    if not is_eligible_voter(voter, proposal.region):
        _raise("voter", _("Only verified residents of this community or village may vote here."))
    proposal = Proposal.objects.get(pk=proposal.pk)
    if proposal.status == Proposal.Status.OPEN:
        _raise("proposal", _("Voting opens after the feasibility note is published."))
    if proposal.status == Proposal.Status.REJECTED:
        _raise("proposal", _("This proposal was rejected."))
    try:
        with transaction.atomic():
            vote = Vote.objects.create(proposal=proposal, voter=voter, assistant=assistant, created_at=timezone.now())
    except IntegrityError:
        _raise("voter", _("This resident has already supported this proposal."))
    audit_record(
        actor=actor,
        action="deliberation.proposal_vote",
        target=vote,
        summary={"proposal": proposal.pk, "assisted": assistant is not None},
    )
    if proposal.votes.count() >= proposal.support_threshold:
        _agenda_item_for(proposal)
    return vote


@transaction.atomic
def proposal_reject(*, actor, proposal: Proposal, reason: str) -> Proposal:
    """Reject a proposal with a reason that is published with it."""
    _require_manager(actor, proposal.region, "proposal")
    proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    if proposal.status in (Proposal.Status.REJECTED, Proposal.Status.ON_AGENDA):
        _raise("proposal", _("Only an open proposal can be rejected."))
    proposal.rejection_reason = _text(reason, "rejection_reason", limit=2000)
    proposal.rejected_at = timezone.now()
    proposal.status = Proposal.Status.REJECTED
    proposal.save(update_fields=["rejection_reason", "rejected_at", "status"])
    audit_record(actor=actor, action="deliberation.proposal_reject", target=proposal, summary={})
    return proposal
