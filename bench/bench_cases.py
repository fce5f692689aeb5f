"""Cases: intake throughput (service layer and HTTP) and worklist / three-rate query latency at volume.

    .venv/bin/python bench/bench_cases.py [--cases 100000] [--skip-http] [--runs 3] [--n 2000]

Builds the demo organisation (天津市和平区 and 蓟州区 with units and people) in a throw-away SQLite database,
bulk-inserts ``--cases`` synthetic cases (raw ``executemany``, valid foreign keys, a realistic spread of states,
deadlines and ratings over the last year), then prints:

1. query latency, p50/p95 over ``--query-runs`` runs: the worklist of a street dispatcher (open; open and
   overdue; text search), the dispatch queue, a department handler's open worklist, each as the first 50 rows
   (what the worklist serves: it fetches 51 rows and no count) and with a paginator's count added (what it served
   before); the three rates of a district over a month, counted in SQL as the page does
   (``fuhe.cases.metrics.case_rates``) and, for comparison, per case as until 2026-12-01 (rows queried,
   ``CaseOutcome`` built, ``compute_rates``), with a check that both give the same figures; the street
   dispatcher's three-rates page by unit over 30 days (``rates_by``: scope and counts); and EXPLAIN QUERY PLAN of
   the worklist queries;
2. cases created per second through ``case_create`` (validation, explicit region, event, audit row, routing
   queued for the background worker), median of ``--runs`` runs of ``--n``, against a bare ORM save of the same
   case and a bare one-row INSERT, same run; then how fast the background worker routes the queued cases
   against the demo duty list (recommendation, owner, similar cases; auto-dispatch when confident);
3. unless ``--skip-http``: requests per second over HTTP against gunicorn on 127.0.0.1 (sync and gthread
   workers) for a JSON intake view calling ``case_create`` and a bare one-row-insert view (the ceiling), both
   from ``bench/_bench_urls.py`` through the project's middleware, with the ratio. The load comes from ``wrk``
   (one thread, ``--clients`` keep-alive connections, a Lua script cycling through JSON bodies) when it is
   installed (``apt-get install wrk``), else from Python client threads (``--load python``), which take much
   of the two cores themselves.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import math
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
import _django  # noqa: E402

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BARE_TABLE = "bench_bare"
BARE_SCHEMA = f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)"
SEARCH_WORD = "噪音"  # in about 2 % of the messages
CASE_COLUMNS = (
    "id",
    "tracking_code",
    "access_token_hash",
    "channel",
    "request_type",
    "title",
    "text",
    "urgency",
    "address",
    "reporter_name",
    "reporter_phone",
    "is_proactive",
    "is_public",
    "created_at",
    "request_fingerprint",
    "state",
    "dispatched_at",
    "accepted_at",
    "acceptance_due",
    "resolution_due",
    "deadline_uses_fallback",
    "hop_count",
    "return_count",
    "reopen_count",
    "was_escalated",
    "replied_at",
    "reply_outcome",
    "reply_text",
    "replied_on_time",
    "accepted_on_time",
    "rated_at",
    "rating_resolved",
    "rating_satisfied",
    "closed_at",
    "routing",
    "merged_into_id",
    "owner_unit_id",
    "region_id",
    "category_id",
)
# state mix of cases received in the last 30 days, and of older ones (a few stuck open, hence overdue)
RECENT_STATES = {
    "received": 5,
    "dispatched": 10,
    "accepted": 10,
    "in_progress": 25,
    "returned": 2,
    "under_review": 1,
    "escalated": 2,
    "reopened": 2,
    "replied": 15,
    "rated": 10,
    "closed": 15,
    "merged": 2,
    "dismissed": 1,
}
OLD_STATES = {"closed": 84, "rated": 6, "merged": 4, "dismissed": 2, "in_progress": 2, "replied": 2}
DISPATCHED_STATES = {
    "dispatched",
    "accepted",
    "in_progress",
    "returned",
    "escalated",
    "reopened",
    "replied",
    "rated",
    "closed",
    "under_review",
}
ACCEPTED_STATES = {"accepted", "in_progress", "escalated", "reopened", "replied", "rated", "closed"}
REPLIED_STATES = {"replied", "rated", "closed", "reopened"}
RATED_STATES = {"rated", "closed", "reopened"}


# --- helpers -----------------------------------------------------------------------------------------------
def percentiles_ms(function: Callable[[], object], runs: int, warmup: int = 3) -> tuple[float, float]:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20, method="inclusive")[18]


def messages() -> list[dict]:
    from django.conf import settings

    with open(settings.FUHE_SHARED_DATA / "messages" / "labelled_train.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def utc(moment: datetime) -> str:
    """How Django's SQLite backend stores an aware datetime: naive UTC text."""
    return str(moment.astimezone(UTC).replace(tzinfo=None))


