"""Open API: Open311 GET requests latency over 100k cases and Open311 POST throughput.

    .venv/bin/python bench/bench_api.py [--cases 100000] [--query-runs 50] [--posts 500]

Builds the demo organisation in a throw-away SQLite database and bulk-inserts ``--cases`` synthetic cases the way
``bench/bench_cases.py`` does (raw ``executemany``, a realistic spread of states over the last year), marks 5 % of
them non-public, then, in-process through the whole Django stack (middleware, URL routing, rendering; no socket):

1. Open311 GET latency, p50 / p95 over ``--query-runs`` runs: ``requests.json`` and ``.xml`` (default 90-day
   window, one page of ``FUHE_OPEN311_PAGE_SIZE``), with ``status=open``, with one ``service_code``, with 20
   ``service_request_id``s, one request, and ``services.json``; against a baseline of the same page as plain
   ``Case.objects.values()`` rows serialised with ``json.dumps`` (the ORM/JSON floor), same run.
2. Open311 POST throughput: ``--posts`` form-encoded ``POST requests.json`` with an application key (api_key
   check, validation, ``case_create``: region from the address, event, audit row), with and without an
   ``Idempotency-Key``, against ``case_create`` called directly with the same fields, same run.
Rate limits are switched off for the measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
import _django  # noqa: E402
import bench_cases  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--query-runs", type=int, default=50)
    parser.add_argument("--posts", type=int, default=500)
    args = parser.parse_args()
    data_dir = _django.setup()
    import django
    from django.conf import settings
    from django.db import connection

    settings.FUHE_RATE_LIMITS = {"public_read": "", "read": "", "write": ""}
    settings.ALLOWED_HOSTS = ["*"]
    print(
        f"machine: {platform.processor() or platform.machine()}, usable cores={len(os.sched_getaffinity(0))}, "
        f"Python {platform.python_version()}, Django {django.get_version()}, SQLite "
        f"{__import__('sqlite3').sqlite_version} ({connection.vendor}); data in {data_dir}"
    )
    started = time.perf_counter()
    world = bench_cases.build_world(settings.FUHE_SHARED_DATA / "divisions")
    seconds = bench_cases.generate_cases(world, args.cases)
    with connection.cursor() as cursor:  # 5 % non-public (never listed), the category of a leaf for services
        cursor.execute("UPDATE cases_case SET is_public = 0 WHERE id % 20 = 0")
        cursor.execute("ANALYZE")
    print(f"organisation + {args.cases:,} cases in {time.perf_counter() - started:.1f} s (bulk insert {seconds:.1f} s)")
    bench_gets(args.query_runs)
    bench_posts(world, args.posts)


def bench_gets(runs: int) -> None:
    from django.test import Client

    from fuhe.api.open311.mapping import public_requests
    from fuhe.cases.models import Case

    client = Client()
    newest = list(public_requests().order_by("-created_at").values_list("id", flat=True)[:20])
    category = Case.objects.filter(is_public=True).values_list("category_id", flat=True).first()
    in_window = public_requests().count()
    page_size = _page_size()

    def get(url: str):
        def run():
            response = client.get(url)
            assert response.status_code == 200, response.content[:200]
            return response

        return run

    def floor():
        rows = list(
            Case.objects.filter(is_public=True)
            .order_by("-created_at")
            .values("id", "state", "text", "address", "created_at", "category__name")[:page_size]
        )
        return json.dumps(rows, ensure_ascii=False, default=str)

    urls = [
        ("requests.json (90 days, one page)", "/open311/v2/requests.json"),
        ("requests.xml  (90 days, one page)", "/open311/v2/requests.xml"),
        ("requests.json?status=open", "/open311/v2/requests.json?status=open"),
        ("requests.json?service_code=…", f"/open311/v2/requests.json?service_code={category}"),
        (
            "requests.json?service_request_id=20 ids",
            "/open311/v2/requests.json?service_request_id=" + ",".join(map(str, newest)),
        ),
        ("requests/{id}.json", f"/open311/v2/requests/{newest[0]}.json"),
        ("requests/{id}.xml", f"/open311/v2/requests/{newest[0]}.xml"),
        ("services.json", "/open311/v2/services.json"),
    ]
    print(
        f"\n1. Open311 GET latency over {Case.objects.count():,} cases ({in_window:,} public); page size "
        f"{page_size}; p50 / p95 over {runs} runs (ms), in-process through the middleware"
    )
    for label, url in urls:
        rows = len(json.loads(get(url)().content)) if url.endswith(".json") or ".json?" in url else None
        p50, p95 = bench_cases.percentiles_ms(get(url), runs)
        print(f"   {label:<44} {p50:>8.1f} / {p95:>8.1f}" + (f"   ({rows} items)" if rows is not None else ""))
    p50, p95 = bench_cases.percentiles_ms(floor, runs)
    print(f"   {'baseline: same page as .values() + json.dumps':<44} {p50:>8.1f} / {p95:>8.1f}")


def _page_size() -> int:
    from django.conf import settings

    return settings.FUHE_OPEN311_PAGE_SIZE


def bench_posts(world, count: int) -> None:
    from django.test import Client

    from fuhe.api.services import api_key_create
    from fuhe.cases.models import Category
    from fuhe.cases.services.intake import case_create

    client = Client()
    secret = api_key_create(actor=None, application="bench").secret
    services = list(Category.objects.filter(level=3).values_list("id", flat=True)[:20]) or list(
        Category.objects.values_list("id", flat=True)[:20]
    )
    payloads = bench_cases.intake_payloads(world, count)
    categories = {c.pk: c for c in Category.objects.filter(pk__in=services)}

    def post(idempotent: bool):
        def run():
            for index, p in enumerate(payloads):
                headers = {"HTTP_IDEMPOTENCY_KEY": f"bench-{time.monotonic_ns()}-{index}"} if idempotent else {}
                response = client.post(
                    "/open311/v2/requests.json",
                    {
                        "api_key": secret,
                        "service_code": services[index % len(services)],
                        "address_string": p["address"],
                        "description": p["text"],
                        "phone": p["reporter_phone"],
                        "attribute[request_type]": "complaint",
                    },
                    **headers,
                )
                assert response.status_code == 200, response.content[:300]

        return run

    def direct():
        for index, p in enumerate(payloads):
            case_create(
                actor=None,
                channel="api",
                text=p["text"],
                address=p["address"],
                category=categories[services[index % len(services)]],
                request_type="complaint",
                reporter_phone=p["reporter_phone"],
            )

    print(f"\n2. Open311 POST requests.json throughput, {count:,} requests each, one client, in-process")
    post_s = _django.median_seconds(post(False), 1)
    idem_s = _django.median_seconds(post(True), 1)
    direct_s = _django.median_seconds(direct, 1)
    print(
        f"   POST requests.json (api_key, validation, case_create):  {count / post_s:>7,.0f} requests/s "
        f"({post_s / count * 1000:.2f} ms each)"
    )
    print(f"   the same with an Idempotency-Key (record + replay store): {count / idem_s:>7,.0f} requests/s")
    print(f"   baseline: case_create called directly, same fields:      {count / direct_s:>7,.0f} cases/s")
    print(f"   ratio POST / case_create: {direct_s / post_s:.2f}; with Idempotency-Key: {direct_s / idem_s:.2f}")


if __name__ == "__main__":
    main()
