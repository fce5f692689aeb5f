"""Hash chaining of audit events: each event's hash covers its content and the previous hash, keyed.

An event signed with a key (``key_id`` set) stores the HMAC-SHA256, under that key, of its key id, the previous
hash and its canonical content; someone with the database but without the key can neither edit an event and
recompute the later hashes nor write a chain of their own. Events written before the platform had a key
(``key_id`` empty) keep their plain SHA-256: they are sealed by the first signed event after them, whose HMAC covers
their last hash (ADR 0003). A key is named by its id, a fingerprint that reveals nothing of it; ``audit.key_rotated``
events hand the chain from one key to the next and carry a seal made with the old key.

Framework-free: the service hands in plain values, ``walk_chain`` walks any iterable of events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

GENESIS = "0" * 64
KEY_ID_LENGTH = 16
#: the action of the event that hands the chain to a new key (its summary names both keys, sealed with the old)
KEY_ROTATED = "audit.key_rotated"


@dataclass(frozen=True, slots=True)
class ChainedEvent:
    seq: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    summary: dict
    prev_hash: str
    hash: str
    key_id: str = ""  # the id of the key of the event's HMAC; empty: plain SHA-256 (written before the key)


def key_fingerprint(key: bytes) -> str:
    """The key's id: a short fingerprint, stored with every event it signs (it does not reveal the key)."""
    return hashlib.sha256(b"fuhe-audit-key-id|" + key).hexdigest()[:KEY_ID_LENGTH]


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_hash(
    *,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    summary: dict,
    key: bytes | None = None,
    key_id: str = "",
) -> str:
    """HMAC-SHA256 under ``key`` (plain SHA-256 without one) of the previous hash and the canonical JSON of
    ``[seq, at, actor_id, actor_label, action, object_type, object_id, summary]``, preceded by the key id."""
    tail = payload_tail(
        at=at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
    )
    return hash_with_tail(prev_hash=prev_hash, seq=seq, tail=tail, key=key, key_id=key_id)


def payload_tail(
    *,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    summary: dict,
) -> str:
    """The canonical JSON of the event without its place in the chain (computed before the chain is locked)."""
    return canonical(
        [at.isoformat(timespec="microseconds"), actor_id, actor_label, action, object_type, object_id, summary]
    )


def hash_with_tail(*, prev_hash: str, seq: int, tail: str, key: bytes | None = None, key_id: str = "") -> str:
    """``event_hash`` from ``payload_tail``: the canonical JSON of ``[seq, *rest]`` is ``[<seq>,`` + the rest's.

    Without a key: the SHA-256 of the events written before the platform had one (kept as it was)."""
    if key is None:
        return hashlib.sha256(f"{prev_hash}|[{int(seq)},{tail[1:]}".encode()).hexdigest()
    return hmac.new(key, f"{key_id}|{prev_hash}|[{int(seq)},{tail[1:]}".encode(), hashlib.sha256).hexdigest()