# --- data ------------------------------------------------------------------------------------------------
class World:
    """The demo organisation, and what the generator and the queries need from it."""

    def __init__(self) -> None:
        from fuhe.accounts.models import Role, RoleAssignment, User
        from fuhe.org.core.divisions import Level
        from fuhe.org.models import DepartmentType, Region, Unit, UnitKind

        self.districts = list(Region.objects.filter(level=Level.DISTRICT).order_by("id"))
        self.urban = self.districts[0]  # 和平区
        committees = {
            u.region_id: u.id
            for u in Unit.objects.filter(kind__in=[UnitKind.RESIDENTS_COMMITTEE, UnitKind.VILLAGE_COMMITTEE])
        }
        grids: dict[int, list[int]] = {}
        for grid_id, parent_id in Region.objects.filter(level=Level.GRID).values_list("id", "parent_id"):
            grids.setdefault(parent_id, []).append(grid_id)
        self.communities: dict[int, list[tuple[int, str, int, list[int]]]] = {}  # district → communities
        self.departments: dict[int, list[int]] = {}
        for district in self.districts:
            low, high = district.subtree
            self.communities[district.id] = [
                (c.id, c.name, committees[c.id], grids.get(c.id, []))
                for c in Region.objects.filter(level=Level.COMMUNITY, id__gte=low, id__lt=high).order_by("id")
            ]
            self.departments[district.id] = list(
                Unit.objects.filter(kind=UnitKind.DEPARTMENT, region=district)
                .exclude(department_type=DepartmentType.BURDEN_OFFICE)
                .order_by("id")
                .values_list("id", flat=True)[:7]
            )
        self.dispatcher = User.objects.get(username="hp-dispatcher")
        self.handler = User.objects.get(username="hp-urban-management")
        self.handler_unit = RoleAssignment.objects.get(user=self.handler, role=Role.DEPARTMENT_HANDLER).unit_id
        self.dispatcher_street = RoleAssignment.objects.get(user=self.dispatcher, role=Role.STREET_DISPATCHER).region


def build_world(divisions: Path) -> World:
    from fuhe.cases.services.intake import categories_seed
    from fuhe.demo.services import demo_build
    from fuhe.routing.demo import demo_routing_seed

    demo_build(divisions_dir=divisions, password="bench-password-2026")  # noqa: S106 (throw-away database)
    taxonomy = divisions.parent / "messages" / "taxonomy.csv"
    with open(taxonomy, encoding="utf-8-sig", newline="") as handle:
        categories_seed([(r["level1"], r["level2"], r["level3"]) for r in csv.DictReader(handle)])
    # the demo duty list in force and its first model, so that routing on intake has something to do
    demo_routing_seed(taxonomy_path=taxonomy)
    return World()


