"""Imports: the national division codes against the raw SQLite ceiling; hotline tickets against ``case_create``.

    .venv/bin/python bench/bench_import.py [--runs 3] [--only 12]
    .venv/bin/python bench/bench_import.py tickets [--runs 3] [--rows 20000]

Divisions (the default): prints the parse time, the write time of a first import (insert) and of a repeated one
(upsert over existing rows), the whole command's time and rate, and the rate of a bare sqlite3 ``executemany`` of
the same rows into a same-shaped table, measured in the same run, with the ratio.

Tickets: a CSV of ``--rows`` hotline tickets (ticket number, text, address, division code, urgency, type) imported
by ``tickets_import`` (read, every row checked, then batches of ``BATCH_SIZE``) into a fresh set of ticket numbers
each run, against the same tickets created one by one through ``case_create`` (explicit region; without and with
the import's idempotency keys), same run, with the ratio (goal >= 0.8); the re-run of an imported file (everything
skipped); and, while an import runs, a resident's ``case_create`` every 20 ms in another thread: the slowest
answer and the longest batch transaction (each batch's statements hold SQLite's write lock). Medians of ``--runs``
runs.
"""

from __future__ import annotations

import argparse
import csv
import io
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

RAW_SCHEMA = """CREATE TABLE region (id INTEGER PRIMARY KEY, code VARCHAR(15) NOT NULL UNIQUE,
    name VARCHAR(100) NOT NULL, level VARCHAR(12) NOT NULL, parent_id INTEGER REFERENCES region(id),
    kind VARCHAR(8) NOT NULL, urban_rural_code INTEGER, population INTEGER, geometry TEXT,
    is_generated BOOL NOT NULL)"""


def raw_sqlite_insert(rows) -> float:
    path = Path(tempfile.mkdtemp(prefix="fuhe-raw-")) / "raw.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + RAW_SCHEMA)
    connection.execute("CREATE INDEX region_name ON region(name)")
    connection.execute("CREATE INDEX region_parent ON region(parent_id)")
    values = [
        (r.key, r.code, r.name, r.level.value, r.parent_key, r.kind.value, r.urban_rural_code, r.population, False)
        for r in rows
    ]
    started = time.perf_counter()
    with connection:
        connection.executemany(
            "INSERT INTO region (id, code, name, level, parent_id, kind, urban_rural_code, "
            "population, is_generated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", choices=("divisions", "tickets"), default="divisions")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="code prefixes (default: the whole country)")
    parser.add_argument("--rows", type=int, default=20_000, help="tickets per import (tickets)")
    args = parser.parse_args()
    _django.setup()
    if args.what == "tickets":
        bench_tickets(rows=args.rows, runs=args.runs)
        return
    bench_divisions(args)


