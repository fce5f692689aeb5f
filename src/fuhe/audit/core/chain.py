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


def event_hash(*, prev_hash: str, seq: int, at: datetime, actor_id: int | None, actor_label: str, action: str,
               object_type: str, object_id: str, summary: dict) -> str:
    payload = canonical([seq, at.isoformat(timespec="microseconds"), actor_id, actor_label, action,
                         object_type, object_id, summary])
    return hashlib.sha256(f"{prev_hash}|{payload}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Breach:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.reason}"


def verify_chain(events: Iterable[ChainedEvent], *, head_seq: int, head_hash: str) -> list[Breach]:
    """Every way the stored events differ from an untouched chain, in order; empty when intact."""
    breaches: list[Breach] = []
    expected_seq, prev_hash = 1, GENESIS
    for event in events:
        if event.seq != expected_seq:
            breaches.append(Breach(expected_seq, f"missing (next stored event is {event.seq})"))
        if event.prev_hash != prev_hash:
            breaches.append(Breach(event.seq, "previous-hash link broken"))
        recomputed = event_hash(prev_hash=event.prev_hash, seq=event.seq, at=event.at, actor_id=event.actor_id,
                                actor_label=event.actor_label, action=event.action,
                                object_type=event.object_type, object_id=event.object_id, summary=event.summary)
        if recomputed != event.hash:
            breaches.append(Breach(event.seq, "content does not match its hash (edited)"))
        expected_seq, prev_hash = event.seq + 1, event.hash
    if expected_seq - 1 != head_seq:
        breaches.append(Breach(head_seq, f"chain head says {head_seq} events, {expected_seq - 1} stored (deleted)"))
    elif prev_hash != head_hash:
        breaches.append(Breach(head_seq, "last event does not match the chain head"))
    return breaches