def generate_cases(world: World, count: int, *, seed: int = 2026, batch: int = 20_000) -> float:
    """Insert ``count`` cases with raw ``executemany``, and their search terms (``fuhe.cases.core.search``) as
    intake writes them; returns the seconds taken (generation included)."""
    from django.db import connection, transaction

    from fuhe.cases.core.search import search_terms
    from fuhe.cases.models import Category

    rng = random.Random(seed)
    texts = [(m["title"][:120], m["text"][:300]) for m in messages()]
    categories = list(Category.objects.filter(level=1).values_list("id", flat=True))
    now = datetime.now(UTC)
    recent_states, recent_weights = zip(*RECENT_STATES.items(), strict=True)
    old_states, old_weights = zip(*OLD_STATES.items(), strict=True)
    urban, rural = world.districts
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
        first_id = cursor.fetchone()[0] + 1
    codes: set[str] = set()
    sql = (
        f"INSERT INTO cases_case ({', '.join(CASE_COLUMNS)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(CASE_COLUMNS))})"
    )
    # as intake and the worker write them: SQLite's FTS5 index (and its mark), PostgreSQL's table with a GIN index
    search_sql = (
        "INSERT INTO cases_casesearch_fts (rowid, terms) VALUES (%s, %s)"
        if connection.vendor == "sqlite"
        else "INSERT INTO cases_casesearch (case_id, terms) VALUES (%s, %s)"
    )
    started = time.perf_counter()
    rows, search_rows = [], []
    for index in range(count):
        case_id = first_id + index
        district = urban if rng.random() < 0.6 else rural
        community_id, community_name, committee_id, grids = rng.choice(world.communities[district.id])
        region_id = rng.choice(grids) if grids and rng.random() < 0.5 else community_id
        age = timedelta(days=rng.uniform(0, 365))
        created = now - age
        if age < timedelta(days=30):
            state = rng.choices(recent_states, recent_weights)[0]
        else:
            state = rng.choices(old_states, old_weights)[0]
        while (code := "F" + "".join(rng.choices(ALPHABET, k=9))) in codes:
            pass
        codes.add(code)
        title, text = texts[index % len(texts)]
        dispatched = accepted = acceptance_due = resolution_due = replied = rated = closed = None
        accepted_on_time = replied_on_time = rating_resolved = rating_satisfied = None
        owner = merged_into = None
        returns = 1 if state == "returned" or rng.random() < 0.05 else 0
        reopens = 1 if state == "reopened" else 0
        if state in DISPATCHED_STATES:
            dispatched = created + timedelta(minutes=rng.uniform(5, 240))
            owner = rng.choice(world.departments[district.id]) if rng.random() < 0.35 else committee_id
            acceptance_due = dispatched + timedelta(days=1)
            resolution_due = dispatched + timedelta(days=15)
        if state in ACCEPTED_STATES:
            accepted = min(dispatched + timedelta(hours=rng.uniform(0.5, 30)), now)
            accepted_on_time = accepted <= acceptance_due
        if state in REPLIED_STATES:
            replied = min(dispatched + timedelta(days=rng.uniform(1, 18)), now)
            replied_on_time = replied <= resolution_due
        if state in RATED_STATES and rng.random() < 0.9:
            rated = min(replied + timedelta(days=rng.uniform(0.5, 3)), now)
            rating_resolved = rng.random() < 0.8
            rating_satisfied = rng.random() < 0.85
            reopens = reopens or (1 if rng.random() < 0.03 else 0)
        if state == "closed":
            closed = min((rated or replied) + timedelta(days=rng.uniform(0, 2)), now)
        if state == "merged" and index:
            merged_into = case_id - rng.randint(1, min(index, 500))
        rows.append(
            (
                case_id,
                code,
                "0" * 64,
                rng.choice(("hotline", "hotline", "web", "patrol", "api")),
                "help",
                title,
                text,
                "normal",
                f"{community_name}{rng.randint(1, 60)}号楼",
                "",
                f"199{rng.randint(0, 99_999_999):08d}",
                False,
                True,
                utc(created),
                "",
                state,
                dispatched and utc(dispatched),
                accepted and utc(accepted),
                acceptance_due and utc(acceptance_due),
                resolution_due and utc(resolution_due),
                False,
                (1 + returns) if dispatched else 0,
                returns,
                reopens,
                state == "escalated",
                replied and utc(replied),
                "resolved" if replied else "",
                "已处理。" if replied else "",
                replied_on_time,
                accepted_on_time,
                rated and utc(rated),
                rating_resolved,
                rating_satisfied,
                closed and utc(closed),
                "{}",
                merged_into,
                owner,
                region_id,
                rng.choice(categories),
            )
        )
        search_rows.append((case_id, search_terms(title, text, rows[-1][8])))
        if len(rows) >= batch or index == count - 1:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, rows)
                cursor.executemany(search_sql, search_rows)
                if connection.vendor == "sqlite":
                    cursor.execute("UPDATE cases_casesearch_mark SET through = %s WHERE id = 1", [case_id])
            rows, search_rows = [], []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


# --- 1. queries ----------------------------------------------------------------------------------------------
def outcome_of(row, now):
    from fuhe.cases.core.rates import CaseOutcome

    (
        state,
        dispatched_at,
        merged_into_id,
        accepted_on_time,
        acceptance_due,
        replied_at,
        replied_on_time,
        resolution_due,
        rating_resolved,
        rating_satisfied,
        return_count,
        reopen_count,
    ) = row
    if accepted_on_time is None and acceptance_due is not None and acceptance_due < now:
        accepted_on_time = False
    if replied_on_time is None and resolution_due is not None and resolution_due < now:
        replied_on_time = False
    return CaseOutcome(
        dispatched=dispatched_at is not None,
        merged=merged_into_id is not None,
        dismissed_unreasonable=state == "dismissed",
        responded=accepted_on_time,
        replied=replied_at is not None,
        replied_on_time=replied_on_time,
        resolved=rating_resolved,
        satisfied=rating_satisfied,
        return_count=return_count,
        reopen_count=reopen_count,
    )


OUTCOME_FIELDS = (
    "state",
    "dispatched_at",
    "merged_into_id",
    "accepted_on_time",
    "acceptance_due",
    "replied_at",
    "replied_on_time",
    "resolution_due",
    "rating_resolved",
    "rating_satisfied",
    "return_count",
    "reopen_count",
)


def district_month_cases(district, start, end):
    from fuhe.cases.models import Case

    low, high = district.subtree
    return Case.objects.filter(region_id__gte=low, region_id__lt=high, created_at__gte=start, created_at__lt=end)


