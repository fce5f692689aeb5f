"""Verification against someone with the database: an edited, deleted or re-chained entry, an edited transaction or
checkpoint, a cut tail; and the ledger's invariants over random postings (property tests)."""

from __future__ import annotations

import pytest
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuhe.participation.core import ledger
from fuhe.participation.models import Account, Entry, LedgerHead, Transaction
from fuhe.participation.selectors import account_balance
from fuhe.participation.services import (
    LedgerError,
    ledger_checkpoint,
    ledger_verify,
    points_redeem,
    points_transaction_reverse,
    points_transfer,
)

from ..tampering import raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(tree, earn, owner):
    earn(points=10, reference="burden.task:1")  # entries 1, 2
    earn(points=7, reference="burden.task:2", person=tree.people["resident"])  # 3, 4
    ledger_checkpoint()
    earn(points=3, reference="burden.task:3")  # 5, 6
    assert ledger_verify().is_intact


def test_an_intact_ledger_verifies(posted):
    report = ledger_verify()
    assert (report.checked, report.transactions, report.checkpoints, report.breaches) == (6, 3, 1, [])


def test_an_edited_entry_is_detected(posted):
    raw("UPDATE participation_entry SET amount = 70 WHERE seq = 4")
    report = ledger_verify()
    assert ledger.Breach(4, "content does not match its hash (edited, or re-chained without the key)") in (
        report.breaches
    )
    assert report.first_broken_seq == 3  # its transaction (3, 4) no longer sums to zero


def test_an_entry_moved_to_another_account_is_detected(posted):
    raw(
        "UPDATE participation_entry SET account_id = (SELECT account_id FROM participation_entry WHERE seq = 4) "
        "WHERE seq = 2"
    )
    assert ledger_verify().first_broken_seq == 2


def test_a_deleted_entry_is_detected(posted):
    raw("DELETE FROM participation_entry WHERE seq = 5")
    report = ledger_verify()
    assert report.breaches[0] == ledger.Breach(5, "missing (next stored entry is 6)")


def test_a_deleted_transaction_is_detected(posted):
    raw("DELETE FROM participation_entry WHERE transaction_id = 2")
    raw("DELETE FROM participation_transaction WHERE id = 2")
    report = ledger_verify()
    assert report.breaches[0] == ledger.Breach(3, "missing (next stored entry is 5)")
    assert "head says 3 transactions; 2 stored, 2 with entries" in [b.reason for b in report.breaches]


def test_a_tail_cut_back_to_before_a_checkpoint_is_detected(posted):
    """Delete entries and move the head back to match: the chain alone agrees, the checkpoint sealed after entry 4
    does not (a cut to exactly a checkpoint needs a head kept elsewhere: ``fuhe ledger verify`` prints it)."""
    raw("DELETE FROM participation_entry WHERE seq > 2")
    raw("DELETE FROM participation_transaction WHERE id > 1")
    LedgerHead.objects.filter(id=1).update(seq=2, hash=Entry.objects.get(seq=2).hash, transactions=1)
    report = ledger_verify()
    assert [str(b) for b in report.breaches] == ["checkpoint 4: beyond the last entry (entries deleted)"]


def test_a_rechained_ledger_is_detected(posted):
    """Rewrite entry 3's amount and every later hash and the head, with a key that is not the platform's."""
    forged_key = b"someone else's key, 32 bytes...."
    rows = list(
        Entry.objects.order_by("seq").values_list(
            "seq", "transaction_id", "account_id", "amount", "key_id", "transaction__digest"
        )
    )
    prev = ledger.GENESIS
    for seq, txn, account, amount, key_id, digest in rows:
        if seq in (3, 4):
            amount = 700 if amount > 0 else -700
        digest_hash = ledger.entry_hash(forged_key, key_id, prev, seq, txn, account, amount, digest)
        raw(
            "UPDATE participation_entry SET amount = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [amount, prev, digest_hash, seq],
        )
        prev = digest_hash
    LedgerHead.objects.filter(id=1).update(hash=prev)
    report = ledger_verify()
    assert report.first_broken_seq == 1
    assert all("content does not match" in b.reason for b in report.breaches if b.subject == "entry")


def test_an_edited_transaction_is_detected(posted, tree):
    raw("UPDATE participation_transaction SET counter_signer_id = %s WHERE id = 2", [tree.people["resident"].pk])
    report = ledger_verify()
    assert [str(b) for b in report.breaches] == ["transaction 2: content does not match its digest (edited)"]


def test_an_edited_checkpoint_balance_is_detected(posted):
    raw("UPDATE participation_checkpointbalance SET balance = balance + 100 WHERE balance > 0")
    report = ledger_verify()
    assert report.first_broken_seq == 4 and report.breaches[0].subject == "checkpoint"


