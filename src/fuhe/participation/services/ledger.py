"""Writes of the points ledger (积分 / 时间银行). Each is one atomic action with the acting user as keyword argument,
its audit event in the same transaction; every posting locks the ledger head, so entries are numbered and chained
one after the other and the balance checks see every earlier posting.

* ``points_account_open``: an account for a resident, a volunteer or an organisation, never for a staff member;
* ``points_earning_post``: an earning counter-signed by the task's owner (not the earner), once per reference;
* ``points_redeem``: a catalogue item paid from the redeemer's balance, its stock taken with ``F()``;
* ``points_transfer``: points from one account to another (a paired town and village exchange);
* ``points_transaction_reverse``: the correction of a transaction by its opposite (never an update);
* ``ledger_checkpoint``: seal the running balances; ``ledger_verify``: walk the chain (``core/ledger.py``).

Refusals raise ``LedgerError`` (a ``ValidationError`` naming the field), and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from fuhe.audit.services import audit_keyring, audit_record, audit_signing_key
from fuhe.org.models import Unit
from fuhe.participation.core import ledger
from fuhe.participation.core.ledger import Posting, TransactionContent
from fuhe.participation.models import (
    Account,
    AccountKind,
    Checkpoint,
    CheckpointBalance,
    Entry,
    LedgerHead,
    RedemptionItem,
    Transaction,
    TransactionKind,
)
from fuhe.participation.rules import acts_for_unit, can_reverse, earning_allowed, is_staff_person
from fuhe.participation.selectors import account_balance

MAX_POINTS = 100_000  # one posting moves at most this many points (a typo guard)
VERIFY_BATCH = 10_000


class LedgerError(ValidationError):
    """A posting the ledger refuses (turned into a 400 / form error at the edge); nothing was written."""


def _staff_refusal(field: str) -> LedgerError:
    return LedgerError(
        {
            field: _(
                "Points accounts are never opened for staff members: the 2026 rules for government apps forbid "
                "points rankings of staff."
            )
        }
    )


def _check_points(points) -> int:
    if type(points) is not int or not 0 < points <= MAX_POINTS:
        raise LedgerError({"points": _("Enter a whole number of points from 1 to %(max)s.") % {"max": MAX_POINTS}})
    return points


# --- accounts -----------------------------------------------------------------------------------------------------


def _account_for(holder, *, field: str) -> tuple[Account, bool]:
    """(the holder's account, whether it was opened now): opened on first use; a staff member is refused."""
    if isinstance(holder, Unit):
        return Account.objects.get_or_create(kind=AccountKind.ORGANISATION, unit=holder)
    if is_staff_person(holder):
        raise _staff_refusal(field)
    if not holder.is_active:
        raise LedgerError({field: _("This person's sign-in is deactivated; their points account cannot be used.")})
    return Account.objects.get_or_create(kind=AccountKind.PERSON, person=holder)


def _account_opened(actor, holder, *, field: str) -> Account:
    account, created = _account_for(holder, field=field)
    if created:
        audit_record(
            actor=actor,
            action="participation.account_opened",
            target=account,
            summary={"kind": account.kind, "person": account.person_id, "unit": account.unit_id},
        )
    return account


def points_account_open(*, actor, holder) -> Account:
    """Open the points account of ``holder`` (a resident or volunteer, or a Unit), or return the one it has."""
    with transaction.atomic():
        return _account_opened(actor, holder, field="holder")


# --- posting ------------------------------------------------------------------------------------------------------


def _head_locked() -> LedgerHead:
    head, _created = LedgerHead.objects.select_for_update(of=("self",)).get_or_create(
        id=1, defaults={"hash": ledger.GENESIS}
    )
    return head


def _signing_key() -> tuple[str, bytes]:
    """The audit keyring's current key (the ledger follows ``fuhe audit rotate-key``); created on first use."""
    ring = audit_keyring()
    if ring.current_id:
        return ring.current_id, ring.keys[ring.current_id]
    return audit_signing_key("")


def at_text(value: datetime) -> str:
    """A transaction's time as its digest covers it (UTC, microseconds). A naive value is UTC: a raw SQLite read
    gives the stored UTC time without its zone."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC).isoformat(timespec="microseconds")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def sqlite_at_text(stored: str) -> str:
    """``at_text`` of a time as SQLite stores it. Django writes UTC as ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (the
    microseconds left out when they are zero): that text is rewritten without parsing it; any other spelling (an
    offset, a row written by other means) is parsed as Django reads it."""
    if len(stored) == 26 and stored[10] == " " and stored[19] == ".":
        return f"{stored[:10]}T{stored[11:]}+00:00"
    if len(stored) == 19 and stored[10] == " ":
        return f"{stored[:10]}T{stored[11:]}.000000+00:00"
    parsed = parse_datetime(stored)
    if parsed is None:
        return stored  # not a time: the digest check reports the transaction
    return at_text(parsed)


@dataclass(frozen=True)
class _Side:
    account: Account
    amount: int


def _post(
    *,
    actor,
    kind: str,
    sides: list[_Side],
    reference: str = "",
    memo: str = "",
    counter_signer=None,
    reverses: Transaction | None = None,
    item: RedemptionItem | None = None,
    quantity: int | None = None,
    head: LedgerHead,
) -> Transaction:
    """Append one transaction after the locked ``head``: refuse a person's balance below zero, chain the entries."""
    postings = [Posting(side.account.pk, side.amount) for side in sides]
    ledger.check_postings(postings)
    for side in sides:
        if side.amount < 0 and not side.account.may_go_negative:
            balance = account_balance(account=side.account)
            if balance + side.amount < 0:
                raise LedgerError(
                    {
                        "points": _("The balance of %(account)s is %(balance)s points, less than %(points)s.")
                        % {"account": side.account, "balance": balance, "points": -side.amount}
                    }
                )
    number = head.transactions + 1
    at = timezone.now()
    content = TransactionContent(
        number=number,
        kind=kind,
        reference=reference,
        at=at_text(at),
        actor_id=actor.pk if actor is not None else None,
        counter_signer_id=counter_signer.pk if counter_signer is not None else None,
        reverses_id=reverses.pk if reverses is not None else None,
        memo=memo,
        item_id=item.pk if item is not None else None,
        quantity=quantity,
    )
    record = Transaction.objects.create(
        id=number,
        kind=kind,
        reference=reference,
        memo=memo,
        at=at,
        actor=actor,
        counter_signer=counter_signer,
        reverses=reverses,
        item=item,
        quantity=quantity,
        digest=content.digest(),
    )
    key_id, key = _signing_key()
    chained = ledger.chain_postings(
        postings,
        transaction=number,
        digest=record.digest,
        head_seq=head.seq,
        head_hash=head.hash,
        key=key,
        key_id=key_id,
    )
    Entry.objects.bulk_create(
        Entry(
            seq=entry.seq,
            transaction_id=number,
            account_id=entry.account,
            amount=entry.amount,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
            key_id=entry.key_id,
        )
        for entry in chained
    )
    head.seq, head.hash, head.key_id, head.transactions = chained[-1].seq, chained[-1].hash, key_id, number
    head.save(update_fields=["seq", "hash", "key_id", "transactions"])
    return record


def _audit(actor, action: str, record: Transaction, sides: list[_Side], **summary) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=record,
        summary={
            "kind": record.kind,
            "reference": record.reference,
            "entries": [[side.account.pk, side.amount] for side in sides],
            **summary,
        },
    )