def district_month_rates_per_case(district, start, end, now=None):
    """The rates as computed until 2026-12-01: every case read, one ``CaseOutcome`` each (the reference)."""
    from django.utils import timezone

    from fuhe.cases.core.rates import overall_rates

    now = now or timezone.now()
    rows = district_month_cases(district, start, end).values_list(*OUTCOME_FIELDS)
    return overall_rates(outcome_of(row, now) for row in rows.iterator(chunk_size=5000))


def district_month_rates(district, start, end, now=None):
    """The rates as the page computes them: counted in SQL (``fuhe.cases.metrics.case_rates``)."""
    from fuhe.cases.metrics import case_rates

    return case_rates(district_month_cases(district, start, end), now=now)


def explain(queryset) -> list[str]:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


def bench_queries(world: World, runs: int) -> None:
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from fuhe.accounts.scope import forget_scope
    from fuhe.cases.metrics import rates_by
    from fuhe.cases.models import Case
    from fuhe.cases.selectors import CaseFilters, case_list, dispatch_queue

    def first_rows(user, filters=None, queue=False):
        def run():
            forget_scope(user)
            queryset = dispatch_queue(user=user) if queue else case_list(user=user, filters=filters)
            return list(queryset[:50])

        return run

    def page(user, filters=None, queue=False):
        def run():
            forget_scope(user)
            queryset = dispatch_queue(user=user) if queue else case_list(user=user, filters=filters)
            page = Paginator(queryset, 50).get_page(1)
            return page.paginator.count, list(page)

        return run

    dispatcher, handler = world.dispatcher, world.handler
    street = world.dispatcher_street
    queries = [
        ("street dispatcher, open", dispatcher, CaseFilters(state="open"), False),
        ("dispatcher, open + overdue", dispatcher, CaseFilters(state="open", overdue=True), False),
        ("dispatcher, text search (2 % of cases)", dispatcher, CaseFilters(state="", query=SEARCH_WORD), False),
        ("dispatcher, dispatch queue", dispatcher, None, True),
        ("department handler, open", handler, CaseFilters(state="open"), False),
    ]
    print(
        f"\n1. query latency, {Case.objects.count():,} cases; p50 / p95 over {runs} runs (ms); dispatcher of "
        f"{street.name} ({world.urban.name}), handler of its 城管 department, search word {SEARCH_WORD}"
    )
    print(f"   {'query':<40} {'matches':>8} {'50 rows':>17} {'count + 50 rows':>23}")
    for label, user, filters, queue in queries:
        forget_scope(user)
        matches = (dispatch_queue(user=user) if queue else case_list(user=user, filters=filters)).count()
        rows50, rows95 = percentiles_ms(first_rows(user, filters, queue), runs)
        page50, page95 = percentiles_ms(page(user, filters, queue), runs)
        print(f"   {label:<40} {matches:>8,} {rows50:>7.1f} / {rows95:>7.1f} {page50:>11.1f} / {page95:>7.1f}")

    local_now = timezone.localtime()
    end = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = (end - timedelta(days=1)).replace(day=1)
    district = world.urban
    now = timezone.now()
    result = district_month_rates(district, start, end, now)
    reference = district_month_rates_per_case(district, start, end, now)
    r50, r95 = percentiles_ms(lambda: district_month_rates(district, start, end), runs)
    p50, p95 = percentiles_ms(lambda: district_month_rates_per_case(district, start, end), runs)
    print(
        f"   three rates, {district.name} {start:%Y-%m} ({result.cases:,} cases, {result.assessed:,} assessed), "
        f"counted in SQL: {r50:.1f} / {r95:.1f}; per case (rows + CaseOutcome, until 2026-12-01): "
        f"{p50:.1f} / {p95:.1f}; same figures: {'yes' if result == reference else 'NO'}"
    )
    rates = [result[name] for name in ("response", "resolution", "satisfaction")]
    print("     " + ", ".join(f"{r.spec.zh} {r.value:.1%} ({r.numerator}/{r.denominator})" for r in rates))

    def rates_page():
        forget_scope(dispatcher)
        return rates_by(user=dispatcher, by="unit", days=30)

    groups = rates_page()
    g50, g95 = percentiles_ms(rates_page, runs)
    print(
        f"   three-rates page of the street dispatcher, by unit, last 30 days (rates_by: scope + counts; "
        f"{sum(rs.cases for rs in groups.values()):,} cases, {len(groups)} units): {g50:.1f} / {g95:.1f}"
    )

    for label, user, filters in [
        ("dispatcher, open", dispatcher, CaseFilters(state="open")),
        ("department handler, open", handler, CaseFilters(state="open")),
        ("dispatcher, text search", dispatcher, CaseFilters(query=SEARCH_WORD)),
    ]:
        forget_scope(user)
        queryset = case_list(user=user, filters=filters)
        print(f"   EXPLAIN QUERY PLAN, {label}, first 50 rows:")
        for line in explain(queryset[:50]):
            print(f"     {line}")
        if "search" in label:
            continue
        print(f"   EXPLAIN QUERY PLAN, {label}, the paginator's count:")
        with CaptureQueriesContext(connection) as captured:
            queryset.count()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + captured.captured_queries[-1]["sql"])
            for row in cursor.fetchall():
                print(f"     {row[-1]}")


