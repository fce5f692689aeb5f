"""``fuhe serve`` forks its workers only after closing its own database connections."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_workers_do_not_inherit_the_prepared_connection(monkeypatch):
    calls = []
    monkeypatch.setattr("gunicorn.app.base.BaseApplication.run", lambda self: calls.append("serve"))
    monkeypatch.setattr("django.db.connections.close_all", lambda: calls.append("close connections"))
    call_command("serve", "--no-prepare", "--no-worker")
    assert calls == ["close connections", "serve"]
