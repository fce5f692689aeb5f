"""Writing audit events. Call ``audit_record`` inside the transaction of the change it records."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fuhe.audit.core.chain import GENESIS, Breach, ChainedEvent, canonical, hash_with_tail, payload_tail, verify_chain
from fuhe.audit.models import AuditChainHead, AuditEvent
from fuhe.db import Prepared, prepare


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


@dataclass(frozen=True, slots=True)
class PendingAuditEvent:
    """An audit event with everything but its place in the chain, prepared before the transaction takes the
    chain's head (``audit_prepare``); ``audit_append`` adds it inside the transaction."""

    row: Prepared  # the AuditEvent's INSERT; seq, prev_hash and hash are set on append
    tail: str | None  # the canonical JSON the hash covers, without the sequence number; None until the target's
    # key is known (given to ``audit_append``)


def audit_prepare(*, actor, action: str, target, summary: dict | None = None, at=None) -> PendingAuditEvent:
    """The event of ``actor`` doing ``action`` on ``target`` (a model instance, or an ObjectRef whose object id
    may be left empty until ``audit_append`` is given it) at ``at`` (now by default), ready to append."""
    ref = target if isinstance(target, ObjectRef) else ObjectRef.of(target)
    actor_id, actor_label = _actor_fields(actor)
    at = at or timezone.now()
    summary = json.loads(canonical(summary or {}))  # exactly what the JSON column will give back
    tail = None
    if ref.object_id:
        tail = payload_tail(
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=ref.object_type,
            object_id=ref.object_id,
            summary=summary,
        )
    event = AuditEvent(
        seq=0,
        at=at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=ref.object_type,
        object_id=ref.object_id,
        summary=summary,
        prev_hash="",
        hash="",
    )
    return PendingAuditEvent(prepare(event), tail)


def audit_append(pending: PendingAuditEvent, cursor=None, *, object_id=None) -> AuditEvent:
    """Append a prepared event to the chain, inside the transaction of the change it records (the chain head row
    is locked until that transaction ends). ``cursor``: a cursor of the transaction's connection to reuse;
    ``object_id``: the target's key when it was inserted after the event was prepared."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("an audit event must be written inside the transaction of the change it records")
    if cursor is None:
        with connection.cursor() as cursor:
            return audit_append(pending, cursor, object_id=object_id)
    row = pending.row
    tail = pending.tail
    if object_id is not None:
        row.set("object_id", str(object_id))
    if object_id is not None or tail is None:
        event = row.instance
        tail = payload_tail(
            at=event.at,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            summary=event.summary,
        )
    head_seq, head_hash = _chain_head_locked(cursor)
    seq = head_seq + 1
    digest = hash_with_tail(prev_hash=head_hash, seq=seq, tail=tail)
    row.set("seq", seq)
    row.set("prev_hash", head_hash)
    row.set("hash", digest)
    row.execute(cursor)
    cursor.execute(f"UPDATE {_HEAD_TABLE} SET seq = %s, hash = %s WHERE id = 1", [seq, digest])  # noqa: S608
    return row.instance


def audit_record(*, actor, action: str, target, summary: dict | None = None) -> AuditEvent:
    """Append one event to the chain. ``target`` is a model instance or an ObjectRef.

    Must run inside the caller's transaction (``transaction.atomic``) so the event and the change it
    records commit or roll back together; the chain head row is locked for the append.
    """
    return audit_append(audit_prepare(actor=actor, action=action, target=target, summary=summary))


_HEAD_TABLE = AuditChainHead._meta.db_table


def _chain_head_locked(cursor) -> tuple[int, str]:
    """(seq, hash) of the chain head, its row locked until the transaction ends; created on the first event.

    Plain SQL: this runs on every audited write, and the ORM's query building cost more than the query."""
    lock = " FOR UPDATE" if cursor.db.features.has_select_for_update else ""
    cursor.execute(f"SELECT seq, hash FROM {_HEAD_TABLE} WHERE id = 1{lock}")  # noqa: S608
    row = cursor.fetchone()
    if row is None:
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(id=1, defaults={"hash": GENESIS})
        return head.seq, head.hash
    return row[0], row[1]


def audit_head() -> tuple[int, str]:
    """The chain's head (events, hash of the last): record it outside the database to detect a rewrite later."""
    head = AuditChainHead.objects.filter(id=1).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


def audit_verify(batch_size: int = 5000, *, expect_head: tuple[int, str] | None = None) -> tuple[int, list[Breach]]:
    """Walk the whole chain; returns (events checked, breaches). ``expect_head``: a head recorded earlier."""
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    count = 0

    def events():
        nonlocal count
        for row in (
            AuditEvent.objects.order_by("seq")
            .values_list(
                "seq",
                "at",
                "actor_id",
                "actor_label",
                "action",
                "object_type",
                "object_id",
                "summary",
                "prev_hash",
                "hash",
            )
            .iterator(chunk_size=batch_size)
        ):
            count += 1
            yield ChainedEvent(*row)

    breaches = verify_chain(events(), head_seq=head_seq, head_hash=head_hash, anchor=expect_head)
    return count, breaches
