"""A file-backed platform for the slow import tests, driven in its own processes (FUHE_DATA_DIR names it).

python -m tests.cases.services.import_harness setup ROWS   migrate, seed 和平区 and the importer, write tickets.csv
python -m tests.cases.services.import_harness count        the imported cases and the audit chain, as JSON
python -m tests.cases.services.import_harness load         run `fuhe import_tickets` and, while it runs,
                                                            residents' reports through the web form: JSON
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

IMPORTER = "importer"
BATCH_SIZE = 200


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhe.settings")
    import django

    django.setup()


def tickets_path(data_dir: Path | str | None = None) -> Path:
    return Path(data_dir or os.environ["FUHE_DATA_DIR"]) / "tickets.csv"


def import_command(data_dir: Path | str | None = None) -> list[str]:
    """`fuhe import_tickets` of the data folder's tickets.csv (``data_dir``, else this process's FUHE_DATA_DIR)."""
    return [sys.executable, "-m", "fuhe.cli", "import_tickets", str(tickets_path(data_dir)), "--user", IMPORTER,
            "--no-progress", "--batch-size", str(BATCH_SIZE)]  # fmt: skip


def setup(rows: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from fuhe.accounts.models import Role, RoleAssignment, User
    from fuhe.org.core.divisions import Level, key_from_code
    from fuhe.org.models import Region, RegionKind, Unit, UnitKind

    def region(code, name, level, parent=None, kind=RegionKind.UNKNOWN):
        key = key_from_code(code, level)
        return Region.objects.create(id=key, code=code.ljust(12, "0"), name=name, level=level, parent=parent, kind=kind)

    city = region("1201", "市辖区", Level.CITY, region("12", "天津市", Level.PROVINCE))
    district = region("120101", "和平区", Level.DISTRICT, city)
    Unit.objects.create(name="和平区人民政府", kind=UnitKind.DISTRICT_GOVERNMENT, region=district)
    street = region("120101001", "劝业场街道", Level.STREET, district)
    Unit.objects.create(name="劝业场街道办事处", kind=UnitKind.STREET_OFFICE, region=street)
    communities = []
    for number, name in enumerate(("花园路社区", "新华社区", "滨江社区"), start=1):
        community = region(f"120101001{number:03d}", name, Level.COMMUNITY, street, RegionKind.URBAN)
        Unit.objects.create(name=f"{name}居委会", kind=UnitKind.RESIDENTS_COMMITTEE, region=community)
        communities.append(community)
    importer = User.objects.create_user(username=IMPORTER, password=uuid.uuid4().hex)
    RoleAssignment.objects.create(user=importer, role=Role.ADMINISTRATOR, region=district)
    lines = ["工单编号,受理时间,联系电话,诉求地址,区划代码,诉求内容,紧急程度"]
    for index in range(rows):
        community = communities[index % len(communities)]
        lines.append(
            f"GD{index:07d},2026-11-{1 + index % 28:02d} 08:30,1390000{index % 10_000:04d},"
            f"{community.name}{1 + index % 60}号楼,{community.code},楼道堆放杂物第{index}件,一般"
        )
    tickets_path().write_text("\n".join(lines) + "\n", encoding="utf-8")


def count() -> dict:
    from fuhe.audit.services import audit_verify
    from fuhe.cases.models import Case

    keys = list(Case.objects.filter(channel="import").values_list("idempotency_key", flat=True))
    checked, breaches = audit_verify()
    return {"imported": len(keys), "distinct": len(set(keys)), "audit_events": checked, "breaches": len(breaches)}


def load(interval: float, reporters: int) -> dict:
    """Start the import in its own process; while it runs, ``reporters`` residents each send a report through the
    web form every ``interval`` seconds. The answers' times, and which reports were stored."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from fuhe.cases.models import Case

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    url = reverse("cases:report")
    answers: list[tuple[float, int, str]] = []
    lock = threading.Lock()
    importer = subprocess.Popen(import_command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    started = time.perf_counter()

    def resident(number: int) -> None:
        client = Client(REMOTE_ADDR=f"10.0.0.{number + 1}")
        try:
            while importer.poll() is None:
                submission = uuid.uuid4().hex
                data = {
                    "text": f"楼下井盖缺失（居民{number}）",
                    "address": "花园路社区3号楼",
                    "submission_id": submission,
                }
                begun = time.perf_counter()
                try:
                    status = client.post(url, data).status_code
                except Exception:  # noqa: BLE001 - a failed request is what the test looks for
                    status = 500
                with lock:
                    answers.append((time.perf_counter() - begun, status, submission))
                time.sleep(interval)
        finally:
            connection.close()

    threads = [threading.Thread(target=resident, args=(n,)) for n in range(reporters)]
    for thread in threads:
        thread.start()
    out, err = importer.communicate()
    seconds = time.perf_counter() - started
    for thread in threads:
        thread.join()
    sent = [f"web:{submission}" for _time, _status, submission in answers]
    stored = Case.objects.filter(idempotency_key__in=sent).count()
    times = sorted(answer[0] for answer in answers)
    return {
        "import_returncode": importer.returncode,
        "import_output": (out + err)[-2000:],
        "import_seconds": seconds,
        "reports": len(answers),
        "stored": stored,
        "statuses": sorted({answer[1] for answer in answers}),
        "slowest": times[-1] if times else None,
        "median": times[len(times) // 2] if times else None,
        **count(),
    }


def main() -> None:
    command = sys.argv[1]
    _django()
    if command == "setup":
        setup(int(sys.argv[2]))
    elif command == "count":
        print(json.dumps(count()))
    elif command == "load":
        print(json.dumps(load(interval=float(os.environ.get("REPORT_INTERVAL", "0.05")), reporters=2)))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
