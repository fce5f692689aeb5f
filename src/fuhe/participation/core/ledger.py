"""The points ledger (积分 / 时间银行): double entry, a keyed hash chain, sealed checkpoints (no Django).

Rules
-----
* A **transaction** moves integer points between accounts through its **entries**. An entry's ``amount`` is signed:
  positive credits the account (its balance grows), negative debits it. Every transaction has at least two
  entries, on distinct accounts, none of them zero, and its amounts sum to zero (``check_postings``). A balance is
  therefore never stored: it is the sum of the account's entries, and the sum of all balances is zero.
* Entries are numbered without gaps (``seq``, 1, 2, …) across the whole ledger; a transaction's entries are
  consecutive. Each entry stores the HMAC-SHA256, under the platform's audit key (the same keyring as the audit
  log, ``fuhe.audit.core.keyring``), of ``key id | previous entry's hash | seq | transaction | account | amount |
  transaction digest``. The **transaction digest** is the SHA-256 of the transaction's own content (kind,
  reference, time, actor, counter-signer, reversed transaction, memo, catalogue item and quantity), so the chain
  covers the transactions too.
* A **checkpoint** at entry ``seq`` N records every account's running balance after entry N; its HMAC covers the
  previous checkpoint's hash, N, the hash of entry N and the balances, so it is sealed in the chain. A balance is
  read as checkpoint + the entries after it; verification recomputes every checkpoint's balances from the entries.
* ``verify_ledger`` walks the entries in order and reports every breach: a gap (deleted entry), a broken link, a
  hash that does not match (edited entry, or re-chained without the key), an unknown key, an unbalanced
  transaction, a checkpoint whose balances or seal do not match, a head that does not name the last entry.

Speed: per entry one f-string and the HMAC from copies of its two precomputed SHA-256 states (``hmac_pads``),
rows as plain tuples (no objects): ~2 µs an entry.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64
NEVER = 1 << 62  # a sequence number no ledger reaches


class LedgerRuleError(ValueError):
    """A transaction the double-entry rules refuse; ``code`` says which rule (the service words it)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


TOO_FEW_ENTRIES = "too_few_entries"
SAME_ACCOUNT = "same_account"
ZERO_AMOUNT = "zero_amount"
UNBALANCED = "unbalanced"
NOT_INTEGER = "not_integer"


@dataclass(frozen=True, slots=True)
class Posting:
    """One side of a transaction: ``amount`` points credited (positive) or debited (negative) to ``account``."""

    account: int
    amount: int


def check_postings(postings: Sequence[Posting]) -> None:
    """Raise ``LedgerRuleError`` unless the postings form a valid transaction (see the module's rules)."""
    if len(postings) < 2:
        raise LedgerRuleError(TOO_FEW_ENTRIES, "a transaction needs at least two entries")
    accounts = [posting.account for posting in postings]
    if len(set(accounts)) != len(accounts):
        raise LedgerRuleError(SAME_ACCOUNT, "a transaction's entries must be on distinct accounts")
    for posting in postings:
        if type(posting.amount) is not int:
            raise LedgerRuleError(NOT_INTEGER, "points are whole numbers")
        if posting.amount == 0:
            raise LedgerRuleError(ZERO_AMOUNT, "an entry moves at least one point")
    if sum(posting.amount for posting in postings) != 0:
        raise LedgerRuleError(UNBALANCED, "a transaction's entries must sum to zero")


def transfer(source: int, target: int, points: int) -> list[Posting]:
    """The two postings moving ``points`` from ``source`` (debited) to ``target`` (credited)."""
    postings = [Posting(source, -points), Posting(target, points)]
    check_postings(postings)
    return postings


def reversal(postings: Iterable[Posting]) -> list[Posting]:
    """The postings that undo ``postings`` (the same accounts, opposite amounts)."""
    return [Posting(posting.account, -posting.amount) for posting in postings]