# --- 2. service-layer intake -------------------------------------------------------------------------------
def intake_payloads(world: World, count: int) -> list[dict]:
    texts = messages()
    communities = [c for district in world.districts for c in world.communities[district.id]]
    rng = random.Random(7)
    payloads = []
    for index in range(count):
        message = texts[index % len(texts)]
        community_id, community_name, _committee, _grids = rng.choice(communities)
        payloads.append(
            {
                "text": message["text"][:3900],
                "title": message["title"][:120],
                "address": f"{community_name}{rng.randint(1, 60)}号楼",
                "region": community_id,
                "request_type": "complaint",
                "reporter_phone": f"1990002{index % 10_000:04d}",
            }
        )
    return payloads


def bench_service(world: World, n: int, runs: int) -> None:
    from django.db import connection, transaction

    from fuhe.cases.models import Case
    from fuhe.cases.services.intake import _tracking_code, case_create
    from fuhe.org.models import Region

    payloads = intake_payloads(world, n)
    regions = {r.id: r for r in Region.objects.filter(id__in={p["region"] for p in payloads})}

    def service():
        for p in payloads:
            case_create(
                actor=None,
                channel="api",
                text=p["text"],
                title=p["title"],
                address=p["address"],
                region=regions[p["region"]],
                request_type=p["request_type"],
                reporter_phone=p["reporter_phone"],
            )

    def orm_save():
        from django.utils import timezone

        for p in payloads:
            with transaction.atomic():
                Case(
                    tracking_code=_tracking_code(),
                    access_token_hash="0" * 64,
                    channel="api",
                    title=p["title"],
                    text=p["text"],
                    address=p["address"],
                    region=regions[p["region"]],
                    request_type=p["request_type"],
                    reporter_phone=p["reporter_phone"],
                    created_at=timezone.now(),
                ).save(force_insert=True)

    def bare():
        for p in payloads:
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {BARE_TABLE} (body) VALUES (%s)", [json.dumps(p)])  # noqa: S608

    service_s = _django.median_seconds(service, runs)
    orm_s = _django.median_seconds(orm_save, runs)
    bare_s = _django.median_seconds(bare, runs)
    print(f"\n2. intake through the service layer: median of {runs} runs of {n:,}")
    print(
        f"   case_create (validation, region, event, audit, routing queued): {n / service_s:>8,.0f} cases/s "
        f"({service_s / n * 1000:.2f} ms each)"
    )
    print(f"   baseline: Case(...).save() alone, one transaction each:         {n / orm_s:>8,.0f} rows/s")
    print(f"   ceiling: one-row INSERT through Django's cursor:                 {n / bare_s:>8,.0f} rows/s")
    print(
        f"   ratio case_create / ORM save: {orm_s / service_s:.2f}; case_create / bare insert: {bare_s / service_s:.2f}"
    )
    bench_routing_worker(world, min(n, 500))
    bench_routing_inline(world, min(n, 200))


def bench_routing_inline(world: World, n: int) -> None:
    """For comparison: intake that routes inside the request, as it did before routing moved to the worker."""
    from huey.contrib.djhuey import HUEY

    from fuhe.cases.services.intake import case_create
    from fuhe.org.models import Region
    from fuhe.routing.services import route_on_intake

    payloads = intake_payloads(world, n)
    regions = {r.id: r for r in Region.objects.filter(id__in={p["region"] for p in payloads})}
    started = time.perf_counter()
    for p in payloads:
        case = case_create(
            actor=None,
            channel="api",
            text=p["text"],
            title=p["title"],
            address=p["address"],
            region=regions[p["region"]],
            request_type=p["request_type"],
            reporter_phone=p["reporter_phone"],
        ).case
        route_on_intake(case.pk)
    seconds = time.perf_counter() - started
    HUEY.flush()
    print(
        f"   for comparison, routing inside the request (before): {n / seconds:>8,.0f} cases/s "
        f"({seconds / n * 1000:.1f} ms each, {n:,} cases)"
    )


