"""Writing audit events. Call ``audit_record`` inside the transaction of the change it records."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fuhe.audit.core.chain import GENESIS, Breach, ChainedEvent, canonical, event_hash, verify_chain
from fuhe.audit.models import AuditChainHead, AuditEvent
from fuhe.db import insert


@dataclass(frozen=True)
class ObjectRef:
    object_type: str
    object_id: str

    @classmethod
    def of(cls, obj) -> ObjectRef:
        return cls(obj._meta.label_lower, str(obj.pk))


def _actor_fields(actor) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "system" if actor is None else "anonymous"
    return actor.pk, actor.get_username()


def audit_record(*, actor, action: str, target, summary: dict | None = None) -> AuditEvent:
    """Append one event to the chain. ``target`` is a model instance or an ObjectRef.

    Must run inside the caller's transaction (``transaction.atomic``) so the event and the change it
    records commit or roll back together; the chain head row is locked for the append.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the change it records")
    ref = target if isinstance(target, ObjectRef) else ObjectRef.of(target)
    head_seq, head_hash = _chain_head_locked()
    actor_id, actor_label = _actor_fields(actor)
    at = timezone.now()
    seq = head_seq + 1
    summary = json.loads(canonical(summary or {}))  # exactly what the JSON column will give back
    digest = event_hash(prev_hash=head_hash, seq=seq, at=at, actor_id=actor_id, actor_label=actor_label,
                        action=action, object_type=ref.object_type, object_id=ref.object_id, summary=summary)
    event = AuditEvent(seq=seq, at=at, actor_id=actor_id, actor_label=actor_label, action=action,
                       object_type=ref.object_type, object_id=ref.object_id, summary=summary,
                       prev_hash=head_hash, hash=digest)
    insert(event)  # AuditEvent.save() only guards updates; this skips the ORM's per-call query compilation
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(f"UPDATE {_HEAD_TABLE} SET seq = %s, hash = %s WHERE id = 1", [seq, digest])  # noqa: S608
    return event


_HEAD_TABLE = AuditChainHead._meta.db_table


def _chain_head_locked() -> tuple[int, str]:
    """(seq, hash) of the chain head, its row locked until the transaction ends; created on the first event.

    Plain SQL: this runs on every audited write, and the ORM's query building cost more than the query."""
    connection = transaction.get_connection()
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {_HEAD_TABLE} WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(id=1, defaults={"hash": GENESIS})
        return head.seq, head.hash
    return row[0], row[1]


def audit_verify(batch_size: int = 5000) -> tuple[int, list[Breach]]:
    """Walk the whole chain; returns (events checked, breaches)."""
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    count = 0

    def events():
        nonlocal count
        for row in AuditEvent.objects.order_by("seq").values_list(
            "seq", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "summary",
            "prev_hash", "hash",
        ).iterator(chunk_size=batch_size):
            count += 1
            yield ChainedEvent(*row)

    breaches = verify_chain(events(), head_seq=head_seq, head_hash=head_hash)
    return count, breaches
