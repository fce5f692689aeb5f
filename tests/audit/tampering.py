"""Helpers of the audit tests: write events, and write behind the platform's back as someone with the database."""

from __future__ import annotations

import io

from django.core.management import CommandError, call_command
from django.db import connection, transaction

from fuhe.audit.services import ObjectRef, audit_record

TARGET = ObjectRef("test.thing", "1")


def record(n: int, *, action: str = "test.changed") -> None:
    with transaction.atomic():
        for i in range(n):
            audit_record(actor=None, action=action, target=TARGET, summary={"i": i, "after": {"x": i}})


def raw(sql: str, params=()) -> None:
    """Write behind the application's back: drop the guard triggers first, as a DBA could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        cursor.execute(sql, params)


def verify(*args: str) -> tuple[bool, str, str]:
    """``fuhe audit verify`` as an operator runs it: (intact?, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except CommandError as error:
        err.write(str(error))
        return False, out.getvalue(), err.getvalue()
    return True, out.getvalue(), err.getvalue()


def printed_head() -> str:
    intact, out, err = verify()
    assert intact, err
    return out.split("head: ")[1].split()[0]