def bench_routing_worker(world: World, n: int) -> None:
    """Queue ``n`` intakes, then run the queued routing as the huey consumer would, timed. The worker routes
    every received case not routed yet in batches, so the synthetic received cases and the intakes of section 2
    are routed too: the rate counts every case it routed."""
    from huey.contrib.djhuey import HUEY

    from fuhe.cases.models import Case
    from fuhe.cases.services.intake import case_create
    from fuhe.org.models import Region

    HUEY.flush()
    payloads = intake_payloads(world, n)
    regions = {r.id: r for r in Region.objects.filter(id__in={p["region"] for p in payloads})}
    pks = [
        case_create(
            actor=None,
            channel="api",
            text=p["text"],
            title=p["title"],
            address=p["address"],
            region=regions[p["region"]],
            request_type=p["request_type"],
            reporter_phone=p["reporter_phone"],
        ).case.pk
        for p in payloads
    ]
    queued = HUEY.pending_count()
    waiting = Case.objects.filter(state="received", routing={}).count()
    auto_before = Case.objects.filter(routing__decision="auto_dispatched").count()
    started = time.perf_counter()
    while (task := HUEY.dequeue()) is not None:
        task.eta = None  # a batch is scheduled 0.5 s after the first intake; run it now
        HUEY.execute(task)
    seconds = time.perf_counter() - started
    left = Case.objects.filter(state="received", routing={}).count()
    routed = waiting - left
    auto = Case.objects.filter(routing__decision="auto_dispatched").count() - auto_before
    mine = Case.objects.filter(pk__in=pks).exclude(routing={}).count()
    print(
        f"   routing in the background worker: {n:,} intakes queued {queued:,} batch task(s); they routed "
        f"{routed:,} waiting cases in {seconds:.1f} s = {routed / seconds:,.0f} cases/s "
        f"({seconds / max(routed, 1) * 1000:.2f} ms each), {auto:,} dispatched automatically; {mine:,} of the "
        f"{n:,} new cases have a recommendation"
    )


