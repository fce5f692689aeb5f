"""The approving office's list of pending tasks costs the same few queries however many tasks wait."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fuhe.burden.selectors import pending_approvals
from tests.burden.conftest import MONDAY
from tests.burden.services.issuing import issue

pytestmark = pytest.mark.django_db


def _pending(burden, n: int) -> None:
    start = MONDAY + timedelta(days=60)
    for index in range(n):
        issue(
            burden,
            "",
            title=f"防汛隐患排查{index}",
            approval_reason="需要社区协助",
            starts_at=start,
            due_at=start + timedelta(days=14),
        )


def _queries(burden) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        found = len(list(pending_approvals(user=burden.people["office"])))
    return found, len(queries)


def test_pending_approvals_do_not_query_per_task(burden):
    _pending(burden, 1)
    _queries(burden)  # the user's scope is read once and kept
    one, queries_for_one = _queries(burden)
    _pending(burden, 9)
    ten, queries_for_ten = _queries(burden)
    assert (one, ten) == (1, 10)
    assert queries_for_ten == queries_for_one