def rotation_seal(old_key: bytes, *, prev_hash: str, seq: int, new_key_id: str) -> str:
    """The old key's signature on the hand-over to ``new_key_id`` at event ``seq`` (after ``prev_hash``)."""
    return hmac.new(old_key, f"{KEY_ROTATED}|{prev_hash}|{int(seq)}|{new_key_id}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Breach:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.reason}"


@dataclass(frozen=True, slots=True)
class KeySpan:
    """The events signed with one key (``key_id`` empty: the plain-SHA-256 events from before the key)."""

    key_id: str
    first_seq: int
    last_seq: int
    count: int

    def __str__(self) -> str:
        name = self.key_id or "unsigned (before the key)"
        return f"{name}: #{self.first_seq}–#{self.last_seq} ({self.count})"


@dataclass
class ChainReport:
    checked: int = 0
    breaches: list[Breach] = field(default_factory=list)
    spans: list[KeySpan] = field(default_factory=list)  # in chain order; a key used again after another: two spans

    @property
    def key_ids(self) -> list[str]:
        return list(dict.fromkeys(span.key_id for span in self.spans if span.key_id))


def verify_chain(
    events: Iterable[ChainedEvent],
    *,
    head_seq: int,
    head_hash: str,
    anchor: tuple[int, str] | None = None,
    keys: Mapping[str, bytes] | None = None,
    head_key_id: str = "",
) -> list[Breach]:
    """Every way the stored events differ from an untouched chain, in order; empty when intact (``walk_chain``)."""
    return walk_chain(
        events, head_seq=head_seq, head_hash=head_hash, anchor=anchor, keys=keys, head_key_id=head_key_id
    ).breaches


def walk_chain(
    events: Iterable[ChainedEvent],
    *,
    head_seq: int,
    head_hash: str,
    anchor: tuple[int, str] | None = None,
    keys: Mapping[str, bytes] | None = None,
    head_key_id: str = "",
) -> ChainReport:
    """Check every event against the chain rules and the keyring ``keys`` (key id → key); the breaches in order.

    The rules: numbers without gaps; each event links to the previous hash; each hash is the event's content under
    the key its key id names (unknown key id: a breach); once an event is signed, every later one is too (an
    unsigned event after a signed one was rewritten without the key); the key changes only at an
    ``audit.key_rotated`` event that names the previous key and the new one and carries the previous key's seal;
    when the keyring holds a key, a non-empty chain has signed events. The chain head must name the last event.

    A chain alone cannot show that its tail was cut and the head moved back to an earlier event. ``anchor`` is a
    head recorded earlier outside the database (``fuhe audit verify`` prints it): its event must still exist with
    the same hash."""
    keys = keys or {}
    report = ChainReport()
    breaches = report.breaches
    expected_seq, prev_hash, prev_key_id = 1, GENESIS, ""
    anchored_hash = None
    for event in events:
        report.checked += 1
        if anchor is not None and event.seq == anchor[0]:
            anchored_hash = event.hash
        if event.seq != expected_seq:
            breaches.append(Breach(expected_seq, f"missing (next stored event is {event.seq})"))
        if event.prev_hash != prev_hash:
            breaches.append(Breach(event.seq, "previous-hash link broken"))
        breaches.extend(_key_breaches(event, prev_key_id, keys))
        key = keys.get(event.key_id) if event.key_id else None
        if key is not None or not event.key_id:
            recomputed = event_hash(
                prev_hash=event.prev_hash,
                seq=event.seq,
                at=event.at,
                actor_id=event.actor_id,
                actor_label=event.actor_label,
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                summary=event.summary,
                key=key,
                key_id=event.key_id,
            )
            if not hmac.compare_digest(recomputed, event.hash):
                breaches.append(Breach(event.seq, "content does not match its hash (edited)"))
        _count(report.spans, event)
        expected_seq, prev_hash = event.seq + 1, event.hash
        prev_key_id = event.key_id or prev_key_id
    if expected_seq - 1 != head_seq:
        breaches.append(Breach(head_seq, f"chain head says {head_seq} events, {expected_seq - 1} stored (deleted)"))
    elif prev_hash != head_hash:
        breaches.append(Breach(head_seq, "last event does not match the chain head"))
    elif report.checked and head_key_id != prev_key_id:
        breaches.append(Breach(head_seq, f"chain head names key {head_key_id!r}, the last event {prev_key_id!r}"))
    if keys and report.checked and not report.key_ids:
        breaches.append(
            Breach(
                head_seq,
                "no event is signed although the keyring holds a key (rewritten without the key, "
                "or a copy from before the key)",
            )
        )
    if anchor is not None:
        seq, recorded = anchor
        if seq > head_seq:
            breaches.append(
                Breach(seq, f"the recorded head is beyond the chain's end at {head_seq} (cut from the end)")
            )
        elif anchored_hash is not None and anchored_hash != recorded:
            breaches.append(Breach(seq, "differs from the recorded head (the chain was rewritten)"))
    return report


def _key_breaches(event: ChainedEvent, prev_key_id: str, keys: Mapping[str, bytes]) -> list[Breach]:
    """What is wrong with the key of ``event`` after events signed with ``prev_key_id`` ("" : none signed)."""
    if not event.key_id:
        return (
            [Breach(event.seq, f"unsigned after events signed with {prev_key_id} (rewritten without the key)")]
            if (prev_key_id)
            else []
        )
    found: list[Breach] = []
    if event.key_id not in keys:
        found.append(Breach(event.seq, f"signed with key {event.key_id}, which is not in the keyring"))
    rotation = event.action == KEY_ROTATED
    if rotation:
        found.extend(_rotation_breaches(event, prev_key_id, keys))
    elif prev_key_id and event.key_id != prev_key_id:
        found.append(Breach(event.seq, f"key changed from {prev_key_id} to {event.key_id} without a rotation event"))
    return found


def _rotation_breaches(event: ChainedEvent, prev_key_id: str, keys: Mapping[str, bytes]) -> list[Breach]:
    summary = event.summary if isinstance(event.summary, dict) else {}
    if summary.get("new_key_id") != event.key_id or summary.get("old_key_id", "") != prev_key_id:
        return [Breach(event.seq, "key rotation does not name the previous key and its own")]
    old_key = keys.get(prev_key_id) if prev_key_id else None
    if old_key is None:
        return []  # the first key (nothing to seal), or an unknown previous key (reported at its events)
    seal = rotation_seal(old_key, prev_hash=event.prev_hash, seq=event.seq, new_key_id=event.key_id)
    if not hmac.compare_digest(seal, str(summary.get("old_key_seal", ""))):
        return [Breach(event.seq, "key rotation is not sealed by the previous key")]
    return []


def _count(spans: list[KeySpan], event: ChainedEvent) -> None:
    last = spans[-1] if spans else None
    if last is not None and last.key_id == event.key_id:
        spans[-1] = KeySpan(last.key_id, last.first_seq, event.seq, last.count + 1)
    else:
        spans.append(KeySpan(event.key_id, event.seq, event.seq, 1))