def points_earning_post(
    *,
    actor,
    earner,
    issuer,
    points: int,
    reference: str,
    task_owner,
    service_field: str = "",
    memo: str = "",
) -> Transaction:
    """Credit ``points`` to ``earner`` for the work named by ``reference``, debited from the issuing organisation
    ``issuer`` (a Unit), counter-signed by ``actor``, who must be ``task_owner`` (the owner of the task the points
    are earned on), act for the issuer and not be the earner. A reference earns an earner points once (unless that
    earning was reversed); ``earning_allowed(earner, service_field)`` must hold (certification)."""
    points = _check_points(points)
    reference = (reference or "").strip()
    if not reference:
        raise LedgerError({"reference": _("Name the task or service record that earned the points.")})
    if task_owner is None:
        raise LedgerError({"counter_signer": _("An earning needs the counter-signature of the task's owner.")})
    if earner.pk == task_owner.pk or (actor is not None and actor.pk == earner.pk):
        raise LedgerError(
            {"counter_signer": _("The earner cannot counter-sign their own earning (self-approval is not allowed).")}
        )
    if actor is None or actor.pk != task_owner.pk:
        raise LedgerError({"counter_signer": _("Only the task's owner can counter-sign this earning.")})
    if not acts_for_unit(actor, issuer):
        raise LedgerError({"issuer": _("The counter-signer does not act for the organisation issuing the points.")})
    if not earning_allowed(earner, service_field):
        raise LedgerError({"service_field": _("The earner holds no valid certification for this field of service.")})
    with transaction.atomic():
        head = _head_locked()
        earner_account = _account_opened(actor, earner, field="earner")
        issuer_account = _account_opened(actor, issuer, field="issuer")
        claimed = Transaction.objects.filter(
            kind=TransactionKind.EARNING,
            reference=reference,
            entries__account=earner_account,
            reversed_by__isnull=True,
        )
        if claimed.exists():
            raise LedgerError({"reference": _("Points for this reference were already credited to this person.")})
        sides = [_Side(issuer_account, -points), _Side(earner_account, points)]
        record = _post(
            actor=actor,
            kind=TransactionKind.EARNING,
            sides=sides,
            reference=reference,
            memo=memo,
            counter_signer=task_owner,
            head=head,
        )
        _audit(actor, "participation.points_earned", record, sides, service_field=service_field)
    return record