# --- 3. HTTP ------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(worker_class: str, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    """gunicorn (``sync``/``gthread`` workers) or, for ``granian``, Granian's WSGI interface (Rust HTTP server,
    ``threads`` blocking threads per worker) serving ``fuhe.wsgi:application`` with the bench settings."""
    port = free_port()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="_bench_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH_DIR), os.environ.get("PYTHONPATH", "")])),
    )
    if worker_class == "granian":
        command = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--no-ws",
            "--log-level",
            "warning",
            "fuhe.wsgi:application",
        ]
    else:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "fuhe.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            worker_class,
            "--log-level",
            "warning",
        ]
    server = subprocess.Popen(command, env=env)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{command[2]} exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server, port
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError(f"{command[2]} did not start listening within 30 s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class Load:
    """``clients`` threads, each with one keep-alive ``http.client`` connection (reopened when the server closes
    it), POSTing ``requests`` JSON bodies after ``warmup`` unmeasured ones; stops early at ``time_limit``."""

    def __init__(self, port: int, clients: int, requests: int, warmup: int, time_limit: float):
        self.port, self.clients, self.requests, self.warmup, self.time_limit = (
            port,
            clients,
            requests,
            warmup,
            time_limit,
        )

    def run(self, path: str, bodies: list[bytes]) -> tuple[float, list[float], int]:
        barrier = threading.Barrier(self.clients + 1)
        latencies: list[list[float]] = [[] for _ in range(self.clients)]
        errors = [0] * self.clients
        finished = [0.0] * self.clients

        def client(k: int) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            headers = {"Content-Type": "application/json"}
            mine = bodies[k :: self.clients] or bodies

            def post(body: bytes) -> bool:
                for _attempt in range(2):
                    try:
                        connection.request("POST", path, body=body, headers=headers)
                        response = connection.getresponse()
                        response.read()
                        return response.status in (200, 201)
                    except (http.client.HTTPException, ConnectionError):
                        connection.close()
                return False

            for i in range(self.warmup):
                post(mine[i % len(mine)])
            barrier.wait()
            deadline = time.perf_counter() + self.time_limit
            for i in range(self.requests):
                started = time.perf_counter()
                if not post(mine[(self.warmup + i) % len(mine)]):
                    errors[k] += 1
                latencies[k].append(time.perf_counter() - started)
                if started > deadline:
                    break
            finished[k] = time.perf_counter()
            connection.close()

        threads = [threading.Thread(target=client, args=(k,)) for k in range(self.clients)]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = max(finished) - started
        done = [t for per_client in latencies for t in per_client]
        return len(done) / elapsed, done, sum(errors)


WRK_SCRIPT = """
local bodies, counter = {}, 0
function init(args)
  local f = assert(io.open(args[1]))
  for line in f:lines() do bodies[#bodies + 1] = line end
  f:close()
  counter = math.random(#bodies)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[counter % #bodies + 1])
end
"""


def wrk_seconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


class WrkLoad:
    """``wrk`` with one thread and ``clients`` keep-alive connections for ``duration`` seconds after an unmeasured
    warm-up of 2 s, POSTing the JSON bodies (one a line of ``bodies_file``) in turn."""

    def __init__(self, port: int, clients: int, duration: float, bodies_file: Path, script: Path):
        self.port, self.clients, self.duration, self.bodies_file, self.script = (
            port,
            clients,
            duration,
            bodies_file,
            script,
        )

    def _wrk(self, path: str, seconds: float) -> str:
        command = [
            "wrk",
            "-t1",
            f"-c{self.clients}",
            f"-d{seconds:g}s",
            "--latency",
            "-s",
            str(self.script),
            f"http://127.0.0.1:{self.port}{path}",
            "--",
            str(self.bodies_file),
        ]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603

    def run(self, path: str) -> tuple[float, dict[str, float], int]:
        self._wrk(path, 2)
        out = self._wrk(path, self.duration)
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        latencies = {q: wrk_seconds(v) for q, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.M)}
        failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
        failed += sum(int(n) for n in re.findall(r"timeout (\d+)", out))
        return rate, latencies, failed


def bench_http(world: World, args: argparse.Namespace) -> None:
    if args.load == "wrk" or (args.load == "auto" and shutil.which("wrk")):
        bench_http_wrk(world, args)
    else:
        bench_http_python(world, args)


def server_configs(args: argparse.Namespace) -> list[tuple[str, int, int]]:
    configs = []
    for server in args.servers.split(","):
        worker_class, workers, threads = server.split(":")
        configs.append((worker_class, int(workers), int(threads)))
    return configs


def bench_http_wrk(world: World, args: argparse.Namespace) -> None:
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    from fuhe.cases.models import Case

    data_dir = Path(os.environ["FUHE_DATA_DIR"])
    (data_dir / "static").mkdir(exist_ok=True)  # whitenoise warns when it is missing
    bodies_file, script = data_dir / "bench_bodies.jsonl", data_dir / "bench_post.lua"
    with open(bodies_file, "w", encoding="utf-8") as handle:
        for payload in intake_payloads(world, 5000):
            handle.write(json.dumps(payload, ensure_ascii=False) + "\n")
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    print(
        f"\n3. intake over HTTP: gunicorn on 127.0.0.1, wrk (1 thread, {args.clients} keep-alive connections) "
        f"for {args.seconds:g} s after a 2 s warm-up (6 s each at server start), bare and case_create alternating; "
        f"median of {args.runs} runs. "
        "Routing is queued; no huey consumer runs during the measurement. 'intake writes': only the rows "
        "case_create writes (case, event, audit, chain head), raw statements, no validation or model code "
        "(SQLite only): the floor under case_create"
    )
    print(
        f"   {'server':<26} {'bare insert req/s':>18} {'intake writes':>14} {'case_create req/s':>18} {'ratio':>6} "
        f"{'case p50 / p90 / p99 ms':>24} {'errors':>7}"
    )
    writes = connection.vendor == "sqlite"
    for worker_class, workers, threads in server_configs(args):
        before = Case.objects.filter(channel="api").count()
        server, port = start_server(worker_class, workers, threads)
        try:
            load = WrkLoad(port, args.clients, args.seconds, bodies_file, script)
            for path in ("/bench/bare", "/bench/writes", "/bench/cases")[:: 1 if writes else 2]:
                load._wrk(path, 6)  # each worker's first intake imports routing (~3 s)
            bare_rates, write_rates, case_rates, case_latencies, errors = [], [], [], [], 0
            for _ in range(args.runs):
                rate, _latencies, failed = load.run("/bench/bare")
                bare_rates.append(rate)
                errors += failed
                if writes:
                    rate, _latencies, failed = load.run("/bench/writes")
                    write_rates.append(rate)
                    errors += failed
                rate, latencies, failed = load.run("/bench/cases")
                case_rates.append(rate)
                case_latencies.append(latencies)
                errors += failed
        finally:
            stop(server)
        bare, cases = statistics.median(bare_rates), statistics.median(case_rates)
        p50, p90, p99 = (
            statistics.median(run.get(q, math.nan) for run in case_latencies) * 1000 for q in ("50", "90", "99")
        )
        label = f"{worker_class} {workers} workers × {threads}"
        floor = f"{statistics.median(write_rates):,.0f}" if write_rates else "-"
        print(
            f"   {label:<26} {bare:>18,.0f} {floor:>14} {cases:>18,.0f} {cases / bare:>6.2f} "
            f"{p50:>7.1f} / {p90:>5.1f} / {p99:>6.1f} {errors:>7}"
        )
        print(
            f"     runs: bare {', '.join(f'{r:,.0f}' for r in bare_rates)}; "
            + (f"intake writes {', '.join(f'{r:,.0f}' for r in write_rates)}; " if write_rates else "")
            + f"case_create {', '.join(f'{r:,.0f}' for r in case_rates)} req/s"
        )
        created = Case.objects.filter(channel="api").count() - before
        print(
            f"     ({created:,} cases created through HTTP with this server, including warm-up; "
            f"{HUEY.pending_count():,} routings queued)"
        )
        HUEY.flush()


def bench_http_python(world: World, args: argparse.Namespace) -> None:
    from fuhe.cases.models import Case

    per_run = args.clients * args.requests
    bodies = [json.dumps(p, ensure_ascii=False).encode() for p in intake_payloads(world, per_run)]
    configs = server_configs(args)
    (Path(os.environ["FUHE_DATA_DIR"]) / "static").mkdir(exist_ok=True)  # whitenoise warns when it is missing
    print(
        f"\n3. intake over HTTP: gunicorn on 127.0.0.1, {args.clients} client threads (keep-alive http.client) "
        f"× {args.requests:,} requests after {args.warmup} warm-up each; median of {args.runs} runs"
    )
    print(
        f"   {'server':<26} {'bare insert req/s':>18} {'case_create req/s':>18} {'ratio':>6} "
        f"{'case p50 / p95 ms':>18} {'errors':>7}"
    )
    for worker_class, workers, threads in configs:
        before = Case.objects.filter(channel="api").count()
        server, port = start_server(worker_class, workers, threads)
        try:
            load = Load(port, args.clients, args.requests, args.warmup, args.time_limit)
            bare_rates, case_rates, case_latencies, errors = [], [], [], 0
            for _ in range(args.runs):
                rate, _latencies, failed = load.run("/bench/bare", bodies)
                bare_rates.append(rate)
                errors += failed
                rate, latencies, failed = load.run("/bench/cases", bodies)
                case_rates.append(rate)
                case_latencies += latencies
                errors += failed
        finally:
            stop(server)
        bare, cases = statistics.median(bare_rates), statistics.median(case_rates)
        p50 = statistics.median(case_latencies) * 1000
        p95 = statistics.quantiles(case_latencies, n=20, method="inclusive")[18] * 1000
        label = f"{worker_class} {workers} workers × {threads}"
        print(
            f"   {label:<26} {bare:>18,.0f} {cases:>18,.0f} {cases / bare:>6.2f} {p50:>8.1f} / {p95:>7.1f} {errors:>7}"
        )
        created = Case.objects.filter(channel="api").count() - before
        print(f"     ({created:,} cases created through HTTP with this server, including warm-up)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="synthetic cases to bulk-insert")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=2000, help="cases per service-layer run (0 skips section 2)")
    parser.add_argument("--query-runs", type=int, default=50, help="runs per query (0 skips section 1)")
    parser.add_argument(
        "--load",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="HTTP load generator: wrk when installed (auto), or Python client threads",
    )
    parser.add_argument("--clients", type=int, default=8, help="connections (wrk) or client threads (python)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per wrk run")
    parser.add_argument("--requests", type=int, default=2000, help="python load: measured requests per client")
    parser.add_argument("--warmup", type=int, default=100, help="python load: unmeasured requests per client")
    parser.add_argument(
        "--servers",
        default="sync:2:1,gthread:2:4",
        help="gunicorn configurations, worker-class:workers:threads, comma-separated",
    )
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per measured HTTP run at most")
    args = parser.parse_args()
    data_dir = _django.setup()
    import django
    from django.conf import settings
    from django.db import connection

    print(
        f"machine: {platform.processor() or platform.machine()}, usable cores={len(os.sched_getaffinity(0))}, "
        f"Python {platform.python_version()}, Django {django.get_version()}, SQLite "
        f"{__import__('sqlite3').sqlite_version} ({connection.vendor}); data in {data_dir}"
    )
    started = time.perf_counter()
    world = build_world(settings.FUHE_SHARED_DATA / "divisions")
    with connection.cursor() as cursor:
        cursor.execute(BARE_SCHEMA)
    print(f"demo organisation built in {time.perf_counter() - started:.1f} s")
    seconds = generate_cases(world, args.cases)
    print(
        f"bulk insert: {args.cases:,} cases in {seconds:.1f} s ({args.cases / seconds:,.0f} rows/s, "
        "generation included)"
    )
    if args.query_runs:
        bench_queries(world, args.query_runs)
    if args.n:
        bench_service(world, args.n, args.runs)
    if not args.skip_http:
        bench_http(world, args)


if __name__ == "__main__":
    main()
