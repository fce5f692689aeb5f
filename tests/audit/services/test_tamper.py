"""One test per way someone with the database file could rewrite history (issue 13, item 5), each detected:
an event edited, an event deleted in the middle, the tail cut with the head moved back, an event edited with every
later hash recomputed (re-chained) without the key, and a case row edited directly."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from fuhe.audit.core.chain import event_hash
from fuhe.audit.models import AuditEvent
from fuhe.cases.models import CaseEvent
from fuhe.cases.services.intake import case_create
from tests.audit.tampering import printed_head, raw, record, verify

pytestmark = pytest.mark.django_db


def test_an_untouched_chain_is_intact_and_prints_its_head_and_key():
    record(5)
    intact, out, _err = verify()
    assert intact
    key_id = AuditEvent.objects.get(seq=1).key_id
    assert len(key_id) == 16
    assert "audit chain intact: 5 events verified" in out
    assert f"keys used: {key_id}" in out
    assert f"head: 5:{AuditEvent.objects.get(seq=5).hash}" in out


def test_an_edited_event_is_detected():
    record(5)
    raw("UPDATE audit_auditevent SET summary = %s WHERE seq = 3", ['{"i": 99}'])
    intact, _out, err = verify()
    assert not intact
    assert "event 3: content does not match its hash (edited)" in err


def test_an_event_deleted_in_the_middle_is_detected():
    record(5)
    raw("DELETE FROM audit_auditevent WHERE seq = 2")
    intact, _out, err = verify()
    assert not intact
    assert "event 2: missing (next stored event is 3)" in err


def test_the_last_event_deleted_is_detected():
    record(5)
    raw("DELETE FROM audit_auditevent WHERE seq = 5")
    intact, _out, err = verify()
    assert not intact
    assert "chain head says 5 events, 4 stored (deleted)" in err


def test_a_tail_cut_with_the_head_moved_back_is_detected_with_the_recorded_head():
    record(5)
    recorded = printed_head()
    assert recorded.startswith("5:")
    third = AuditEvent.objects.get(seq=3)
    raw("DELETE FROM audit_auditevent WHERE seq > 3")
    raw("UPDATE audit_auditchainhead SET seq = 3, hash = %s WHERE id = 1", [third.hash])
    assert verify()[0]  # every kept event is genuine: only a head kept elsewhere can tell
    intact, _out, err = verify("--expect-head", recorded)
    assert not intact
    assert "event 5: the recorded head is beyond the chain's end at 3 (cut from the end)" in err


@pytest.mark.parametrize("key", [None, b"a guessed key of thirty-two bytes"], ids=["sha256", "guessed-key"])
def test_an_edit_with_every_later_hash_recomputed_without_the_key_is_detected(key):
    record(4)
    prev = AuditEvent.objects.get(seq=1).hash
    for row in AuditEvent.objects.filter(seq__gte=2).order_by("seq"):
        summary = {"i": 42} if row.seq == 2 else row.summary
        forged = event_hash(
            prev_hash=prev,
            seq=row.seq,
            at=row.at,
            actor_id=row.actor_id,
            actor_label=row.actor_label,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            summary=summary,
            key=key,
            key_id=row.key_id,
        )
        raw(
            "UPDATE audit_auditevent SET summary = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [json.dumps(summary), prev, forged, row.seq],
        )
        prev = forged
    raw("UPDATE audit_auditchainhead SET hash = %s WHERE id = 1", [prev])
    intact, _out, err = verify()  # no recorded head needed: the forger lacks the key
    assert not intact
    assert [line.strip() for line in err.splitlines()[:3]] == [
        f"event {n}: content does not match its hash (edited)" for n in (2, 3, 4)
    ]


def test_a_chain_rewritten_as_unsigned_is_detected():
    """The forger drops the key ids and recomputes plain SHA-256 hashes, as events from before the key had."""
    record(3)
    prev = "0" * 64
    for row in AuditEvent.objects.order_by("seq"):
        forged = event_hash(
            prev_hash=prev,
            seq=row.seq,
            at=row.at,
            actor_id=row.actor_id,
            actor_label=row.actor_label,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            summary=row.summary,
        )
        raw(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, key_id = '' WHERE seq = %s",
            [prev, forged, row.seq],
        )
        prev = forged
    raw("UPDATE audit_auditchainhead SET hash = %s, key_id = '' WHERE id = 1", [prev])
    intact, _out, err = verify()
    assert not intact
    assert "no event is signed although the keyring holds a key" in err


def test_a_case_state_edited_by_sql_is_detected_by_verify_cases(tree):
    case = case_create(
        actor=tree.people["resident"], channel="web", text="花园路3号楼前井盖缺失", address="花园路社区3号楼"
    ).case
    call_command("verify_cases", stdout=io.StringIO())  # intact before the edit
    raw("UPDATE cases_case SET state = 'closed', rating_satisfied = %s WHERE id = %s", [True, case.pk])
    assert CaseEvent.objects.filter(case=case).count() == 1  # its events still say: received
    err = io.StringIO()
    with pytest.raises(CommandError, match="有 2 个工单字段"):
        call_command("verify_cases", stdout=io.StringIO(), stderr=err)
    assert f"工单 {case.tracking_code}：" in err.getvalue()  # verify_cases names the case by its tracking code
    assert verify()[0]  # the audit chain itself was not touched: only the case check sees this edit
