"""Set up Django for a benchmark against a throw-away SQLite database (or FUHE_DATABASE_URL if set)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable


def setup() -> str:
    data_dir = tempfile.mkdtemp(prefix="fuhe-bench-")
    os.environ.setdefault("FUHE_DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhe.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    return data_dir


def median_seconds(function: Callable[[], object], runs: int, before: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
