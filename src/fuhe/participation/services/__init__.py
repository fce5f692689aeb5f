"""Writes of participation: the points ledger (``ledger``), volunteer certification (``certification``), service
requests and records (``volunteering``). Each write is one atomic action with the acting user as keyword argument
and its audit event in the same transaction."""

from fuhe.participation.services.catalogue import CatalogueError, redemption_item_create
from fuhe.participation.services.certification import (
    CertificationError,
    certification_issue,
    certification_revoke,
)
from fuhe.participation.services.ledger import (
    MAX_POINTS,
    VERIFY_BATCH,
    LedgerError,
    _checkpoints,
    _entry_rows,
    _head_locked,
    _signing_key,
    at_text,
    ledger_checkpoint,
    ledger_verify,
    points_account_open,
    points_earning_post,
    points_redeem,
    points_transaction_reverse,
    points_transfer,
)
from fuhe.participation.services.volunteering import (
    VolunteeringError,
    service_record_correct,
    service_record_create,
    service_record_sign,
    service_request_cancel,
    service_request_create,
    service_request_release,
    service_request_take,
)

__all__ = [
    "MAX_POINTS",
    "VERIFY_BATCH",
    "CatalogueError",
    "CertificationError",
    "LedgerError",
    "VolunteeringError",
    "_checkpoints",
    "_entry_rows",
    "_head_locked",
    "_signing_key",
    "at_text",
    "certification_issue",
    "certification_revoke",
    "ledger_checkpoint",
    "ledger_verify",
    "points_account_open",
    "points_earning_post",
    "points_redeem",
    "points_transaction_reverse",
    "points_transfer",
    "redemption_item_create",
    "service_record_correct",
    "service_record_create",
    "service_record_sign",
    "service_request_cancel",
    "service_request_create",
    "service_request_release",
    "service_request_take",
]