@dataclass(frozen=True, slots=True)
class TransactionContent:
    """What a transaction says, apart from its entries (its digest is chained with every entry)."""

    number: int
    kind: str
    reference: str
    at: str  # ISO 8601, UTC, microseconds
    actor_id: int | None
    counter_signer_id: int | None
    reverses_id: int | None
    memo: str
    item_id: int | None = None
    quantity: int | None = None

    def digest(self) -> str:
        return transaction_digest(self)


def transaction_digest(content: TransactionContent) -> str:
    return digest_of(
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
    )


def digest_of(
    number: int,
    kind: str,
    reference: str,
    at: str,
    actor_id: int | None,
    counter_signer_id: int | None,
    reverses_id: int | None,
    memo: str,
    item_id: int | None,
    quantity: int | None,
) -> str:
    """SHA-256 of ``number|kind|at|actor|counter-signer|reverses|item|quantity|<len>:reference|<len>:memo`` (an
    empty field for None): the free texts come last, each prefixed with its length, so no two contents share
    a payload."""
    payload = (
        f"{number}|{kind}|{at}|{'' if actor_id is None else actor_id}|"
        f"{'' if counter_signer_id is None else counter_signer_id}|{'' if reverses_id is None else reverses_id}|"
        f"{'' if item_id is None else item_id}|{'' if quantity is None else quantity}|"
        f"{len(reference)}:{reference}|{len(memo)}:{memo}"
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def entry_hash(
    key: bytes, key_id: str, prev_hash: str, seq: int, transaction: int, account: int, amount: int, digest: str
) -> str:
    message = f"{key_id}|{prev_hash}|{seq}|{transaction}|{account}|{amount}|{digest}".encode()
    return hmac.digest(key, message, "sha256").hex()


@dataclass(frozen=True, slots=True)
class ChainedEntry:
    seq: int
    transaction: int
    account: int
    amount: int
    prev_hash: str
    hash: str
    key_id: str


def chain_postings(
    postings: Sequence[Posting],
    *,
    transaction: int,
    digest: str,
    head_seq: int,
    head_hash: str,
    key: bytes,
    key_id: str,
) -> list[ChainedEntry]:
    """The entries of a valid transaction appended after the head (``head_seq``, ``head_hash``)."""
    check_postings(postings)
    entries = []
    prev_hash, seq = head_hash, head_seq
    for posting in postings:
        seq += 1
        digest_hash = entry_hash(key, key_id, prev_hash, seq, transaction, posting.account, posting.amount, digest)
        entries.append(ChainedEntry(seq, transaction, posting.account, posting.amount, prev_hash, digest_hash, key_id))
        prev_hash = digest_hash
    return entries


def hmac_pads(key: bytes) -> tuple[Any, Any]:
    """The two SHA-256 states HMAC starts from (RFC 2104): copying them is ~3× faster per message than
    ``hmac.digest``, which sets the key up again each time. ``entry_hash`` (``hmac``) gives the same result."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    return hashlib.sha256(bytes(byte ^ 0x36 for byte in block)), hashlib.sha256(bytes(byte ^ 0x5C for byte in block))


# --- checkpoints --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The running balances after entry ``seq`` (accounts with a zero balance left out), sealed in the chain."""

    seq: int
    entry_hash: str
    balances: Mapping[int, int]
    prev_hash: str
    hash: str
    key_id: str


def checkpoint_hash(
    key: bytes, key_id: str, prev_hash: str, seq: int, entry_hash_at_seq: str, balances: Mapping[int, int]
) -> str:
    listed = ",".join(f"{account}:{balance}" for account, balance in sorted(balances.items()) if balance)
    message = f"checkpoint|{key_id}|{prev_hash}|{seq}|{entry_hash_at_seq}|{listed}".encode()
    return hmac.digest(key, message, "sha256").hex()


def checkpoint_seal(
    *,
    seq: int,
    entry_hash_at_seq: str,
    balances: Mapping[int, int],
    prev_hash: str,
    key: bytes,
    key_id: str,
) -> Checkpoint:
    kept = {account: balance for account, balance in balances.items() if balance}
    digest = checkpoint_hash(key, key_id, prev_hash, seq, entry_hash_at_seq, kept)
    return Checkpoint(seq, entry_hash_at_seq, kept, prev_hash, digest, key_id)


def balances_after(amounts: Iterable[tuple[int, int]], start: Mapping[int, int] | None = None) -> dict[int, int]:
    """Running balances: ``start`` plus every (account, amount); zero balances dropped."""
    balances = dict(start or {})
    get = balances.get
    for account, amount in amounts:
        balances[account] = get(account, 0) + amount
    return {account: balance for account, balance in balances.items() if balance}


# --- verification -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Breach:
    """What is wrong, and where: ``seq`` is an entry's number, or a checkpoint's (its entry's), or a transaction's."""

    seq: int
    reason: str
    subject: str = "entry"  # "entry", "checkpoint" or "transaction"

    def __str__(self) -> str:
        return f"{self.subject} {self.seq}: {self.reason}"


@dataclass
class LedgerReport:
    checked: int = 0
    transactions: int = 0
    checkpoints: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    breaches: list[Breach] = field(default_factory=list)

    @property
    def is_intact(self) -> bool:
        return not self.breaches

    @property
    def first_broken_seq(self) -> int | None:
        return min((breach.seq for breach in self.breaches), default=None)


#: an entry row as verification reads it: (seq, transaction, account, amount, prev_hash, hash, key_id, digest)
EntryRow = tuple[int, int, int, int, str, str, str, str]


def verify_ledger(
    rows: Iterable[EntryRow],
    *,
    head_seq: int,
    head_hash: str,
    keys: Mapping[str, bytes],
    checkpoints: Iterable[Checkpoint] = (),
    max_breaches: int = 1000,
) -> LedgerReport:
    """Walk the entries in ``seq`` order (rows as ``EntryRow``) and check them against the rules, the keyring
    ``keys`` (key id → key) and the checkpoints (in ``seq`` order); the breaches in order of discovery, at most
    ``max_breaches`` (a rewritten ledger breaks at every entry after the rewrite)."""
    report = LedgerReport(head_seq=head_seq, head_hash=head_hash)
    breaches = report.breaches
    pending = iter(sorted(checkpoints, key=lambda checkpoint: checkpoint.seq))
    checkpoint = next(pending, None)
    next_checkpoint = checkpoint.seq if checkpoint else NEVER
    checkpoint_prev = GENESIS
    balances: dict[int, int] = {}
    get_balance = balances.get
    expected, prev_hash = 1, GENESIS
    current_key_id = ""
    inner_copy: Callable[[], Any] | None = None
    outer_copy: Callable[[], Any] | None = None
    txn, txn_sum, txn_first = 0, 0, 0
    txn_accounts: list[int] = []
    transactions = 0
    for seq, transaction, account, amount, link, stored, key_id, digest in rows:
        if seq != expected:
            breaches.append(Breach(expected, f"missing (next stored entry is {seq})"))
        if link != prev_hash:
            breaches.append(Breach(seq, "previous-hash link broken"))
        if key_id != current_key_id:
            found = keys.get(key_id)
            if found is None:
                breaches.append(Breach(seq, f"signed with key {key_id!r}, which is not in the keyring"))
                inner_copy = outer_copy = None
            else:
                inner, outer = hmac_pads(found)
                inner_copy, outer_copy = inner.copy, outer.copy
            current_key_id = key_id
        if inner_copy is not None and outer_copy is not None:
            inner_hash = inner_copy()
            inner_hash.update(f"{key_id}|{link}|{seq}|{transaction}|{account}|{amount}|{digest}".encode())
            outer_hash = outer_copy()
            outer_hash.update(inner_hash.digest())
            if outer_hash.hexdigest() != stored:
                breaches.append(Breach(seq, "content does not match its hash (edited, or re-chained without the key)"))
        if transaction != txn:
            if txn:
                _close_transaction(breaches, txn_first, txn_sum, txn_accounts)
            txn, txn_sum, txn_accounts, txn_first = transaction, 0, [], seq
            transactions += 1
        txn_sum += amount
        txn_accounts.append(account)
        balances[account] = get_balance(account, 0) + amount
        while seq >= next_checkpoint and checkpoint is not None:
            if seq == next_checkpoint:
                _check_checkpoint(breaches, checkpoint, stored, balances, checkpoint_prev, keys)
            else:
                breaches.append(Breach(checkpoint.seq, "the checkpoint's entry is missing (deleted)", "checkpoint"))
            report.checkpoints += 1
            checkpoint_prev = checkpoint.hash
            checkpoint = next(pending, None)
            next_checkpoint = checkpoint.seq if checkpoint else NEVER
        expected, prev_hash = seq + 1, stored
        report.checked += 1
        if len(breaches) >= max_breaches:
            break
    else:
        if txn:
            _close_transaction(breaches, txn_first, txn_sum, txn_accounts)
        if checkpoint is not None:
            breaches.append(Breach(checkpoint.seq, "beyond the last entry (entries deleted)", "checkpoint"))
        if expected - 1 != head_seq:
            breaches.append(Breach(head_seq, f"head says {head_seq} entries, {expected - 1} stored (deleted)"))
        elif prev_hash != head_hash:
            breaches.append(Breach(head_seq, "the last entry does not match the head"))
    report.transactions = transactions
    return report


def _close_transaction(breaches: list[Breach], first: int, total: int, accounts: list[int]) -> None:
    if total != 0:
        breaches.append(Breach(first, f"transaction does not sum to zero ({total:+d})"))
    if len(accounts) < 2 or len(set(accounts)) != len(accounts):
        breaches.append(Breach(first, "transaction needs two or more entries on distinct accounts"))


def _check_checkpoint(
    breaches: list[Breach],
    checkpoint: Checkpoint,
    entry_hash_at_seq: str,
    balances: Mapping[int, int],
    prev_hash: str,
    keys: Mapping[str, bytes],
) -> None:
    seq = checkpoint.seq
    if checkpoint.prev_hash != prev_hash:
        breaches.append(Breach(seq, "does not follow the previous checkpoint", "checkpoint"))
    if checkpoint.entry_hash != entry_hash_at_seq:
        breaches.append(Breach(seq, "names another entry hash", "checkpoint"))
    running = {account: balance for account, balance in balances.items() if balance}
    if dict(checkpoint.balances) != running:
        wrong = sorted(set(running.items()) ^ set(checkpoint.balances.items()))
        accounts = sorted({account for account, _balance in wrong})[:5]
        breaches.append(Breach(seq, f"balances differ from the entries (accounts {accounts})", "checkpoint"))
    key = keys.get(checkpoint.key_id)
    if key is None:
        reason = f"signed with key {checkpoint.key_id!r}, which is not in the keyring"
        breaches.append(Breach(seq, reason, "checkpoint"))
        return
    recomputed = checkpoint_hash(
        key, checkpoint.key_id, checkpoint.prev_hash, seq, checkpoint.entry_hash, checkpoint.balances
    )
    if not hmac.compare_digest(recomputed, checkpoint.hash):
        breaches.append(Breach(seq, "does not match its seal (edited)", "checkpoint"))


#: a transaction row as verification reads it: the fields of ``digest_of`` in order, then the stored digest
TransactionRow = tuple[int, str, str, str, int | None, int | None, int | None, str, int | None, int | None, str]


def verify_transactions(rows: Iterable[TransactionRow]) -> list[Breach]:
    """Each transaction's stored digest against its content; a breach names the transaction's number (not an
    entry's seq). The digests themselves are covered by the entries' HMACs (``verify_ledger``)."""
    breaches = []
    for row in rows:
        if digest_of(*row[:10]) != row[10]:
            breaches.append(Breach(row[0], "content does not match its digest (edited)", "transaction"))
    return breaches
