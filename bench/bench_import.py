"""National division import: Fuhe's import path against the raw SQLite bulk-insert ceiling.

    .venv/bin/python bench/bench_import.py [--runs 3] [--only 12]

Prints the parse time, the write time of a first import (insert) and of a repeated one (upsert over
existing rows), the whole command's time and rate, and the rate of a bare sqlite3 ``executemany`` of the
same rows into a same-shaped table, measured in the same run, with the ratio.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="code prefixes (default: the whole country)")
    args = parser.parse_args()
    _django.setup()
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


if __name__ == "__main__":
    main()
