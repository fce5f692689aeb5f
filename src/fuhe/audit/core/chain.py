"""Hash chaining of audit events: each event's hash covers its content and the previous hash.

Framework-free: the service hands in plain values, ``verify_chain`` walks any iterable of events.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64


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
) -> str:
    """SHA-256 of the previous hash and the canonical JSON of ``[seq, at, actor_id, actor_label, action,
    object_type, object_id, summary]``."""
    tail = payload_tail(
        at=at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
    )
    return hash_with_tail(prev_hash=prev_hash, seq=seq, tail=tail)


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


def hash_with_tail(*, prev_hash: str, seq: int, tail: str) -> str:
    """``event_hash`` from ``payload_tail``: the canonical JSON of ``[seq, *rest]`` is ``[<seq>,`` + the rest's."""
    return hashlib.sha256(f"{prev_hash}|[{int(seq)},{tail[1:]}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Breach:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.reason}"


def verify_chain(
    events: Iterable[ChainedEvent], *, head_seq: int, head_hash: str, anchor: tuple[int, str] | None = None
) -> list[Breach]:
    """Every way the stored events differ from an untouched chain, in order; empty when intact.

    A chain alone cannot show that someone with the database rewrote it consistently: cut its tail and moved the
    head back, or edited an event and recomputed every later hash. ``anchor`` is a head recorded earlier outside
    the database (``fuhe audit verify`` prints it): its event must still exist with the same hash."""
    breaches: list[Breach] = []
    expected_seq, prev_hash = 1, GENESIS
    anchored_hash = None
    for event in events:
        if anchor is not None and event.seq == anchor[0]:
            anchored_hash = event.hash
        if event.seq != expected_seq:
            breaches.append(Breach(expected_seq, f"missing (next stored event is {event.seq})"))
        if event.prev_hash != prev_hash:
            breaches.append(Breach(event.seq, "previous-hash link broken"))
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
        )
        if recomputed != event.hash:
            breaches.append(Breach(event.seq, "content does not match its hash (edited)"))
        expected_seq, prev_hash = event.seq + 1, event.hash
    if expected_seq - 1 != head_seq:
        breaches.append(Breach(head_seq, f"chain head says {head_seq} events, {expected_seq - 1} stored (deleted)"))
    elif prev_hash != head_hash:
        breaches.append(Breach(head_seq, "last event does not match the chain head"))
    if anchor is not None:
        seq, recorded = anchor
        if seq > head_seq:
            breaches.append(
                Breach(seq, f"the recorded head is beyond the chain's end at {head_seq} (cut from the end)")
            )
        elif anchored_hash is not None and anchored_hash != recorded:
            breaches.append(Breach(seq, "differs from the recorded head (the chain was rewritten)"))
    return breaches