def bench_divisions(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.db import connection

    from fuhe.org.core.divisions import Selection, parse_directory
    from fuhe.org.services import regions_import

    directory = settings.FUHE_SHARED_DATA / "divisions"
    selection = Selection(tuple(p for p in args.only.split(",") if p))
    parse_seconds = _django.median_seconds(lambda: parse_directory(directory, selection), args.runs)
    rows = parse_directory(directory, selection).rows

    def truncate():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM org_region")

    insert_seconds = _django.median_seconds(lambda: regions_import(actor=None, rows=rows), args.runs, before=truncate)
    upsert_seconds = _django.median_seconds(lambda: regions_import(actor=None, rows=rows), args.runs)
    raw_seconds = statistics.median(raw_sqlite_insert(rows) for _ in range(args.runs))
    n = len(rows)
    print(f"rows: {n:,} ({connection.vendor}); median of {args.runs} runs")
    print(f"parse (CSV + gzip + validation):   {parse_seconds:6.2f} s")
    print(f"write, first import (insert):      {insert_seconds:6.2f} s  {n / insert_seconds:>10,.0f} rows/s")
    print(f"write, repeated import (upsert):   {upsert_seconds:6.2f} s  {n / upsert_seconds:>10,.0f} rows/s")
    total = parse_seconds + insert_seconds
    print(f"whole import (parse + insert):     {total:6.2f} s  {n / total:>10,.0f} rows/s")
    print(f"ceiling, raw sqlite3 executemany:  {raw_seconds:6.2f} s  {n / raw_seconds:>10,.0f} rows/s")
    print(f"ratio Fuhe write / raw ceiling:    {raw_seconds / insert_seconds:6.2f}")


# --- hotline tickets ---------------------------------------------------------------------------------------
TICKET_HEADER = ["工单编号", "受理时间", "联系电话", "诉求地址", "区划代码", "诉求内容", "紧急程度", "诉求类型"]
TEXTS = ("楼道堆放杂物，存在消防隐患", "小区路灯不亮，夜间出行不便", "下水道堵塞，污水外溢", "噪音扰民，夜间施工")


def ticket_world():
    """A district with two streets of five communities each (regions and their committees) and its administrator."""
    from fuhe.accounts.models import Role, RoleAssignment, User
    from fuhe.org.core.divisions import Level, key_from_code
    from fuhe.org.models import Region, RegionKind, Unit, UnitKind

    def region(code: str, name: str, level: Level, parent=None, kind=RegionKind.UNKNOWN) -> Region:
        return Region.objects.create(
            id=key_from_code(code, level), code=code.ljust(12, "0"), name=name, level=level, parent=parent, kind=kind
        )

    city = region("1201", "市辖区", Level.CITY, region("12", "天津市", Level.PROVINCE))
    district = region("120101", "和平区", Level.DISTRICT, city)
    Unit.objects.create(name="和平区人民政府", kind=UnitKind.DISTRICT_GOVERNMENT, region=district)
    communities = []
    for street_number in (1, 2):
        street = region(f"120101{street_number:03d}", f"第{street_number}街道", Level.STREET, district)
        Unit.objects.create(name=f"第{street_number}街道办事处", kind=UnitKind.STREET_OFFICE, region=street)
        for number in range(1, 6):
            code = f"120101{street_number:03d}{number:03d}"
            community = region(code, f"街{street_number}第{number}社区", Level.COMMUNITY, street, RegionKind.URBAN)
            Unit.objects.create(name=f"{community.name}居委会", kind=UnitKind.RESIDENTS_COMMITTEE, region=community)
            communities.append(community)
    admin = User.objects.create_user(username="bench-admin", password="bench-password-2026")  # noqa: S106
    RoleAssignment.objects.create(user=admin, role=Role.ADMINISTRATOR, region=district)
    return admin, communities


def ticket_rows(prefix: str, count: int, communities) -> list[list[str]]:
    rows = []
    for index in range(count):
        community = communities[index % len(communities)]
        rows.append(
            [
                f"{prefix}{index:07d}",
                f"2026-11-{1 + index % 28:02d} 08:{index % 60:02d}",
                f"1390000{index % 10_000:04d}",
                f"{community.name}{1 + index % 60}号楼",
                community.code,
                f"{TEXTS[index % len(TEXTS)]}（{index}）",
                "紧急" if index % 7 == 0 else "一般",
                "投诉" if index % 3 == 0 else "求助",
            ]
        )
    return rows


def ticket_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TICKET_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


class _Resident(threading.Thread):
    """A resident reporting through ``case_create`` every ``interval`` seconds until stopped: the answer times."""

    def __init__(self, region, interval: float = 0.02):
        super().__init__(daemon=True)
        self.region, self.interval, self.times = region, interval, []
        self.stopping = threading.Event()

    def run(self) -> None:
        from django.db import connection

        from fuhe.cases.services.intake import case_create

        try:
            while not self.stopping.wait(self.interval):
                started = time.perf_counter()
                case_create(actor=None, channel="web", text="楼下井盖缺失", address="花园路", region=self.region)
                self.times.append(time.perf_counter() - started)
        finally:
            connection.close()


def bench_tickets(*, rows: int, runs: int) -> None:
    from django.db import connection

    from fuhe.cases.services import ticket_import
    from fuhe.cases.services.intake import case_create
    from fuhe.cases.services.ticket_import import BATCH_SIZE, read_table, tickets_import

    admin, communities = ticket_world()
    by_code = {community.code: community for community in communities}
    import_s, create_s, keyed_s, rerun_s, answers, holds = [], [], [], [], [], []
    original_write = ticket_import._batch_write

    def timed_write(*args, **kwargs):
        started = time.perf_counter()
        marks = {}
        on_batch = kwargs["on_batch"]

        def mark(done):
            marks["end"] = time.perf_counter()  # the batch's statements are done: only the commit follows
            if on_batch is not None:
                on_batch(done)

        kwargs["on_batch"] = mark
        built = ticket_import._rows
        first = {}

        def rows_timed(*a, **k):
            result = built(*a, **k)
            first["built"] = time.perf_counter()
            return result

        ticket_import._rows = rows_timed
        try:
            done = original_write(*args, **kwargs)
        finally:
            ticket_import._rows = built
        holds.append(time.perf_counter() - first.get("built", started))
        return done

    for run in range(runs):
        table = ticket_rows(f"R{run}-", rows, communities)
        data = ticket_csv(table)
        resident = _Resident(communities[0])
        ticket_import._batch_write = timed_write
        resident.start()
        started = time.perf_counter()
        header, parsed = read_table(io.BytesIO(data), "tickets.csv")
        result = tickets_import(actor=admin, header=header, rows=parsed, mapping=None, source="bench")
        import_s.append(time.perf_counter() - started)
        resident.stopping.set()
        resident.join()
        ticket_import._batch_write = original_write
        answers.extend(resident.times)
        assert result.created == rows, result
        started = time.perf_counter()
        header, parsed = read_table(io.BytesIO(data), "tickets.csv")
        again = tickets_import(actor=admin, header=header, rows=parsed, mapping=None, source="bench")
        rerun_s.append(time.perf_counter() - started)
        assert again.skipped_existing == rows, again
        for keyed, times in ((False, create_s), (True, keyed_s)):
            started = time.perf_counter()
            for row in ticket_rows(f"C{run}{keyed:d}-", rows, communities):
                case_create(
                    actor=admin,
                    channel="import",
                    text=row[5],
                    address=row[3],
                    region=by_code[row[4]],
                    urgency="urgent" if row[6] == "紧急" else "normal",
                    request_type="complaint" if row[7] == "投诉" else "help",
                    reporter_phone=row[2],
                    idempotency_key=f"import:{row[0]}" if keyed else None,
                )
            times.append(time.perf_counter() - started)
    imp, create, keyed, rerun = (statistics.median(values) for values in (import_s, create_s, keyed_s, rerun_s))
    print(f"tickets: {rows:,} per import ({connection.vendor}), batches of {BATCH_SIZE}; median of {runs} runs")
    print(f"import (read, check, write in batches):  {imp:6.2f} s  {rows / imp:>8,.0f} rows/s")
    print(f"re-run of the same file (all skipped):   {rerun:6.2f} s  {rows / rerun:>8,.0f} rows/s")
    print(f"baseline, case_create one by one:        {create:6.2f} s  {rows / create:>8,.0f} rows/s")
    print(f"  the same with the import's keys:       {keyed:6.2f} s  {rows / keyed:>8,.0f} rows/s")
    print(f"ratio import / case_create:              {create / imp:6.2f}  (goal >= 0.8)")
    print(f"ratio import / case_create with keys:    {keyed / imp:6.2f}")
    answers.sort()
    print(
        f"a resident's case_create during the imports: {len(answers)} answers, median "
        f"{statistics.median(answers) * 1000:.1f} ms, slowest {answers[-1] * 1000:.0f} ms"
    )
    print(f"longest batch transaction (statements and commit): {max(holds) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
