"""Writes of the deliberation context: one atomic action each, the acting user as keyword argument, the audit row
in the same transaction. Errors name the field and the reason (``DeliberationError``); nothing is written then."""

from fuhe.deliberation.services.common import DeliberationError
from fuhe.deliberation.services.meetings import (
    attendance_record,
    body_create,
    body_member_add,
    body_member_remove,
    meeting_invite,
    meeting_quorum,
    meeting_schedule,
    minutes_save,
    resolution_adopt,
    topic_raise,
    view_record,
)
from fuhe.deliberation.services.proposals import (
    agenda_days,
    default_threshold,
    proposal_comment,
    proposal_feasibility,
    proposal_reject,
    proposal_submit,
    proposal_vote,
    resident_verify,
)
from fuhe.deliberation.services.register import (
    RegisterImportError,
    RegisterImportResult,
    household_register_import,
)
from fuhe.deliberation.services.village import village_matter_create, village_step_record
from fuhe.deliberation.services.work import resolution_item_bind, resolution_items_sweep

__all__ = [
    "DeliberationError",
    "RegisterImportError",
    "RegisterImportResult",
    "agenda_days",
    "attendance_record",
    "body_create",
    "body_member_add",
    "body_member_remove",
    "default_threshold",
    "household_register_import",
    "meeting_invite",
    "meeting_quorum",
    "meeting_schedule",
    "minutes_save",
    "proposal_comment",
    "proposal_feasibility",
    "proposal_reject",
    "proposal_submit",
    "proposal_vote",
    "resident_verify",
    "resolution_adopt",
    "resolution_item_bind",
    "resolution_items_sweep",
    "topic_raise",
    "view_record",
    "village_matter_create",
    "village_step_record",
]
