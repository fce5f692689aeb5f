"""The points ledger at 1,000,000 entries: full verification and a balance read (issue 17, item 7).

    .venv/bin/python bench/bench_ledger.py [--entries 1000000] [--people 20000] [--units 200] [--runs 3]
        [--reads 300] [--after 10000] [--keep]

Builds, in a throw-away SQLite database (WAL mode, the project's settings; FUHE_DATABASE_URL for PostgreSQL),
``--people`` residents' accounts and ``--units`` organisations' accounts, then ``--entries`` entries: earnings
(an organisation to a person, 60 %), transfers (person to person, 25 %; organisation to organisation, 5 %) and
redemptions (a person to an organisation, 10 %), each a transaction of two entries chained with the platform's
key exactly as ``services._post`` chains them (written in bulk, the services' per-posting overhead left out); a
checkpoint is sealed by ``ledger_checkpoint`` ``--after`` entries before the end. Then prints, median of
``--runs`` runs:

1. ``services.ledger_verify()``: every entry's link and HMAC, every transaction's zero sum and digest, the
   checkpoint's balances and seal, the head (goal < 5 s); beside it in the same run two baselines: the floor
   (the raw SQL read of the same rows, nothing checked) and ``core.ledger.verify_ledger`` over rows already in
   memory (the checking alone);
2. ``selectors.account_balance()`` over ``--reads`` random accounts (goal < 5 ms each), beside a naive
   ``SUM(amount)`` over all the account's entries (the same index), and a SUM over the whole entry table
   filtered by account without the (account, seq) index's help (``+0`` on the column, a full scan).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
UNUSABLE = "!"  # noqa: S105 (the password no sign-in matches)
sys.path.insert(0, str(BENCH_DIR))
import _django  # noqa: E402


def build(args, rng: random.Random) -> dict:
    from django.db import connection, transaction

    from fuhe.accounts.models import User
    from fuhe.org.models import Region, RegionLevel, Unit, UnitKind
    from fuhe.participation.core import ledger
    from fuhe.participation.core.ledger import TransactionContent
    from fuhe.participation.models import Account, Entry, LedgerHead, Transaction
    from fuhe.participation.services import _signing_key, at_text

    region = Region.objects.create(
        id=990_000_000_000_000, code="990000000000", name="基准省", level=RegionLevel.PROVINCE
    )
    units = Unit.objects.bulk_create(
        Unit(name=f"基准社区{n}", kind=UnitKind.RESIDENTS_COMMITTEE, region=region) for n in range(args.units)
    )
    people = User.objects.bulk_create(
        User(username=f"resident{n}", display_name=f"居民{n}", password=UNUSABLE) for n in range(args.people)
    )
    Account.objects.bulk_create(Account(kind="organisation", unit=unit) for unit in units)
    Account.objects.bulk_create(Account(kind="person", person=person) for person in people)
    organisations = list(Account.objects.filter(kind="organisation").values_list("id", flat=True))
    persons = list(Account.objects.filter(kind="person").values_list("id", flat=True))
    actor = people[0].pk
    key_id, key = _signing_key()
    entry_table, txn_table = Entry._meta.db_table, Transaction._meta.db_table
    txn_sql = (
        f"INSERT INTO {txn_table} (id, kind, reference, memo, at, actor_id, counter_signer_id, reverses_id, item_id, "  # noqa: S608
        "quantity, digest) VALUES (%s, %s, %s, '', %s, %s, NULL, NULL, NULL, NULL, %s)"
    )
    entry_sql = (
        f"INSERT INTO {entry_table} (seq, transaction_id, account_id, amount, prev_hash, hash, key_id) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    balances: dict[int, int] = {}
    head_seq, head_hash, number = 0, ledger.GENESIS, 0
    start = datetime(2026, 1, 1, tzinfo=UTC)
    txns, entries = [], []
    started = time.perf_counter()

    def flush() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(txn_sql, txns)
            cursor.executemany(entry_sql, entries)
        txns.clear()
        entries.clear()

    while head_seq < args.entries:
        number += 1
        draw = rng.random()
        points = rng.randint(1, 60)
        if draw < 0.60:
            kind, source, target = "earning", rng.choice(organisations), rng.choice(persons)
        elif draw < 0.85:
            kind, source, target = "transfer", rng.choice(persons), rng.choice(persons)
        elif draw < 0.90:
            kind, source, target = "transfer", rng.choice(organisations), rng.choice(organisations)
        else:
            kind, source, target = "redemption", rng.choice(persons), rng.choice(organisations)
        if source == target:
            target = organisations[0] if source != organisations[0] else organisations[1]
        at = start + timedelta(seconds=number * 7, microseconds=number * 997 % 1_000_000)  # a few whole seconds
        content = TransactionContent(number, kind, f"bench:{number}", at_text(at), actor, None, None, "")
        digest = content.digest()
        chained = ledger.chain_postings(
            ledger.transfer(source, target, points),
            transaction=number,
            digest=digest,
            head_seq=head_seq,
            head_hash=head_hash,
            key=key,
            key_id=key_id,
        )
        # stored as the ORM stores it (on SQLite naive UTC text, microseconds left out when zero)
        txns.append((number, kind, f"bench:{number}", connection.ops.adapt_datetimefield_value(at), actor, digest))
        for entry in chained:
            entries.append((entry.seq, number, entry.account, entry.amount, entry.prev_hash, entry.hash, key_id))
            balances[entry.account] = balances.get(entry.account, 0) + entry.amount
        head_seq, head_hash = chained[-1].seq, chained[-1].hash
        if len(entries) >= 50_000:
            flush()
        if head_seq == args.entries - args.after:
            flush()
            LedgerHead.objects.update_or_create(
                id=1, defaults={"seq": head_seq, "hash": head_hash, "key_id": key_id, "transactions": number}
            )
            from fuhe.participation.services import ledger_checkpoint

            ledger_checkpoint(actor=None)
    flush()
    LedgerHead.objects.update_or_create(
        id=1, defaults={"seq": head_seq, "hash": head_hash, "key_id": key_id, "transactions": number}
    )
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            cursor.execute(f"ANALYZE {entry_table}")
    print(f"built {head_seq:,} entries / {number:,} transactions in {time.perf_counter() - started:.1f} s")
    return {"balances": balances, "accounts": organisations + persons, "head": (head_seq, head_hash)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--after", type=int, default=10_000, help="entries after the checkpoint")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    args.entries -= args.entries % 2
    args.after -= args.after % 2
    data_dir = _django.setup()
    from django.db import connection
    from django.db.models import Sum

    from fuhe.audit.services import audit_keyring
    from fuhe.participation.core import ledger
    from fuhe.participation.models import Entry
    from fuhe.participation.selectors import account_balance, ledger_head
    from fuhe.participation.services import _checkpoints, _entry_rows, ledger_verify

    rng = random.Random(17)
    built = build(args, rng)
    print(
        f"{platform.python_implementation()} {platform.python_version()}, {connection.vendor}, "
        f"{os.cpu_count()} CPUs; median of {args.runs} runs"
    )

    # 1. verification
    report = ledger_verify()
    assert report.is_intact and report.checked == args.entries, report.breaches[:3]
    full = _django.median_seconds(ledger_verify, args.runs)
    entries_only = _django.median_seconds(lambda: ledger_verify(check_transactions=False), args.runs)
    floor = _django.median_seconds(lambda: sum(1 for _row in _entry_rows(10_000)), args.runs)
    rows = list(_entry_rows(10_000))
    keys = audit_keyring().keys
    checkpoints = _checkpoints()
    head_seq, head_hash = ledger_head()
    core = _django.median_seconds(
        lambda: ledger.verify_ledger(rows, head_seq=head_seq, head_hash=head_hash, keys=keys, checkpoints=checkpoints),
        args.runs,
    )
    rows.clear()
    print(f"\n1. verify {args.entries:,} entries ({report.transactions:,} transactions, 1 checkpoint)")
    print(f"   ledger_verify (entries + transactions + checkpoint): {full:.2f} s   goal < 5 s")
    print(f"   ledger_verify, entries and checkpoint only:          {entries_only:.2f} s")
    print(f"   baseline: raw read of the entry rows (floor):        {floor:.2f} s")
    per_entry = core / args.entries * 1e6
    print(f"   baseline: verify_ledger over rows in memory:         {core:.2f} s  ({per_entry:.2f} µs/entry)")

    # 2. balance reads
    sample = rng.sample(built["accounts"], min(args.reads, len(built["accounts"])))
    for account in sample[:50]:
        assert account_balance(account=account) == built["balances"].get(account, 0)

    def timed(function) -> list[float]:
        times = []
        for account in sample:
            started = time.perf_counter()
            function(account)
            times.append(time.perf_counter() - started)
        return times

    def naive(account: int) -> int:
        return Entry.objects.filter(account_id=account).aggregate(total=Sum("amount"))["total"] or 0

    table = Entry._meta.db_table

    def scan(account: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(SUM(amount), 0) FROM {table} WHERE account_id + 0 = %s", [account])  # noqa: S608
            return cursor.fetchone()[0]

    derived = timed(lambda account: account_balance(account=account))
    summed = timed(naive)
    scanned: list[float] = []
    for account in sample[:5]:
        started = time.perf_counter()
        scan(account)
        scanned.append(time.perf_counter() - started)
    p95 = sorted(derived)[int(len(derived) * 0.95) - 1]
    print(f"\n2. balance read over {len(sample)} random accounts ({args.after:,} entries after the checkpoint)")
    print(
        f"   account_balance (checkpoint + entries after it): median {statistics.median(derived) * 1e3:.2f} ms, "
        f"p95 {p95 * 1e3:.2f} ms   goal < 5 ms"
    )
    print(f"   baseline: naive SUM over the account's entries:   median {statistics.median(summed) * 1e3:.2f} ms")
    print(f"   baseline: SUM by a full scan (no index), 5 reads: median {statistics.median(scanned) * 1e3:.1f} ms")
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
