"""Writing audit events. Call ``audit_record`` inside the transaction of the change it records.

Events are signed with the chain's key (HMAC-SHA256, ``fuhe.audit.core.keyring``); ``audit_key_rotate`` hands the
chain to a new key, ``audit_chain_report`` verifies it (ADR 0003)."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fuhe.audit.core.chain import (
    GENESIS,
    KEY_ROTATED,
    Breach,
    ChainedEvent,
    ChainReport,
    canonical,
    hash_with_tail,
    key_fingerprint,
    payload_tail,
    rotation_seal,
    walk_chain,
)
from fuhe.audit.core.keyring import KEY_BYTES, Keyring, key_create, key_promote, key_stage, keyring_load
from fuhe.audit.models import AuditChainHead, AuditEvent
from fuhe.db import Prepared, prepare

logger = logging.getLogger(__name__)


class AuditKeyError(RuntimeError):
    """The chain's keys are not where they must be (the message says which key and where)."""


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
    is locked until that transaction ends), signed with the chain's key. ``cursor``: a cursor of the
    transaction's connection to reuse; ``object_id``: the target's key when it was inserted after the event was
    prepared."""
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
        tail = _tail_of(row.instance)
    head_seq, head_hash, head_key_id = _chain_head_locked(cursor)
    key_id, key = audit_signing_key(head_key_id)
    return _append_locked(cursor, row, tail, head_seq=head_seq, head_hash=head_hash, key_id=key_id, key=key)


def _tail_of(event: AuditEvent) -> str:
    return payload_tail(
        at=event.at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        summary=event.summary,
    )


def _append_locked(cursor, row: Prepared, tail: str, *, head_seq: int, head_hash: str, key_id: str, key: bytes):
    seq = head_seq + 1
    digest = hash_with_tail(prev_hash=head_hash, seq=seq, tail=tail, key=key, key_id=key_id)
    row.set("seq", seq)
    row.set("prev_hash", head_hash)
    row.set("hash", digest)
    row.set("key_id", key_id)
    row.execute(cursor)
    cursor.execute(
        f"UPDATE {_HEAD_TABLE} SET seq = %s, hash = %s, key_id = %s WHERE id = 1",  # noqa: S608
        [seq, digest, key_id],
    )
    return row.instance


def audit_record(*, actor, action: str, target, summary: dict | None = None) -> AuditEvent:
    """Append one event to the chain. ``target`` is a model instance or an ObjectRef.

    Must run inside the caller's transaction (``transaction.atomic``) so the event and the change it
    records commit or roll back together; the chain head row is locked for the append.
    """
    return audit_append(audit_prepare(actor=actor, action=action, target=target, summary=summary))


def audit_snapshot(instance, fields, *, masks=None) -> dict:
    """The values of ``fields`` of a model instance as an audit summary holds them: a foreign key as its id, a
    many-to-many field as the sorted ids, personal data through its ``masks`` function (field → mask), the rest as
    JSON gives it back. An empty dict for ``None`` (nothing before a creation)."""
    if instance is None:
        return {}
    masks = masks or {}
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            value = sorted(getattr(instance, name).values_list("pk", flat=True)) if instance.pk else []
        else:
            value = getattr(instance, field.attname)
            if isinstance(value, Decimal) and getattr(field, "decimal_places", None) is not None:
                value = value.quantize(Decimal(1).scaleb(-field.decimal_places))  # 40 and 40.0 are one value
        values[name] = masks[name](value) if name in masks else value
    return json.loads(canonical(values))


def audit_changes(before: dict, after: dict) -> dict:
    """The summary of a change: the fields that differ, before and after (all of ``after`` for a creation)."""
    if not before:
        return {"after": after}
    changed = [name for name in after if before.get(name) != after[name]]
    return {"before": {name: before.get(name) for name in changed}, "after": {name: after[name] for name in changed}}


_HEAD_TABLE = AuditChainHead._meta.db_table


def _chain_head_locked(cursor) -> tuple[int, str, str]:
    """(seq, hash, key id) of the chain head, its row locked until the transaction ends; created on the first event.

    Plain SQL: this runs on every audited write, and the ORM's query building cost more than the query."""
    lock = " FOR UPDATE" if cursor.db.features.has_select_for_update else ""
    cursor.execute(f"SELECT seq, hash, key_id FROM {_HEAD_TABLE} WHERE id = 1{lock}")  # noqa: S608
    row = cursor.fetchone()
    if row is None:
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(id=1, defaults={"hash": GENESIS})
        return head.seq, head.hash, head.key_id
    return row[0], row[1], row[2]


