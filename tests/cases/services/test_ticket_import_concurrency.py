"""An import never blocks the platform (issue 13, item 4), on a file-backed SQLite database in separate processes
(``import_harness``): residents' reports through the web form while 20,000 tickets are imported are all stored,
each answered in under 2 s; ``kill -9`` of the import at random points leaves whole batches, and running it again
resumes after them."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.cases.services import import_harness

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded database's single writer"),
]


def harness(data_dir: Path, *args: str, **env: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tests.cases.services.import_harness", *args],
        cwd=ROOT,
        env={**os.environ, **_env(data_dir), **env},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _env(data_dir: Path) -> dict[str, str]:
    return {
        "FUHE_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "fuhe.settings",
        "FUHE_RATE_LIMIT_REPORT": "100000/m",  # two residents report far more often than one person could
        "FUHE_TASKS_IMMEDIATE": "0",
        "FUHE_TEST_SQLITE": "",
    }


def test_residents_report_while_20000_tickets_are_imported(tmp_path):
    harness(tmp_path, "setup", "20000")
    result = json.loads(harness(tmp_path, "load").strip().splitlines()[-1])
    assert result["import_returncode"] == 0, result["import_output"]
    assert "共 20000 件工单：新建 20000 件" in result["import_output"]
    assert result["imported"] == result["distinct"] == 20_000
    assert result["reports"] >= 20, result  # the residents reported during the whole import
    assert result["statuses"] == [302] and result["stored"] == result["reports"], result  # every report stored
    assert result["slowest"] < 2.0, result  # each answered in under 2 s
    assert result["breaches"] == 0


def test_kill_9_leaves_whole_batches_and_a_run_again_resumes(tmp_path):
    rows, batch = 6000, import_harness.BATCH_SIZE
    harness(tmp_path, "setup", str(rows))
    rng = random.Random(os.getpid())
    counts = []
    for _kill in range(3):
        process = subprocess.Popen(  # noqa: S603
            import_harness.import_command(tmp_path), cwd=ROOT, env={**os.environ, **_env(tmp_path)}
        )
        time.sleep(rng.uniform(2.5, 6.0))  # reading and checking take ~2 s; then batches commit
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = json.loads(harness(tmp_path, "count"))
        assert state["imported"] == state["distinct"] and state["breaches"] == 0, state
        assert state["imported"] % batch == 0 or state["imported"] == rows, state  # whole batches only
        counts.append(state["imported"])
    assert counts == sorted(counts)
    finished = subprocess.run(  # noqa: S603
        import_harness.import_command(tmp_path),
        cwd=ROOT,
        env={**os.environ, **_env(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert f"共 {rows} 件工单：新建 {rows - counts[-1]} 件，跳过 {counts[-1]} 件" in finished.stdout
    state = json.loads(harness(tmp_path, "count"))
    assert state["imported"] == state["distinct"] == rows and state["breaches"] == 0
