"""The keyed chain's rules, on plain events (no database): every way to rewrite the chain without its key fails."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from fuhe.audit.core.chain import (
    GENESIS,
    KEY_ROTATED,
    ChainedEvent,
    KeySpan,
    event_hash,
    hash_with_tail,
    key_fingerprint,
    payload_tail,
    rotation_seal,
    walk_chain,
)

KEY_A, KEY_B = b"a" * 32, b"b" * 32
A, B = key_fingerprint(KEY_A), key_fingerprint(KEY_B)
KEYS = {A: KEY_A, B: KEY_B}
AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def chain(specs, *, keys=KEYS) -> list[ChainedEvent]:
    """Events from (key id or "", action, summary) specs, each hashed as the service does."""
    events, prev = [], GENESIS
    for seq, (key_id, action, summary) in enumerate(specs, start=1):
        digest = event_hash(
            prev_hash=prev,
            seq=seq,
            at=AT,
            actor_id=None,
            actor_label="system",
            action=action,
            object_type="test.thing",
            object_id="1",
            summary=summary,
            key=keys[key_id] if key_id else None,
            key_id=key_id,
        )
        events.append(ChainedEvent(seq, AT, None, "system", action, "test.thing", "1", summary, prev, digest, key_id))
        prev = digest
    return events


def rechain(events: list[ChainedEvent], *, key: bytes | None, key_id: str | None = None) -> list[ChainedEvent]:
    """Every hash recomputed in order with ``key`` (an attacker's guess, or none): a consistent rewrite."""
    out, prev = [], GENESIS
    for e in events:
        kid = e.key_id if key_id is None else key_id
        fields = {k: getattr(e, k) for k in ("at", "actor_id", "actor_label", "action", "object_type", "object_id")}
        digest = event_hash(prev_hash=prev, seq=e.seq, summary=e.summary, key=key, key_id=kid, **fields)
        out.append(replace(e, prev_hash=prev, hash=digest, key_id=kid))
        prev = digest
    return out


def check(events, *, keys=KEYS, head=None, head_key_id=None, anchor=None):
    last = events[-1] if events else None
    seq, digest = head or ((last.seq, last.hash) if last else (0, GENESIS))
    if head_key_id is None:
        head_key_id = next((e.key_id for e in reversed(events) if e.key_id), "")
    return walk_chain(events, head_seq=seq, head_hash=digest, keys=keys, head_key_id=head_key_id, anchor=anchor)


def reasons(report) -> list[tuple[int, str]]:
    return [(b.seq, b.reason) for b in report.breaches]


def test_a_signed_chain_verifies_and_names_its_key():
    report = check(chain([(A, "x", {"i": i}) for i in range(3)]))
    assert report.breaches == []
    assert report.spans == [KeySpan(A, 1, 3, 3)]
    assert report.key_ids == [A]


def test_the_hash_is_the_hmac_of_key_id_previous_hash_and_content():
    tail = payload_tail(
        at=AT, actor_id=None, actor_label="system", action="x", object_type="t", object_id="1", summary={}
    )
    expected = hmac.new(KEY_A, f"{A}|{GENESIS}|[7,{tail[1:]}".encode(), hashlib.sha256).hexdigest()
    assert hash_with_tail(prev_hash=GENESIS, seq=7, tail=tail, key=KEY_A, key_id=A) == expected
    assert hash_with_tail(prev_hash=GENESIS, seq=7, tail=tail) != expected  # without a key: the old SHA-256


def test_events_from_before_the_key_verify_as_plain_sha256_and_are_sealed_by_the_first_signed_one():
    events = chain([("", "x", {"i": 1}), ("", "x", {"i": 2}), (A, "x", {"i": 3})])
    report = check(events)
    assert report.breaches == []
    assert [str(span) for span in report.spans] == ["unsigned (before the key): #1–#2 (2)", f"{A}: #3–#3 (1)"]
    # an old event rewritten consistently (plain SHA-256 is no secret) breaks the signed event's link
    forged = rechain([replace(events[0], summary={"i": 99}), events[1]], key=None)
    assert reasons(check([*forged, events[2]])) == [(3, "previous-hash link broken")]


def test_a_rechain_without_the_key_is_detected_at_the_first_edited_event():
    events = chain([(A, "x", {"i": i}) for i in range(4)])
    edited = [*events[:1], replace(events[1], summary={"i": 42}), *events[2:]]
    for guess in (None, b"guess" * 8):
        forged = rechain(edited, key=guess)
        found = reasons(check(forged, head=(4, forged[-1].hash)))
        assert found[:3] == [(n, "content does not match its hash (edited)") for n in (1, 2, 3)]


def test_a_chain_rewritten_as_unsigned_is_detected():
    events = chain([(A, "x", {"i": i}) for i in range(3)])
    downgraded = rechain(events, key=None, key_id="")
    assert reasons(check(downgraded)) == [
        (
            3,
            "no event is signed although the keyring holds a key (rewritten without the key, or a copy from before "
            "the key)",
        )
    ]
    assert check(downgraded, keys={}).breaches == []  # without a keyring: the old strength, no more


def test_an_unsigned_event_after_signed_ones_is_detected():
    events = chain([(A, "x", {}), ("", "x", {})])
    assert reasons(check(events, head_key_id=A)) == [
        (2, f"unsigned after events signed with {A} (rewritten without the key)")
    ]


def test_an_unknown_key_is_a_breach():
    events = chain([(A, "x", {})])
    assert reasons(check(events, keys={B: KEY_B})) == [(1, f"signed with key {A}, which is not in the keyring")]


def test_the_key_changes_only_at_a_sealed_rotation():
    silent = chain([(A, "x", {}), (B, "x", {})])
    assert reasons(check(silent)) == [(2, f"key changed from {A} to {B} without a rotation event")]

    first = chain([(A, "x", {})])[0]
    seal = rotation_seal(KEY_A, prev_hash=first.hash, seq=2, new_key_id=B)
    handover = {"old_key_id": A, "new_key_id": B, "old_key_seal": seal}
    rotated = chain([(A, "x", {}), (B, KEY_ROTATED, handover), (B, "x", {})])
    report = check(rotated)
    assert report.breaches == []
    assert report.key_ids == [A, B]
    assert [str(span) for span in report.spans] == [f"{A}: #1–#1 (1)", f"{B}: #2–#3 (2)"]

    bad_seal = chain([(A, "x", {}), (B, KEY_ROTATED, {"old_key_id": A, "new_key_id": B, "old_key_seal": "0" * 64})])
    assert reasons(check(bad_seal)) == [(2, "key rotation is not sealed by the previous key")]
    wrong_names = chain([(A, "x", {}), (B, KEY_ROTATED, {"old_key_id": B, "new_key_id": B, "old_key_seal": seal})])
    assert reasons(check(wrong_names)) == [(2, "key rotation does not name the previous key and its own")]


def test_the_head_must_name_the_last_events_key():
    events = chain([(A, "x", {})])
    assert reasons(check(events, head_key_id="")) == [(1, f"chain head names key '', the last event '{A}'")]


@pytest.mark.parametrize("cut", [1, 2])
def test_a_cut_tail_with_the_head_moved_back_needs_the_recorded_head(cut):
    events = chain([(A, "x", {"i": i}) for i in range(4)])
    recorded = (4, events[-1].hash)
    kept = events[:-cut]
    assert check(kept).breaches == []  # the chain alone cannot tell: every kept event is genuine
    assert reasons(check(kept, anchor=recorded)) == [
        (4, f"the recorded head is beyond the chain's end at {4 - cut} (cut from the end)")
    ]