# --- keys ---------------------------------------------------------------------------------------------------------
# The keyring is read from its files once per process; the chain head names the key of the last event, so when
# another process rotated the key, the next append here sees a key id it does not hold yet and reads the files again.

_signing: tuple[Path, str, bytes] | None = None  # (key file, key id, key) of the last append


def audit_signing_key(head_key_id: str) -> tuple[str, bytes]:
    """The key to sign the next event with: the one the chain head names (the last event's); the current key
    file's when the chain has none yet (created on first use)."""
    global _signing
    path = settings.FUHE_AUDIT_KEY_FILE
    cached = _signing
    if cached is not None and cached[0] == path and cached[1] == head_key_id:
        return cached[1], cached[2]
    ring = keyring_load(Path(path))
    key = ring.key(head_key_id) if head_key_id else None
    if key is None:
        if head_key_id:
            logger.error(
                "audit chain head names key %s, which is not in the keyring at %s: signing with the current key "
                "('fuhe audit verify' will report the change); restore the key file",
                head_key_id,
                path,
            )
        if not ring.current_id:
            ring = key_create(Path(path))
            logger.warning("audit chain: created the key %s in %s (back it up)", ring.current_id, path)
        head_key_id, key = ring.current_id, ring.keys[ring.current_id]
    _signing = (path, head_key_id, key)
    return head_key_id, key


def audit_keyring() -> Keyring:
    """The keys the chain can be verified with (read from their files, none created)."""
    return keyring_load(Path(settings.FUHE_AUDIT_KEY_FILE))


def audit_key_rotate(*, actor) -> tuple[str, str]:
    """Sign the chain with a new key from now on: (old key id, new key id).

    The new key is put in the keyring first; then, in one transaction, an ``audit.key_rotated`` event naming both
    keys is appended, sealed with the old key and signed with the new one (the chain head then names the new key,
    which every process picks up at its next append); after the commit the new key becomes the current key file
    and the old one stays in the keyring as ``audit.key.<old id>``."""
    global _signing
    path = Path(settings.FUHE_AUDIT_KEY_FILE)
    new_key = secrets.token_bytes(KEY_BYTES)
    new_key_id = key_fingerprint(new_key)
    staged = key_stage(path, new_key)
    try:
        with transaction.atomic(), transaction.get_connection().cursor() as cursor:
            head_seq, head_hash, old_key_id = _chain_head_locked(cursor)
            old_key = keyring_load(path).key(old_key_id) if old_key_id else None
            if old_key_id and old_key is None:
                raise AuditKeyError(
                    f"the chain is signed with key {old_key_id}, which is not in the keyring at {path}: "
                    "restore that key file before rotating"
                )
            seal = ""
            if old_key is not None:
                seal = rotation_seal(old_key, prev_hash=head_hash, seq=head_seq + 1, new_key_id=new_key_id)
            pending = audit_prepare(
                actor=actor,
                action=KEY_ROTATED,
                target=ObjectRef("audit.key", new_key_id),
                summary={"old_key_id": old_key_id, "new_key_id": new_key_id, "old_key_seal": seal},
            )
            _append_locked(
                cursor,
                pending.row,
                pending.tail or _tail_of(pending.row.instance),
                head_seq=head_seq,
                head_hash=head_hash,
                key_id=new_key_id,
                key=new_key,
            )
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    key_promote(path, staged)
    _signing = None
    return old_key_id, new_key_id


def audit_head() -> tuple[int, str]:
    """The chain's head (events, hash of the last): record it outside the database to detect a rewrite later."""
    head = AuditChainHead.objects.filter(id=1).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


def audit_verify(batch_size: int = 5000, *, expect_head: tuple[int, str] | None = None) -> tuple[int, list[Breach]]:
    """Walk the whole chain; returns (events checked, breaches). ``expect_head``: a head recorded earlier."""
    report = audit_chain_report(batch_size, expect_head=expect_head)
    return report.checked, report.breaches


def audit_chain_report(batch_size: int = 5000, *, expect_head: tuple[int, str] | None = None) -> ChainReport:
    """Walk the whole chain with the keyring: the breaches, and which key signed which events."""
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq, head_hash, head_key_id = (head.seq, head.hash, head.key_id) if head else (0, GENESIS, "")
    rows = (
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
            "key_id",
        )
        .iterator(chunk_size=batch_size)
    )
    return walk_chain(
        (ChainedEvent(*row) for row in rows),
        head_seq=head_seq,
        head_hash=head_hash,
        anchor=expect_head,
        keys=audit_keyring().keys,
        head_key_id=head_key_id,
    )
