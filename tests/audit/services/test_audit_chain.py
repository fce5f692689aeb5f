import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from fuhe.audit.models import AppendOnlyError, AuditEvent
from fuhe.audit.services import ObjectRef, audit_record, audit_verify

TARGET = ObjectRef("test.thing", "1")
DB_REFUSAL = IntegrityError  # both SQLite RAISE(ABORT) and the PostgreSQL trigger (SQLSTATE 23000)


def record(n: int):
    with transaction.atomic():
        for i in range(n):
            audit_record(actor=None, action="test.changed", target=TARGET, summary={"i": i, "after": {"x": i}})


def raw(sql: str, params=()):
    """Write behind the application's back: drop the guard triggers first, as a DBA could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_intact_chain_verifies():
    record(5)
    checked, breaches = audit_verify()
    assert (checked, breaches) == (5, [])
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "5 events verified" in out.getvalue()


@pytest.mark.django_db
def test_edited_row_is_detected():
    record(5)
    raw("UPDATE audit_auditevent SET summary = %s WHERE seq = 3", ['{"i": 99}'])
    _checked, breaches = audit_verify()
    assert [b.seq for b in breaches] == [3]
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("audit", "verify", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_deleted_rows_are_detected_in_the_middle_and_at_the_end():
    record(5)
    raw("DELETE FROM audit_auditevent WHERE seq = 2")
    assert any("missing" in b.reason for b in audit_verify()[1])
    raw("DELETE FROM audit_auditevent WHERE seq = 5")
    assert any("deleted" in b.reason for b in audit_verify()[1])


@pytest.mark.django_db
def test_rehashed_edit_is_still_detected_by_the_next_link():
    record(3)
    from fuhe.audit.core.chain import event_hash

    row = AuditEvent.objects.get(seq=2)
    forged = event_hash(
        prev_hash=row.prev_hash,
        seq=2,
        at=row.at,
        actor_id=None,
        actor_label="system",
        action="test.changed",
        object_type="test.thing",
        object_id="1",
        summary={"i": 42},
    )
    raw("UPDATE audit_auditevent SET summary = %s, hash = %s WHERE seq = 2", ['{"i": 42}', forged])
    assert [b.seq for b in audit_verify()[1]] == [3]


@pytest.mark.django_db
def test_application_and_database_refuse_rewrites():
    record(1)
    event = AuditEvent.objects.get()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(DB_REFUSAL), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x'")


@pytest.mark.django_db
def test_event_rolls_back_with_the_change():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="test.changed", target=TARGET)
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_event_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="test.changed", target=TARGET)


@given(
    seq=st.integers(min_value=1, max_value=10**12),
    actor_id=st.none() | st.integers(min_value=1),
    label=st.text(max_size=20),
    action=st.text(min_size=1, max_size=20),
    object_id=st.text(max_size=12),
    summary=st.dictionaries(st.text(max_size=8), st.none() | st.integers() | st.text(max_size=8), max_size=4),
    micros=st.integers(min_value=0, max_value=999_999),
)
def test_the_hash_from_a_prepared_tail_is_the_hash_of_the_whole_event(
    seq, actor_id, label, action, object_id, summary, micros
):
    from datetime import UTC, datetime

    from fuhe.audit.core.chain import GENESIS, canonical, event_hash, hash_with_tail, payload_tail

    at = datetime(2026, 12, 1, 8, 0, 0, micros, tzinfo=UTC)
    fields = {
        "at": at,
        "actor_id": actor_id,
        "actor_label": label,
        "action": action,
        "object_type": "cases.case",
        "object_id": object_id,
        "summary": summary,
    }
    whole = canonical(
        [seq, at.isoformat(timespec="microseconds"), actor_id, label, action, "cases.case", object_id, summary]
    )
    expected = hashlib.sha256(f"{GENESIS}|{whole}".encode()).hexdigest()
    assert event_hash(prev_hash=GENESIS, seq=seq, **fields) == expected
    assert hash_with_tail(prev_hash=GENESIS, seq=seq, tail=payload_tail(**fields)) == expected


def _head() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue().split("head: ")[1].split()[0]


@pytest.mark.django_db
def test_a_tail_cut_with_the_head_moved_back_is_caught_by_a_recorded_head():
    record(5)
    recorded = _head()
    assert recorded.startswith("5:")
    third = AuditEvent.objects.get(seq=3)
    raw("DELETE FROM audit_auditevent WHERE seq > 3")
    raw("UPDATE audit_auditchainhead SET seq = 3, hash = %s WHERE id = 1", [third.hash])
    assert audit_verify()[1] == []  # the chain alone looks intact: this is the attack
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("audit", "verify", "--expect-head", recorded, stdout=io.StringIO(), stderr=io.StringIO())
    assert "cut from the end" in str(audit_verify(expect_head=(5, recorded.split(":")[1]))[1][0])


@pytest.mark.django_db
def test_an_edit_with_every_later_hash_recomputed_is_caught_by_a_recorded_head():
    from fuhe.audit.core.chain import event_hash

    record(4)
    recorded = _head()
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
        )
        raw(
            "UPDATE audit_auditevent SET summary = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [json.dumps(summary), prev, forged, row.seq],
        )
        prev = forged
    raw("UPDATE audit_auditchainhead SET hash = %s WHERE id = 1", [prev])
    assert audit_verify()[1] == []  # re-chained consistently: the chain alone cannot tell
    seq, digest = recorded.split(":")
    breaches = audit_verify(expect_head=(int(seq), digest))[1]
    assert [(b.seq, b.reason) for b in breaches] == [(4, "differs from the recorded head (the chain was rewritten)")]


def test_a_malformed_recorded_head_is_named():
    with pytest.raises(CommandError, match="--expect-head"):
        call_command("audit", "verify", "--expect-head", "12:nothex", stdout=io.StringIO())
