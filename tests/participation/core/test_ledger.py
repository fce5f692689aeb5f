"""The ledger's rules without a database: double entry, the keyed chain, checkpoints, verification."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuhe.participation.core import ledger
from fuhe.participation.core.ledger import GENESIS, Breach, LedgerRuleError, Posting, TransactionContent

KEY = bytes(range(32))
KEY_ID = "k" * 16
KEYS = {KEY_ID: KEY}

moves = st.lists(
    st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 500)).filter(lambda move: move[0] != move[1]),
    min_size=1,
    max_size=40,
)


def build(transactions: list[list[Posting]], *, key: bytes = KEY, key_id: str = KEY_ID, every: int = 0):
    """Rows (as ``verify_ledger`` reads them), the head, and a checkpoint every ``every`` transactions."""
    rows: list[ledger.EntryRow] = []
    head_seq, head_hash = 0, GENESIS
    checkpoints: list[ledger.Checkpoint] = []
    balances: dict[int, int] = {}
    for number, postings in enumerate(transactions, start=1):
        digest = TransactionContent(number, "transfer", "", "2026-12-02T00:00:00.000000+00:00", 1, None, None, "")
        chained = ledger.chain_postings(
            postings,
            transaction=number,
            digest=digest.digest(),
            head_seq=head_seq,
            head_hash=head_hash,
            key=key,
            key_id=key_id,
        )
        for entry in chained:
            rows.append(
                (entry.seq, number, entry.account, entry.amount, entry.prev_hash, entry.hash, key_id, digest.digest())
            )
            balances[entry.account] = balances.get(entry.account, 0) + entry.amount
        head_seq, head_hash = chained[-1].seq, chained[-1].hash
        if every and number % every == 0:
            checkpoints.append(
                ledger.checkpoint_seal(
                    seq=head_seq,
                    entry_hash_at_seq=head_hash,
                    balances=balances,
                    prev_hash=checkpoints[-1].hash if checkpoints else GENESIS,
                    key=key,
                    key_id=key_id,
                )
            )
    return rows, head_seq, head_hash, checkpoints


def as_transactions(generated) -> list[list[Posting]]:
    return [ledger.transfer(source, target, points) for source, target, points in generated]


def verify(rows, head_seq, head_hash, checkpoints=(), keys=None):
    return ledger.verify_ledger(
        rows, head_seq=head_seq, head_hash=head_hash, keys=keys or KEYS, checkpoints=checkpoints
    )


# --- double entry -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("postings", "code"),
    [
        ([Posting(1, 5)], ledger.TOO_FEW_ENTRIES),
        ([Posting(1, 5), Posting(1, -5)], ledger.SAME_ACCOUNT),
        ([Posting(1, 5), Posting(2, -4)], ledger.UNBALANCED),
        ([Posting(1, 0), Posting(2, 0)], ledger.ZERO_AMOUNT),
        ([Posting(1, 2.5), Posting(2, -2.5)], ledger.NOT_INTEGER),  # type: ignore[arg-type]
    ],
)
def test_invalid_transactions_are_refused(postings, code):
    with pytest.raises(LedgerRuleError) as refused:
        ledger.check_postings(postings)
    assert refused.value.code == code


def test_three_sided_transaction_is_accepted():
    ledger.check_postings([Posting(1, -5), Posting(2, 3), Posting(3, 2)])


@given(st.lists(st.tuples(st.integers(1, 9), st.integers(-1000, 1000)), min_size=1, max_size=8))
def test_a_transaction_is_accepted_exactly_when_it_sums_to_zero_on_distinct_accounts(pairs):
    postings = [Posting(account, amount) for account, amount in pairs]
    valid = (
        len(postings) >= 2
        and len({p.account for p in postings}) == len(postings)
        and all(p.amount for p in postings)
        and sum(p.amount for p in postings) == 0
    )
    try:
        ledger.check_postings(postings)
    except LedgerRuleError:
        assert not valid
    else:
        assert valid


@given(moves)
def test_every_transaction_sums_to_zero_and_balances_sum_to_the_entries(generated):
    transactions = as_transactions(generated)
    rows, *_ = build(transactions)
    for postings in transactions:
        assert sum(posting.amount for posting in postings) == 0
    balances = ledger.balances_after((row[2], row[3]) for row in rows)
    assert sum(balances.values()) == sum(row[3] for row in rows) == 0
    reversed_all = [ledger.reversal(postings) for postings in transactions]
    assert (
        ledger.balances_after([(p.account, p.amount) for postings in transactions + reversed_all for p in postings])
        == {}
    )


# --- the keyed chain ----------------------------------------------------------------------------------------------


def test_entry_hash_is_the_hmac_of_the_documented_message():
    expected = hmac.new(KEY, f"{KEY_ID}|{GENESIS}|1|1|7|-5|{'d' * 64}".encode(), hashlib.sha256).hexdigest()
    assert ledger.entry_hash(KEY, KEY_ID, GENESIS, 1, 1, 7, -5, "d" * 64) == expected


@pytest.mark.parametrize("key", [b"short", bytes(32), secrets.token_bytes(32), secrets.token_bytes(100)])
def test_the_fast_hmac_of_verification_equals_hmac(key):
    inner, outer = ledger.hmac_pads(key)
    for message in (b"", b"a|b|1", "积分|时间银行".encode() * 20):
        first = inner.copy()
        first.update(message)
        second = outer.copy()
        second.update(first.digest())
        assert second.hexdigest() == hmac.new(key, message, hashlib.sha256).hexdigest()


@given(moves)
def test_an_untouched_ledger_verifies(generated):
    rows, head_seq, head_hash, checkpoints = build(as_transactions(generated), every=3)
    report = verify(rows, head_seq, head_hash, checkpoints)
    assert report.is_intact, report.breaches
    assert report.checked == len(rows) == head_seq
    assert report.transactions == len(generated)
    assert report.checkpoints == len(checkpoints)


@given(moves, st.data())
def test_an_edited_entry_is_detected_at_its_number(generated, data):
    rows, head_seq, head_hash, _ = build(as_transactions(generated))
    index = data.draw(st.integers(0, len(rows) - 1))
    seq, txn, account, amount, link, stored, key_id, digest = rows[index]
    edit = data.draw(st.sampled_from(["amount", "account", "transaction", "digest"]))
    changed = {
        "amount": (seq, txn, account, amount + 1, link, stored, key_id, digest),
        "account": (seq, txn, account + 100, amount, link, stored, key_id, digest),
        "transaction": (seq, txn + 1000, account, amount, link, stored, key_id, digest),
        "digest": (seq, txn, account, amount, link, stored, key_id, "0" * 64),
    }[edit]
    rows[index] = changed
    report = verify(rows, head_seq, head_hash)
    assert Breach(seq, "content does not match its hash (edited, or re-chained without the key)") in report.breaches
    assert report.first_broken_seq is not None and report.first_broken_seq <= seq  # or its transaction's first


@given(moves, st.data())
def test_a_deleted_entry_is_detected(generated, data):
    rows, head_seq, head_hash, _ = build(as_transactions(generated))
    index = data.draw(st.integers(0, len(rows) - 1))
    seq = rows[index][0]
    del rows[index]
    report = verify(rows, head_seq, head_hash)
    assert any(breach.seq == seq and breach.reason.startswith("missing") for breach in report.breaches) or (
        seq == head_seq and "(deleted)" in report.breaches[-1].reason
    )
    assert report.first_broken_seq is not None and report.first_broken_seq <= seq


@given(moves, st.data())
def test_a_ledger_rechained_without_the_key_is_detected(generated, data):
    """Someone with the database edits an entry and recomputes every later hash, with a key of their own under the
    real key id, or under a key id of their own: both are caught."""
    transactions = as_transactions(generated)
    index = data.draw(st.integers(0, len(transactions) - 1))
    forged_key_id = data.draw(st.sampled_from([KEY_ID, "f" * 16]))
    forged = [list(postings) for postings in transactions]
    forged[index] = ledger.reversal(forged[index])  # the money goes the other way
    honest_rows, *_ = build(transactions)
    rows, head_seq, head_hash, _ = build(forged, key=b"not the platform's key", key_id=forged_key_id)
    report = verify(rows, head_seq, head_hash)  # the head rewritten too
    assert not report.is_intact
    assert report.first_broken_seq == 1  # every entry's HMAC fails, from the first
    assert honest_rows != rows


def test_a_cut_tail_is_detected_by_the_head():
    rows, head_seq, head_hash, _ = build(as_transactions([(1, 2, 5), (2, 3, 4)]))
    report = verify(rows[:2], head_seq, head_hash)
    assert [str(breach) for breach in report.breaches] == ["entry 4: head says 4 entries, 2 stored (deleted)"]


def test_an_unbalanced_transaction_is_detected_even_when_correctly_signed():
    """A forger holding the key still cannot slip in a transaction that creates points."""
    digest = "d" * 64
    first = ledger.entry_hash(KEY, KEY_ID, GENESIS, 1, 1, 1, -5, digest)
    second = ledger.entry_hash(KEY, KEY_ID, first, 2, 1, 2, 9, digest)
    rows = [(1, 1, 1, -5, GENESIS, first, KEY_ID, digest), (2, 1, 2, 9, first, second, KEY_ID, digest)]
    report = verify(rows, 2, second)
    assert [breach.reason for breach in report.breaches] == ["transaction does not sum to zero (+4)"]


# --- checkpoints --------------------------------------------------------------------------------------------------


def test_a_checkpoint_with_edited_balances_is_detected():
    rows, head_seq, head_hash, checkpoints = build(as_transactions([(1, 2, 5), (2, 3, 4), (3, 1, 1)]), every=2)
    original = checkpoints[0]
    edited = ledger.Checkpoint(
        original.seq,
        original.entry_hash,
        {**original.balances, 2: 500},
        original.prev_hash,
        original.hash,
        original.key_id,
    )
    report = verify(rows, head_seq, head_hash, [edited])
    reasons = [breach.reason for breach in report.breaches]
    assert report.first_broken_seq == original.seq
    assert any(reason.startswith("balances differ") for reason in reasons)
    assert "does not match its seal (edited)" in reasons


def test_a_checkpoint_resealed_with_a_wrong_key_is_detected():
    rows, head_seq, head_hash, checkpoints = build(as_transactions([(1, 2, 5), (2, 3, 4)]), every=1)
    forged = ledger.checkpoint_seal(
        seq=2, entry_hash_at_seq=rows[1][5], balances={1: -5, 2: 5}, prev_hash=GENESIS, key=b"forger", key_id=KEY_ID
    )
    report = verify(rows, head_seq, head_hash, [forged, checkpoints[1]])
    assert [str(breach) for breach in report.breaches] == [
        "checkpoint 2: does not match its seal (edited)",
        "checkpoint 4: does not follow the previous checkpoint",  # the next one sealed the real one's hash
    ]


def test_a_checkpoint_beyond_the_entries_is_detected():
    rows, head_seq, head_hash, checkpoints = build(as_transactions([(1, 2, 5), (2, 3, 4)]), every=2)
    report = verify(rows[:2], 2, rows[1][5], checkpoints)
    assert str(report.breaches[0]) == "checkpoint 4: beyond the last entry (entries deleted)"


def test_checkpoints_balances_are_those_after_their_entry():
    _rows, _seq, _hash, checkpoints = build(as_transactions([(1, 2, 5), (2, 3, 4), (3, 1, 4)]), every=1)
    assert [dict(checkpoint.balances) for checkpoint in checkpoints] == [
        {1: -5, 2: 5},
        {1: -5, 2: 1, 3: 4},
        {1: -1, 2: 1},
    ]


# --- transactions -------------------------------------------------------------------------------------------------


def row_of(content: TransactionContent, digest: str) -> ledger.TransactionRow:
    return (
        content.number,
        content.kind,
        content.reference,
        content.at,
        content.actor_id,
        content.counter_signer_id,
        content.reverses_id,
        content.memo,
        content.item_id,
        content.quantity,
        digest,
    )


def test_an_edited_transaction_content_is_detected():
    content = TransactionContent(3, "earning", "burden.task:1", "2026-12-02T00:00:00.000000+00:00", 1, 2, None, "")
    stored = content.digest()
    edited = TransactionContent(3, "earning", "burden.task:1", "2026-12-02T00:00:00.000000+00:00", 1, 9, None, "")
    assert ledger.verify_transactions([row_of(content, stored)]) == []
    assert [str(b) for b in ledger.verify_transactions([row_of(edited, stored)])] == [
        "transaction 3: content does not match its digest (edited)"
    ]


@given(st.text(max_size=8), st.text(max_size=8), st.text(max_size=8), st.text(max_size=8))
def test_different_texts_never_share_a_digest(reference_a, memo_a, reference_b, memo_b):
    """The free texts are length-prefixed: moving characters between reference and memo changes the digest."""
    at = "2026-12-02T00:00:00.000000+00:00"
    first = TransactionContent(1, "earning", reference_a, at, 1, None, None, memo_a).digest()
    second = TransactionContent(1, "earning", reference_b, at, 1, None, None, memo_b).digest()
    assert (first == second) == ((reference_a, memo_a) == (reference_b, memo_b))


def test_absent_and_zero_fields_differ():
    at = "2026-12-02T00:00:00.000000+00:00"
    assert TransactionContent(1, "redemption", "", at, 1, None, None, "", 5, None).digest() != (
        TransactionContent(1, "redemption", "", at, 1, None, None, "", 5, 0).digest()
    )


@settings(max_examples=20)
@given(st.integers(1, 3))
def test_the_ledger_may_change_key_along_the_chain_when_both_keys_are_known(split):
    other_key, other_id = b"k2" * 16, "j" * 16
    first, *_ = build(as_transactions([(1, 2, 5)] * split))
    tail_rows: list[ledger.EntryRow] = []
    prev, seq = first[-1][5], first[-1][0]
    for number in range(split + 1, split + 3):
        for account, amount in ((2, -1), (3, 1)):
            seq += 1
            digest = "e" * 64
            digest_hash = ledger.entry_hash(other_key, other_id, prev, seq, number, account, amount, digest)
            tail_rows.append((seq, number, account, amount, prev, digest_hash, other_id, digest))
            prev = digest_hash
    rows = first + tail_rows
    assert verify(rows, seq, prev, keys={KEY_ID: KEY, other_id: other_key}).is_intact
    unknown = verify(rows, seq, prev, keys=KEYS)
    assert unknown.first_broken_seq == first[-1][0] + 1
    assert "not in the keyring" in unknown.breaches[0].reason
