"""Burden metering at city scale: fill-once prefill of a form to every unit, and the city-wide load.

    .venv/bin/python bench/bench_burden.py [--units 10000] [--fields 50] [--runs 3] [--tasks 600] [--cases 150000]
        [--sample 100] [--keep]

Builds a synthetic city in a throw-away SQLite database (WAL mode, the project's settings): districts of 20
streets, ``--units`` communities each with a residents' committee (the units prefilled), grids, population,
a street office per street, 3 to 7 staff with weekly capacities per committee (some acting for two), a
catalogue of ``--fields`` items (the 20 default items, six of them derived by the platform, plus stored ones)
with values for 70 % of unit × stored item pairs (1 to 3 values each, the newest within its item's validity
period four times in five), ``--cases`` cases over the last 13 weeks and ``--tasks`` tasks of a quarter from
the districts' departments to streets, districts and the whole city (a realistic mix of kinds, recurrences and
statuses, effort estimated per staff member or grid as the service does, recorded effort on a tenth). Then
prints, median of ``--runs`` runs after one warm-up:

1. ``catalogue.prefill_for(units, items)`` for every committee and every item, the prefilled share, and in
   the same run two baselines: a raw SQL read of the same rows (the floor: what any implementation must
   fetch) and ``prefill_for`` called one unit at a time, as the form view does, on a sample scaled to all;
2. ``reports.load_compute`` over the city (every committee and street office, the quarter's targets, the
   cases and the staff), and a raw SQL read of the same rows as its baseline.

The throw-away database is deleted at the end unless ``--keep``. The default run takes about two minutes, a
third of it building the data.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
import _django  # noqa: E402

PROVINCE = 990_000_000_000_000
CITY = 990_100_000_000_000
STREETS_PER_DISTRICT = 20
COMMUNITIES_PER_STREET = 50
STORED_SHARE = 0.7  # unit × stored item pairs that have at least one value
VALIDITIES = (30, 90, 180, 365, None)
KINDS = {
    "form": 30,
    "inspection": 12,
    "meeting": 14,
    "campaign": 8,
    "check_in": 10,
    "ranking": 6,
    "pledge": 6,
    "other": 14,
}
RECURRENCES = {"once": 60, "weekly": 15, "biweekly": 5, "monthly": 17, "daily": 3}
STATUSES = {"admitted": 62, "admitted_assisting": 12, "approved": 6, "pending_approval": 5, "refused": 15}
DEPARTMENT_TYPES = (
    "civil_affairs",
    "human_resources",
    "emergency",
    "urban_management",
    "housing",
    "ecology",
    "health",
    "public_security",
)


def utc(moment: datetime) -> str:
    """How Django's SQLite backend stores an aware datetime: naive UTC text."""
    return str(moment.astimezone(UTC).replace(tzinfo=None))


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def insert(table: str, columns: tuple[str, ...], rows: list[tuple], batch: int = 20_000) -> None:
    from django.db import connection, transaction

    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