def points_redeem(*, actor, item: RedemptionItem, quantity: int = 1) -> Transaction:
    """``actor`` (a resident or volunteer) spends points on ``quantity`` of a catalogue item; the points go to the
    item's owner organisation and the stock goes down. Refused above the balance or the stock."""
    if type(quantity) is not int or quantity < 1:
        raise LedgerError({"quantity": _("Enter a quantity of at least 1.")})
    with transaction.atomic():
        head = _head_locked()
        locked = RedemptionItem.objects.select_for_update(of=("self",)).filter(pk=item.pk).first()
        if locked is None or not locked.is_active:
            raise LedgerError({"item": _("This item is no longer in the catalogue.")})
        if locked.stock < quantity:
            raise LedgerError({"quantity": _("Only %(stock)s of this item are left.") % {"stock": locked.stock}})
        price = locked.points * quantity
        account = _account_opened(actor, actor, field="holder")
        sides = [_Side(account, -price), _Side(_account_opened(actor, locked.owner, field="item"), price)]
        record = _post(
            actor=actor,
            kind=TransactionKind.REDEMPTION,
            sides=sides,
            reference=f"participation.redemptionitem:{locked.pk}",
            memo=f"{locked.name} × {quantity}",
            item=locked,
            quantity=quantity,
            head=head,
        )
        RedemptionItem.objects.filter(pk=locked.pk).update(stock=F("stock") - quantity)
        _audit(actor, "participation.points_redeemed", record, sides, item=locked.pk, quantity=quantity)
    item.refresh_from_db(fields=["stock"])
    return record


def points_transfer(*, actor, source: Account, target: Account, points: int, memo: str = "") -> Transaction:
    """Move points from ``source`` to ``target``: from one's own account, or from an organisation the actor acts
    for (a town and its paired village exchanging). A person's account never goes below zero."""
    points = _check_points(points)
    if source.pk == target.pk:
        raise LedgerError({"target": _("Choose an account other than the source.")})
    if source.person_id is not None:
        allowed = actor is not None and actor.pk == source.person_id
    else:
        allowed = actor is not None and acts_for_unit(actor, source.unit)
    if not allowed:
        raise LedgerError(
            {"source": _("You can transfer only from your own account or from an organisation you act for.")}
        )
    if target.person_id is not None and is_staff_person(target.person):
        raise _staff_refusal("target")
    with transaction.atomic():
        head = _head_locked()
        sides = [_Side(source, -points), _Side(target, points)]
        record = _post(actor=actor, kind=TransactionKind.TRANSFER, sides=sides, memo=memo, head=head)
        _audit(actor, "participation.points_transferred", record, sides)
    return record


def points_transaction_reverse(*, actor, original: Transaction, reason: str) -> Transaction:
    """Undo ``original`` by a new transaction of the opposite entries (the original stays as it was). Refused for
    a reversal, for a transaction already reversed, and when a person's points were spent in the meantime."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError({"reason": _("Give the reason for the correction.")})
    if not can_reverse(actor, original):
        raise LedgerError(
            {"transaction": _("Only the person who counter-signed it or an administrator can reverse it.")}
        )
    if original.kind == TransactionKind.REVERSAL:
        raise LedgerError({"transaction": _("A reversal cannot be reversed; post a new transaction instead.")})
    with transaction.atomic():
        head = _head_locked()
        if Transaction.objects.filter(reverses=original).exists():
            raise LedgerError({"transaction": _("This transaction was already reversed.")})
        entries = list(original.entries.select_related("account__person", "account__unit").order_by("seq"))
        sides = [_Side(entry.account, -entry.amount) for entry in entries]
        record = _post(
            actor=actor,
            kind=TransactionKind.REVERSAL,
            sides=sides,
            reference=original.reference,
            memo=reason,
            reverses=original,
            head=head,
        )
        if original.item_id is not None and original.quantity:  # a redemption undone: the item is back in stock
            RedemptionItem.objects.filter(pk=original.item_id).update(stock=F("stock") + original.quantity)
        _audit(actor, "participation.points_reversed", record, sides, reverses=original.pk, reason=reason)
    return record


# --- checkpoints and verification ---------------------------------------------------------------------------------


def ledger_checkpoint(*, actor=None) -> Checkpoint | None:
    """Seal the running balances at the ledger's head (None when there is nothing new since the last checkpoint)."""
    with transaction.atomic():
        head = _head_locked()
        last = Checkpoint.objects.order_by("-seq").first()
        if head.seq == 0 or (last is not None and last.seq == head.seq):
            return None
        start: dict[int, int] = {}
        if last is not None:
            start = dict(CheckpointBalance.objects.filter(checkpoint=last).values_list("account_id", "balance"))
        after = (
            Entry.objects.filter(seq__gt=last.seq if last else 0, seq__lte=head.seq)
            .values("account_id")
            .annotate(total=Sum("amount"))
            .values_list("account_id", "total")
        )
        balances = ledger.balances_after(after, start)
        key_id, key = _signing_key()
        sealed = ledger.checkpoint_seal(
            seq=head.seq,
            entry_hash_at_seq=head.hash,
            balances=balances,
            prev_hash=last.hash if last else ledger.GENESIS,
            key=key,
            key_id=key_id,
        )
        checkpoint = Checkpoint.objects.create(
            seq=sealed.seq,
            at=timezone.now(),
            entry_hash=sealed.entry_hash,
            prev_hash=sealed.prev_hash,
            hash=sealed.hash,
            key_id=key_id,
        )
        CheckpointBalance.objects.bulk_create(
            (
                CheckpointBalance(checkpoint=checkpoint, account_id=account, balance=balance)
                for account, balance in sealed.balances.items()
            ),
            batch_size=2000,
        )
        audit_record(
            actor=actor,
            action="participation.checkpoint_sealed",
            target=checkpoint,
            summary={"seq": sealed.seq, "accounts": len(sealed.balances), "hash": sealed.hash},
        )
    return checkpoint


