"""The household register import: a 50,000-person roll, and how long it holds the database (issue 17, item 3).

    .venv/bin/python bench/bench_register.py [--people 50000] [--runs 3]

Builds, in a throw-away SQLite database (WAL mode, the project's settings; FUHE_DATABASE_URL for PostgreSQL), one
community and a roll of ``--people`` distinct resident ID numbers as a CSV exported with a title line and three
other columns. Then prints, median of ``--runs`` imports (each replacing the register in force):

1. ``services.household_register_import``: the whole import (read, check every row, digest, write, switch, remove
   the replaced entries);
2. the longest time the import holds the database's write lock: one batch of ``BATCH`` entries in its own
   transaction, and the switch (``_put_in_force``) — what a resident's report would wait for at worst;
3. beside them, in the same run, the floor: the same number of rows written by raw SQL (``executemany``) in one
   transaction, which an all-in-one-transaction import could not beat and would hold the lock for.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
import _django  # noqa: E402


def roll(people: int) -> bytes:
    """A roll as a police station exports it: a title line, household number, name, ID number, address."""
    lines = ["基准社区户籍名册", "户号,姓名,公民身份号码,住址"]
    for n in range(people):
        number = f"120101{1950 + n % 50}{1 + n // 50 % 12:02d}{1 + n // 600 % 28:02d}{n // 16800:03d}{n % 10}"
        lines.append(f"{n // 3:05d},居民{n},{number},基准路{n % 200}号")
    return "\n".join(lines).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    _django.setup()

    from django.db import connection, transaction

    from fuhe.accounts.models import User
    from fuhe.deliberation.models import HouseholdRegister, HouseholdRegisterEntry
    from fuhe.deliberation.rules import register_digest
    from fuhe.deliberation.services import household_register_import
    from fuhe.deliberation.services import register as module
    from fuhe.org.models import Region, RegionLevel

    community = Region.objects.create(
        id=990_000_000_001_000, code="990000000001", name="基准社区", level=RegionLevel.COMMUNITY
    )
    actor = User.objects.create_superuser(username="bench-admin", email="", password=None)  # no sign-in
    data = roll(args.people)
    assert len({line.split(",")[2] for line in data.decode().splitlines()[2:]}) == args.people  # distinct numbers

    switches: list[float] = []
    real_switch = module._put_in_force

    def timed_switch(actor, register):
        started = time.perf_counter()
        try:
            return real_switch(actor, register)
        finally:
            switches.append(time.perf_counter() - started)

    module._put_in_force = timed_switch
    imports = []
    for _ in range(args.runs):
        started = time.perf_counter()
        result = household_register_import(actor=actor, region=community, file=data, filename="roll.csv")
        imports.append(time.perf_counter() - started)
        assert result.people == args.people
    assert HouseholdRegisterEntry.objects.count() == args.people  # the replaced entries are gone

    # one batch in its own transaction, as the import writes it (into a register not in force, then dropped)
    spare = HouseholdRegister.objects.create(
        region=community, imported_by=actor, imported_at=result.register.imported_at, file_name="x", people=0
    )
    digests = [register_digest(f"990000{n:012d}") for n in range(module.BATCH * args.runs)]
    batches = []
    for run in range(args.runs):
        chunk = digests[run * module.BATCH : (run + 1) * module.BATCH]
        started = time.perf_counter()
        with transaction.atomic():
            HouseholdRegisterEntry.objects.bulk_create(
                [HouseholdRegisterEntry(register=spare, region=community, digest=digest) for digest in chunk]
            )
        batches.append(time.perf_counter() - started)
    HouseholdRegisterEntry.objects.filter(register=spare).delete()

    # the floor: every row in one raw transaction (what an all-in-one import would hold the lock for, at least)
    table = HouseholdRegisterEntry._meta.db_table
    floors = []
    rows = [(spare.pk, community.pk, f"{n:064d}") for n in range(args.people)]
    for _ in range(args.runs):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (register_id, region_id, digest) VALUES (%s, %s, %s)",  # noqa: S608
                rows,
            )
        floors.append(time.perf_counter() - started)
        HouseholdRegisterEntry.objects.filter(register=spare).delete()

    median = statistics.median
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {load:.1f}")
    print(f"database: {connection.vendor}; {args.people:,} people; medians of {args.runs} runs")
    print(f"whole import (read, check, digest, write, switch, clean up): {median(imports):.2f} s")
    print(f"longest hold of the write lock: one batch of {module.BATCH:,} rows {median(batches) * 1000:.0f} ms")
    print(f"  the switch {median(switches) * 1000:.1f} ms")
    floor = median(floors)
    print(f"floor: {args.people:,} rows by raw SQL in one transaction {floor:.2f} s")
    print(f"ratio: the longest hold is {max(median(batches), median(switches)) / floor:.3f} × the floor's one hold")


if __name__ == "__main__":
    main()