def test_an_entry_signed_with_a_key_not_in_the_keyring_is_detected(posted, ledger_key_file):
    ledger_key_file.unlink()
    ledger_key_file.write_text("ab" * 32 + "\n")
    assert "not in the keyring" in ledger_verify().breaches[0].reason


# --- properties over random postings ------------------------------------------------------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.sampled_from(["volunteer", "resident"]), st.integers(1, 60)),
        st.tuples(st.just("transfer"), st.sampled_from(["volunteer", "resident"]), st.integers(1, 40)),
        st.tuples(st.just("redeem"), st.sampled_from(["volunteer", "resident"]), st.integers(1, 2)),
        st.tuples(st.just("reverse"), st.just(""), st.integers(1, 30)),
        st.tuples(st.just("checkpoint"), st.just(""), st.just(0)),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations)
def test_invariants_hold_over_any_postings(tree, earn, owner, haircut, ops):
    counter = Transaction.objects.count()
    for number, (operation, username, amount) in enumerate(ops):
        person = tree.people.get(username)
        other = tree.people["resident" if username == "volunteer" else "volunteer"]
        try:
            if operation == "earn":
                earn(person=person, points=amount, reference=f"burden.task:{counter}-{number}")
            elif operation == "transfer":
                source = Account.objects.filter(person=person).first()
                target = Account.objects.filter(person=other).first()
                if source and target:
                    points_transfer(actor=person, source=source, target=target, points=amount)
            elif operation == "redeem":
                points_redeem(actor=person, item=haircut, quantity=amount)
            elif operation == "reverse":
                original = Transaction.objects.filter(pk=amount).first()
                if original is not None:
                    points_transaction_reverse(actor=tree.people["admin"], original=original, reason="更正")
            else:
                ledger_checkpoint()
        except LedgerError:
            pass  # refused: nothing was written (checked below through the invariants and verification)
    # every transaction sums to zero, on two or more entries
    sums = Transaction.objects.annotate(total=Sum("entries__amount"), n=Count("entries"))
    assert all(row.total == 0 and row.n >= 2 for row in sums)
    # the sum of balances equals the sum of entries; a person's balance is never below zero
    balances = {account.pk: account_balance(account=account) for account in Account.objects.all()}
    assert sum(balances.values()) == (Entry.objects.aggregate(total=Sum("amount"))["total"] or 0) == 0
    for account in Account.objects.all():
        assert balances[account.pk] == (Entry.objects.filter(account=account).aggregate(t=Sum("amount"))["t"] or 0)
        if account.person_id:
            assert balances[account.pk] >= 0
    assert ledger_verify().is_intact


def test_the_ledger_follows_an_audit_key_rotation(earn, tree):
    from fuhe.audit.services import audit_key_rotate

    earn(reference="burden.task:1")
    old_key_id = Entry.objects.get(seq=1).key_id
    _old, new_key_id = audit_key_rotate(actor=None)
    earn(reference="burden.task:2")
    assert Entry.objects.get(seq=3).key_id == new_key_id != old_key_id
    assert ledger_verify().is_intact


@pytest.mark.parametrize(
    "stored",
    [
        "2026-12-02 12:34:56.123456",
        "2026-12-02 12:34:56",
        "2026-12-02 00:00:00.000001",
        "2026-12-02 20:34:56.5+08:00",  # written with an offset by other means: parsed
        "2026-12-02T12:34:56+00:00",
    ],
)
def test_the_stored_sqlite_time_reads_as_the_digest_covers_it(stored):
    from django.utils.dateparse import parse_datetime

    from fuhe.participation.services.ledger import at_text, sqlite_at_text

    assert sqlite_at_text(stored) == at_text(parse_datetime(stored))


def test_a_transaction_at_a_whole_second_verifies_and_an_edited_time_is_detected(tree, earn, monkeypatch):
    from datetime import UTC, datetime

    from fuhe.participation.services import ledger as ledger_services

    whole_second = datetime(2026, 12, 2, 4, 5, 6, tzinfo=UTC)  # stored without a fraction on SQLite
    monkeypatch.setattr(ledger_services.timezone, "now", lambda: whole_second)
    earn(points=5, reference="burden.task:9")
    monkeypatch.undo()
    earn(points=2, reference="burden.task:10")
    assert ledger_verify().is_intact
    number = Transaction.objects.order_by("id").first().pk
    raw("UPDATE participation_transaction SET at = %s WHERE id = %s", ["2026-12-02 04:05:07", number])
    report = ledger_verify()
    assert [str(b) for b in report.breaches] == [f"transaction {number}: content does not match its digest (edited)"]