def _entry_rows(batch_size: int):
    """Every entry with its transaction's digest, in ``seq`` order, as plain tuples (a server-side cursor on
    PostgreSQL)."""
    entry, txn = Entry._meta.db_table, Transaction._meta.db_table
    sql = (
        f"SELECT e.seq, e.transaction_id, e.account_id, e.amount, e.prev_hash, e.hash, e.key_id, "  # noqa: S608
        f"COALESCE(t.digest, '') FROM {entry} e LEFT JOIN {txn} t ON t.id = e.transaction_id ORDER BY e.seq"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(batch_size):
            yield from rows


def _checkpoints() -> list[ledger.Checkpoint]:
    balances: dict[int, dict[int, int]] = {}
    for checkpoint_id, account, balance in CheckpointBalance.objects.values_list(
        "checkpoint_id", "account_id", "balance"
    ):
        balances.setdefault(checkpoint_id, {})[account] = balance
    return [
        ledger.Checkpoint(seq, entry_hash, balances.get(seq, {}), prev_hash, digest, key_id)
        for seq, entry_hash, prev_hash, digest, key_id in Checkpoint.objects.order_by("seq").values_list(
            "seq", "entry_hash", "prev_hash", "hash", "key_id"
        )
    ]


def _transaction_rows(batch_size: int):
    """Every transaction as ``core.ledger.TransactionRow``, in number order (plain SQL: the ORM's row building cost
    four times the read)."""
    sqlite = connection.vendor == "sqlite"
    # on SQLite the stored text itself: the driver's datetime converter and at_text cost 2 µs a row, most of the pass
    at = "CAST(at AS TEXT)" if sqlite else "at"
    columns = f"id, kind, reference, {at}, actor_id, counter_signer_id, reverses_id, memo, item_id, quantity, digest"
    sql = f"SELECT {columns} FROM {Transaction._meta.db_table} ORDER BY id"  # noqa: S608
    text = sqlite_at_text if sqlite else at_text
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(batch_size):
            for row in rows:
                yield (row[0], row[1], row[2], text(row[3]), *row[4:])


def ledger_verify(*, batch_size: int = VERIFY_BATCH, check_transactions: bool = True) -> ledger.LedgerReport:
    """Walk the whole ledger with the audit keyring: every entry's link and HMAC, every transaction's balance and
    digest, every checkpoint's balances and seal, the head."""
    head = LedgerHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, ledger.GENESIS)
    report = ledger.verify_ledger(
        _entry_rows(batch_size),
        head_seq=head_seq,
        head_hash=head_hash,
        keys=audit_keyring().keys,
        checkpoints=_checkpoints(),
    )
    if check_transactions:
        report.breaches.extend(ledger.verify_transactions(_transaction_rows(batch_size)))
        stored = Transaction.objects.count()
        expected = head.transactions if head else 0
        if stored != expected or report.transactions != expected:
            report.breaches.append(
                ledger.Breach(
                    expected,
                    f"head says {expected} transactions; {stored} stored, {report.transactions} with entries",
                    "transaction",
                )
            )
    return report
