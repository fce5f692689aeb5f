"""Reads of the points ledger: balances (derived from entries, never stored), statements, the catalogue.

A balance is the account's balance at the latest checkpoint plus the sum of its entries after it: two index
lookups and one range on (account, seq), however long the ledger is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Sum
from django.http import Http404

from fuhe.participation.core.ledger import GENESIS
from fuhe.participation.models import (
    Account,
    AccountKind,
    Checkpoint,
    CheckpointBalance,
    Entry,
    LedgerHead,
    RedemptionItem,
    TransactionKind,
)
from fuhe.participation.rules import can_view_account

STATEMENT_PAGE_SIZE = 50


def ledger_head() -> tuple[int, str]:
    """(number of the last entry, its hash): keep it outside the database to detect a rewrite later."""
    head = LedgerHead.objects.filter(id=1).values_list("seq", "hash").first()
    return head if head else (0, GENESIS)


def checkpoint_latest_seq() -> int:
    """The entry number of the latest checkpoint (0: none yet)."""
    return Checkpoint.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def account_balance(*, account: Account | int) -> int:
    """The account's balance: its balance at the latest checkpoint plus its entries after that checkpoint.

    One statement (the latest checkpoint's number, the account's row there by the (account, checkpoint) index,
    the sum of its later entries by the (account, seq) index); the ORM's three queries cost 5× as much."""
    account_id = account if isinstance(account, int) else account.pk
    with connection.cursor() as cursor:
        cursor.execute(_BALANCE_SQL, [account_id, account_id])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


_BALANCE_TABLE, _ENTRY_TABLE = CheckpointBalance._meta.db_table, Entry._meta.db_table
_BALANCE_SQL = (
    f"SELECT COALESCE((SELECT b.balance FROM {_BALANCE_TABLE} b"  # noqa: S608 (table names, no user input)
    " WHERE b.account_id = %s AND b.checkpoint_id = c.seq), 0)"
    f" + COALESCE((SELECT SUM(e.amount) FROM {_ENTRY_TABLE} e WHERE e.account_id = %s AND e.seq > c.seq), 0)"
    f" FROM (SELECT COALESCE(MAX(seq), 0) AS seq FROM {Checkpoint._meta.db_table}) c"
)


def account_of_person(*, person) -> Account | None:
    return Account.objects.filter(kind=AccountKind.PERSON, person=person).first()


def account_of_unit(*, unit) -> Account | None:
    return Account.objects.filter(kind=AccountKind.ORGANISATION, unit=unit).first()


def account_get(*, user, account_id: int) -> Account:
    """The account, if ``user`` may see it; missing and out of scope raise the same 404."""
    account = Account.objects.select_related("person", "unit").filter(pk=account_id).first()
    if account is None or not can_view_account(user, account):
        raise Http404("no such account")
    return account


@dataclass(frozen=True)
class StatementLine:
    seq: int
    at: datetime
    kind: str
    kind_label: str
    reference: str
    memo: str
    transaction_id: int
    amount: int
    balance_after: int


@dataclass(frozen=True)
class Statement:
    account: Account
    balance: int
    lines: list[StatementLine]
    number: int
    has_next: bool
    has_previous: bool
    total_lines: int


def account_statement(*, account: Account, page: int | str | None = 1, per_page: int = STATEMENT_PAGE_SIZE):
    """The account's entries, newest first, a page at a time, each with the balance after it."""
    entries = Entry.objects.filter(account=account).order_by("-seq")
    paginator = Paginator(entries.values_list("seq", flat=True), per_page)
    current = paginator.get_page(page)
    seqs = list(current.object_list)
    balance = account_balance(account=account)
    lines: list[StatementLine] = []
    if seqs:
        newer = Entry.objects.filter(account=account, seq__gt=seqs[0]).aggregate(total=Sum("amount"))["total"] or 0
        running = balance - newer
        rows = (
            Entry.objects.filter(seq__in=seqs)
            .select_related("transaction")
            .order_by("-seq")
            .only(
                "seq", "amount", "transaction__kind", "transaction__reference", "transaction__memo", "transaction__at"
            )
        )
        for entry in rows:
            transaction = entry.transaction
            lines.append(
                StatementLine(
                    seq=entry.seq,
                    at=transaction.at,
                    kind=transaction.kind,
                    kind_label=TransactionKind(transaction.kind).label,
                    reference=transaction.reference,
                    memo=transaction.memo,
                    transaction_id=entry.transaction_id,
                    amount=entry.amount,
                    balance_after=running,
                )
            )
            running -= entry.amount
    return Statement(
        account=account,
        balance=balance,
        lines=lines,
        number=current.number,
        has_next=current.has_next(),
        has_previous=current.has_previous(),
        total_lines=paginator.count,
    )


def redemption_items_available():
    """The catalogue: active items with stock left, cheapest first."""
    return RedemptionItem.objects.filter(is_active=True, stock__gt=0).select_related("owner").order_by("points", "name")