# --- data ----------------------------------------------------------------------------------------------------
class City:
    """What the generator created: region keys, units, items and the quarter measured."""

    def __init__(self, units: int, fields: int, tasks: int, cases: int, seed: int) -> None:
        from django.utils import timezone

        self.rng = random.Random(seed)
        self.now = timezone.now()
        today = timezone.localdate()
        self.last = today
        self.first = today - timedelta(days=13 * 7 - 1)
        self.build_regions(units)
        self.build_units()
        self.build_staff()
        self.build_catalogue(fields)
        self.build_cases(cases)
        self.build_tasks(tasks)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def build_regions(self, units: int) -> None:
        streets = max(1, math.ceil(units / COMMUNITIES_PER_STREET))
        districts = math.ceil(streets / STREETS_PER_DISTRICT)
        rows = [
            (PROVINCE, str(PROVINCE // 1000), "基准省", "province", None, "unknown", None, None, True),
            (CITY, str(CITY // 1000), "基准市", "city", PROVINCE, "unknown", None, None, True),
        ]
        self.districts, self.streets, self.communities, self.grids = [], [], [], 0
        self.grids_of: dict[int, int] = {}
        left = units
        for d in range(1, districts + 1):
            district = CITY + d * 10**9
            self.districts.append(district)
            rows.append((district, str(district // 1000), f"第{d}区", "district", CITY, "urban", None, None, True))
            for s in range(1, STREETS_PER_DISTRICT + 1):
                if left <= 0:
                    break
                street = district + s * 10**6
                self.streets.append(street)
                rows.append(
                    (street, str(street // 1000), f"第{d}区{s}街道", "street", district, "urban", None, None, True)
                )
                for c in range(1, min(COMMUNITIES_PER_STREET, left) + 1):
                    community = street + c * 1000
                    self.communities.append(community)
                    population = self.rng.randint(2000, 15000) if self.rng.random() < 0.95 else None
                    rows.append(
                        (
                            community,
                            str(community // 1000),
                            f"{d}-{s}-{c}社区",
                            "community",
                            street,
                            "urban",
                            111,
                            population,
                            True,
                        )
                    )
                    self.grids_of[community] = self.rng.randint(2, 8)
                    for g in range(1, self.grids_of[community] + 1):
                        rows.append(
                            (
                                community + g,
                                str(community + g),
                                f"第{g}网格",
                                "grid",
                                community,
                                "urban",
                                None,
                                None,
                                True,
                            )
                        )
                        self.grids += 1
                left -= min(COMMUNITIES_PER_STREET, left)
        insert(
            "org_region",
            ("id", "code", "name", "level", "parent_id", "kind", "urban_rural_code", "population", "is_generated"),
            rows,
        )

    def build_units(self) -> None:
        from fuhe.org.models import Unit

        units = [Unit(name=f"{key}居委会", kind="residents_committee", region_id=key) for key in self.communities]
        units += [Unit(name=f"{key}街道办事处", kind="street_office", region_id=key) for key in self.streets]
        units += [
            Unit(name=f"{district}{kind}", kind="department", department_type=kind, region_id=district)
            for district in self.districts
            for kind in DEPARTMENT_TYPES
        ]
        Unit.objects.bulk_create(units, batch_size=2000)
        self.committees = dict(Unit.objects.filter(kind="residents_committee").values_list("region_id", "pk"))
        self.street_offices = dict(Unit.objects.filter(kind="street_office").values_list("region_id", "pk"))
        self.departments: dict[int, list[int]] = {}
        for region_id, pk in Unit.objects.filter(kind="department").values_list("region_id", "pk"):
            self.departments.setdefault(region_id, []).append(pk)

    def build_staff(self) -> None:
        from fuhe.accounts.models import User

        rng = self.rng
        plan = []  # (unit, region, role, hours, second unit or None)
        self.staff: dict[int, int] = {}
        committee_list = list(self.committees.items())
        for index, (region, unit) in enumerate(committee_list):
            self.staff[unit] = rng.randint(3, 7)
            for _ in range(self.staff[unit]):
                second = committee_list[index - 1] if rng.random() < 0.05 and index else None
                plan.append(
                    (
                        unit,
                        region,
                        rng.choice(("community_worker", "grid_worker")),
                        "40.0" if rng.random() < 0.85 else "20.0",
                        second,
                    )
                )
        for region, unit in self.street_offices.items():
            plan.extend((unit, region, "street_dispatcher", "40.0", None) for _ in range(8))
        users = [
            User(
                username=f"bench-{n}",
                password="!",  # noqa: S106
                display_name=f"工作人员{n}",
                weekly_capacity_hours=hours,
            )
            for n, (_u, _r, _role, hours, _s) in enumerate(plan)
        ]
        User.objects.bulk_create(users, batch_size=2000)
        ids = dict(User.objects.filter(username__startswith="bench-").values_list("username", "pk"))
        created = utc(self.now)
        rows = []
        for n, (unit, region, role, _hours, second) in enumerate(plan):
            user_id = ids[f"bench-{n}"]
            rows.append((user_id, role, unit, region, created))
            if second:
                rows.append((user_id, role, second[1], second[0], created))
        insert("accounts_roleassignment", ("user_id", "role", "unit_id", "region_id", "created_at"), rows)
        self.people = len(plan)

    def build_catalogue(self, fields: int) -> None:
        from fuhe.burden.catalogue import catalogue_seed
        from fuhe.burden.models import DataItem

        catalogue_seed()
        extra = [
            DataItem(
                code=f"bench.item{n:02d}",
                name=f"基准数据项{n}",
                source="submission",
                owner="基准局",
                validity_days=VALIDITIES[n % len(VALIDITIES)],
                effort_minutes=3 + n % 12,
            )
            for n in range(max(0, fields - DataItem.objects.count()))
        ]
        DataItem.objects.bulk_create(extra)
        self.items = list(DataItem.objects.order_by("pk")[:fields])
        rng = self.rng
        rows = []
        for unit in self.committees.values():
            for item in self.items:
                if item.derivation or rng.random() >= STORED_SHARE:
                    continue
                # the newest value is younger than its validity period four times in five; older ones before it
                age = rng.uniform(0, 1.25 * (item.validity_days or 365))
                for _ in range(rng.randint(1, 3)):
                    as_of = self.now - timedelta(days=age)
                    age += rng.uniform(30, 365)
                    rows.append(
                        (
                            item.pk,
                            unit,
                            str(rng.randint(0, 500)),
                            utc(as_of),
                            rng.choice(("submission", "submission", "manual")),
                        )
                    )
        insert("burden_datavalue", ("item_id", "unit_id", "value", "as_of", "source"), rows)
        self.values = len(rows)

    def build_cases(self, count: int) -> None:
        from django.conf import settings
        from django.db import connection

        from bench_cases import CASE_COLUMNS
        from fuhe.cases.models import Category
        from fuhe.cases.services.intake import categories_seed

        with open(settings.FUHE_SHARED_DATA / "messages" / "taxonomy.csv", encoding="utf-8-sig", newline="") as f:
            categories_seed([(r["level1"], r["level2"], r["level3"]) for r in csv.DictReader(f)])
        categories = list(Category.objects.filter(level=3).values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
            first_id = cursor.fetchone()[0] + 1
        rng = self.rng
        rows = []
        for index in range(count):
            community = rng.choice(self.communities)
            created = self.now - timedelta(days=rng.uniform(0, 13 * 7 - 1))
            district = community // 10**9 * 10**9
            owner = self.committees[community] if rng.random() < 0.6 else rng.choice(self.departments[district])
            merged = first_id + index - 1 if index and rng.random() < 0.03 else None
            values = {
                "id": first_id + index,
                "tracking_code": f"B{first_id + index:09d}",
                "access_token_hash": "0",
                "channel": "hotline",
                "request_type": "help",
                "title": "诉求",
                "text": "诉求内容",
                "urgency": "normal",
                "address": "",
                "reporter_name": "",
                "reporter_phone": "",
                "is_proactive": False,
                "is_public": True,
                "created_at": utc(created),
                "request_fingerprint": "",
                "state": "merged" if merged else "in_progress",
                "deadline_uses_fallback": False,
                "hop_count": 1,
                "return_count": 0,
                "reopen_count": 0,
                "was_escalated": False,
                "reply_outcome": "",
                "reply_text": "",
                "routing": "{}",
                "merged_into_id": merged,
                "owner_unit_id": owner,
                "region_id": community + rng.randint(0, 2),
                "category_id": rng.choice(categories),
            }
            rows.append(tuple(values.get(column) for column in CASE_COLUMNS))
        insert("cases_case", CASE_COLUMNS, rows)
        self.cases = count

    def build_tasks(self, count: int) -> None:
        from fuhe.burden.models import DEFAULT_EFFORT_BASIS, DEFAULT_EFFORT_MINUTES, RECURRENCE_DAYS, Task

        rng = self.rng
        tasks, scopes = [], []
        by_street: dict[int, list[int]] = {}
        for community in self.communities:
            by_street.setdefault(community // 10**6 * 10**6, []).append(community)
        for n in range(count):
            district = rng.choice(self.districts)
            reach = rng.random()
            if reach < 0.02:
                region, level = CITY, "community"
            elif reach < 0.40:
                region, level = district, "community"
            elif reach < 0.50:
                region, level = district, "street"
            else:
                streets = [s for s in self.streets if s // 10**9 * 10**9 == district]
                region, level = rng.choice(streets), "community"
            kind, recurrence = weighted(rng, KINDS), weighted(rng, RECURRENCES)
            created = self.now - timedelta(days=rng.uniform(0, 13 * 7))
            starts = created + timedelta(days=rng.uniform(0, 5))
            due = starts + timedelta(days=rng.randint(1, 4) if recurrence == "daily" else rng.randint(3, 20))
            interval = RECURRENCE_DAYS[recurrence]
            until = min((due + timedelta(days=60)).date(), self.last) if interval else None
            tasks.append(
                Task(
                    title=f"任务{n}",
                    kind=kind,
                    sender_id=rng.choice(self.departments[district]),
                    created_at=created,
                    target_region_id=region,
                    target_level=level,
                    starts_at=starts,
                    due_at=due,
                    recurrence=recurrence,
                    recurrence_until=until,
                    effort_minutes=DEFAULT_EFFORT_MINUTES[kind],
                    status=weighted(rng, STATUSES),
                )
            )
            scopes.append((region, level))
        Task.objects.bulk_create(tasks, batch_size=1000)
        rows = []
        for task, (region, level) in zip(tasks, scopes, strict=True):
            span = {CITY: 10**11}.get(region, 10**9 if region in self.districts else 10**6)
            if level == "street":
                reached = [(s, self.street_offices[s]) for s in self.streets if region <= s < region + span]
            else:
                reached = [(c, self.committees[c]) for c in self.communities if region <= c < region + span]
            basis = DEFAULT_EFFORT_BASIS.get(task.kind)
            for region_id, unit in reached:
                # as ``services``: the prior × staff or grids, plus the form fields not prefilled
                multiplier = (
                    self.staff.get(unit, 1)
                    if basis == "staff"
                    else self.grids_of.get(region_id, 1)
                    if basis == "grid"
                    else 1
                )
                asked = 3 * rng.randint(0, 8) if task.kind == "form" else 0
                estimated = task.effort_minutes * multiplier + asked
                actual = round(estimated * rng.uniform(0.5, 2.0)) if rng.random() < 0.1 else None
                rows.append((task.pk, unit, region_id, estimated, 0, 0, 0.0, actual, False))
        insert(
            "burden_tasktarget",
            (
                "task_id",
                "unit_id",
                "region_id",
                "estimated_minutes",
                "fields_total",
                "fields_prefilled",
                "minutes_saved",
                "actual_minutes",
                "bypassed",
            ),
            rows,
        )
        self.tasks, self.targets = count, len(rows)


# --- baselines -------------------------------------------------------------------------------------------------
def raw_prefill_read(city: City, unit_ids: list[int]) -> int:
    """The rows ``prefill_for`` needs, read with plain SQL and no Python work: the floor."""
    from django.db import connection

    at = utc(city.now)
    by_validity: dict[int | None, list[int]] = {}
    for item in city.items:
        by_validity.setdefault(item.validity_days, []).append(item.pk)
    fresh, fresh_params = [], []
    for days, item_ids in by_validity.items():
        fresh.append(
            f"(item_id IN ({', '.join(['%s'] * len(item_ids))})" + (" AND as_of >= %s)" if days is not None else ")")
        )
        fresh_params += [*item_ids, *([utc(city.now - timedelta(days=days))] if days is not None else [])]
    since = utc(city.now - timedelta(days=90))
    low, high = CITY, CITY + 10**11
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, population FROM org_region WHERE id IN ({', '.join(['%s'] * len(city.communities))})",  # noqa: S608, E501
            city.communities,
        )
        n = len(cursor.fetchall())
        cursor.execute("SELECT id FROM org_region WHERE level = 'grid' AND id >= %s AND id < %s", [low, high])
        n += len(cursor.fetchall())
        cursor.execute(
            "SELECT c.region_id, k.path, c.merged_into_id FROM cases_case c LEFT JOIN cases_category k "
            "ON k.id = c.category_id WHERE c.created_at >= %s AND c.created_at <= %s AND c.region_id >= %s"
            " AND c.region_id < %s",
            [since, at, low, high],
        )
        n += len(cursor.fetchall())
        for start in range(0, len(unit_ids), 500):
            chunk = unit_ids[start : start + 500]
            cursor.execute(
                "SELECT unit_id, item_id, value, as_of, source FROM burden_datavalue "  # noqa: S608
                f"WHERE unit_id IN ({', '.join(['%s'] * len(chunk))}) AND as_of <= %s AND ({' OR '.join(fresh)})"
                " ORDER BY unit_id, item_id, as_of DESC, id DESC",
                [*chunk, at, *fresh_params],
            )
            n += len(cursor.fetchall())
    return n


def raw_load_read(city: City) -> int:
    """The rows ``load_compute`` needs (units, staff, reaching targets with their tasks, cases), plain SQL."""
    from django.db import connection

    low, high = CITY, CITY + 10**11
    start, end = utc(city.now - timedelta(days=13 * 7)), utc(city.now)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name, region_id, kind FROM org_unit WHERE region_id >= %s AND region_id < %s AND "
            "kind IN ('residents_committee', 'village_committee', 'street_office', 'township_government')"
            " AND is_active",
            [low, high],
        )
        n = len(cursor.fetchall())
        cursor.execute(
            "SELECT r.user_id, r.unit_id, u.weekly_capacity_hours FROM accounts_roleassignment r "
            "JOIN accounts_user u ON u.id = r.user_id WHERE r.unit_id IS NOT NULL AND u.is_active "
            "AND u.weekly_capacity_hours IS NOT NULL"
        )
        n += len(cursor.fetchall())
        cursor.execute(
            "SELECT t.task_id, t.unit_id, t.estimated_minutes, t.actual_minutes, k.starts_at, k.due_at, "
            "k.recurrence, k.recurrence_until, k.sender_id FROM burden_tasktarget t "
            "JOIN burden_task k ON k.id = t.task_id WHERE t.region_id >= %s AND t.region_id < %s "
            "AND (k.status IN ('admitted', 'admitted_assisting', 'approved') OR t.bypassed)",
            [low, high],
        )
        n += len(cursor.fetchall())
        cursor.execute(
            "SELECT c.owner_unit_id, c.created_at FROM cases_case c JOIN org_unit u "
            "ON u.id = c.owner_unit_id WHERE u.region_id >= %s AND u.region_id < %s "
            "AND c.created_at >= %s AND c.created_at <= %s",
            [low, high, start, end],
        )
        n += len(cursor.fetchall())
    return n


# --- main --------------------------------------------------------------------------------------------------------
def machine() -> str:
    import django

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607
    return (
        f"{cpu}, nproc={nproc}, Python {platform.python_version()}, Django {django.get_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def timed(label: str, function, runs: int, *, warm_up: bool = True) -> float:
    if warm_up:
        function()
    seconds = _django.median_seconds(function, runs)
    print(f"   {label:<62} {seconds:8.3f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000, help="communities (committees prefilled)")
    parser.add_argument("--fields", type=int, default=50, help="catalogue items on the form")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=600, help="tasks issued over the quarter")
    parser.add_argument("--cases", type=int, default=150_000, help="cases over the quarter")
    parser.add_argument("--sample", type=int, default=100, help="units prefilled one at a time (baseline)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the throw-away database")
    args = parser.parse_args()
    started = time.perf_counter()
    data_dir = _django.setup()
    from django.db import connection

    from fuhe.burden.catalogue import prefill_for
    from fuhe.burden.reports import load_compute
    from fuhe.org.models import Region, Unit

    print(
        f"machine: {machine()}; database: {connection.vendor}, "
        f"journal_mode={connection.cursor().execute('PRAGMA journal_mode').fetchone()[0]}"
    )
    city = City(args.units, args.fields, args.tasks, args.cases, args.seed)
    print(
        f"city: {len(city.districts)} districts, {len(city.streets)} streets, {len(city.communities):,} communities "
        f"with committees, {city.grids:,} grids, {city.people:,} staff; catalogue {len(city.items)} items "
        f"({sum(bool(i.derivation) for i in city.items)} derived), {city.values:,} stored values; "
        f"{city.cases:,} cases and {city.tasks} tasks ({city.targets:,} targets) over {city.first} .. {city.last}; "
        f"built in {time.perf_counter() - started:.1f} s"
    )

    units = list(Unit.objects.filter(kind="residents_committee").select_related("region").order_by("region_id"))
    unit_ids = [unit.pk for unit in units]
    print(f"\n1. prefill: {len(units):,} units × {len(city.items)} fields, median of {args.runs} runs")
    result = prefill_for(units, city.items, city.now)
    fields = sum(len(r) for r in result.values())
    prefilled = sum(f.is_prefilled for r in result.values() for f in r)
    derived = {item.code for item in city.items if item.derivation}
    prefilled_stored = sum(f.is_prefilled for r in result.values() for f in r if f.item_code not in derived)
    stored_fields = sum(1 for r in result.values() for f in r if f.item_code not in derived)
    ours = timed(
        "catalogue.prefill_for, all units at once",
        lambda: prefill_for(units, city.items, city.now),
        args.runs,
        warm_up=False,
    )  # the call above was the warm-up
    floor = timed("baseline: raw SQL read of the same rows", lambda: raw_prefill_read(city, unit_ids), args.runs)
    sample = units[: args.sample]

    def one_by_one():
        for unit in sample:
            prefill_for([unit], city.items, city.now)

    per_unit = timed(f"baseline: prefill_for one unit at a time, {len(sample)} units", one_by_one, args.runs)
    print(f"   {'  … scaled to all units':<62} {per_unit * len(units) / len(sample):8.1f} s")
    print(
        f"   prefilled share: {prefilled:,} of {fields:,} fields = {prefilled / fields:.1%} "
        f"(stored items {prefilled_stored / stored_fields:.1%}, derived items "
        f"{(prefilled - prefilled_stored) / (fields - stored_fields):.1%})"
    )
    print(
        f"   per unit: {ours / len(units) * 1000:.2f} ms; ratio raw read / prefill_for: {floor / ours:.2f}; "
        f"batch vs one at a time: {per_unit * len(units) / len(sample) / ours:.0f}× faster"
    )

    region = Region.objects.get(pk=CITY)
    load = load_compute(region=region, first=city.first, last=city.last)
    print(
        f"\n2. city-wide load, {region.name} {city.first} .. {city.last} ({load.weeks} weeks), "
        f"median of {args.runs} runs"
    )
    ours = timed(
        "reports.load_compute",
        lambda: load_compute(region=region, first=city.first, last=city.last),
        args.runs,
        warm_up=False,
    )
    floor = timed("baseline: raw SQL read of the same rows", lambda: raw_load_read(city), args.runs)
    factors = [u.factor for u in load.units if u.factor is not None]
    print(
        f"   {len(load.units):,} units ({len(load.overloaded):,} overloaded, median factor "
        f"{statistics.median(factors):.2f}), {len(load.streets)} streets, {len(load.senders)} senders, "
        f"{len(load.trend)} trend weeks; total {load.total.demanded_hours:,.0f} h demanded a week "
        f"against {load.total.capacity_hours:,.0f} h"
    )
    print(f"   ratio raw read / load_compute: {floor / ours:.2f}")
    load1, load5, _load15 = os.getloadavg()
    print(
        f"\nwhole run {time.perf_counter() - started:.0f} s; load average at the end {load1:.2f} (1 min), "
        f"{load5:.2f} (5 min) on {os.cpu_count()} cores"
    )
    connection.close()
    if os.environ["FUHE_DATA_DIR"] == data_dir and not args.keep:
        shutil.rmtree(data_dir)
    else:
        print(f"database kept in {os.environ['FUHE_DATA_DIR']}")


if __name__ == "__main__":
    main()
