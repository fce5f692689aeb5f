import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from fuhe.audit.models import AppendOnlyError, AuditEvent
from fuhe.audit.services import audit_record, audit_verify
from tests.audit.tampering import TARGET, record

DB_REFUSAL = IntegrityError  # both SQLite RAISE(ABORT) and the PostgreSQL trigger (SQLSTATE 23000)


@pytest.mark.django_db
def test_intact_chain_verifies():
    record(5)
    checked, breaches = audit_verify()
    assert (checked, breaches) == (5, [])
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "5 events verified" in out.getvalue()


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


def test_a_malformed_recorded_head_is_named():
    with pytest.raises(CommandError, match="--expect-head"):
        call_command("audit", "verify", "--expect-head", "12:nothex", stdout=io.StringIO())
