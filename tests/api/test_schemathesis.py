"""Fuzzing the JSON API against its own OpenAPI schema: no server error, no undocumented status code.

Schemathesis generates valid and invalid requests for every operation (a bounded number per operation and
mode, so the suite stays fast), sent in-process to the WSGI application with a street dispatcher's API key.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

from fuhe.wsgi import application

MAX_EXAMPLES = 25


@pytest.fixture
def keep_test_connection():
    """The WSGI calls would close the database connection at the end of each request (as in production);
    inside the test's transaction that loses the connection on PostgreSQL. Django's own test client detaches
    ``close_old_connections`` the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.fuzz
def test_every_operation_conforms_to_the_schema(tree, issue_key, cases, keep_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    headers = {"Authorization": f"Bearer {issue_key('dispatcher')}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    statuses: Counter[int] = Counter()
    for operation, mode in [(o, m) for o in operations for m in schemathesis.GenerationMode]:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call_and_validate(headers=headers, checks=[not_a_server_error, status_code_conformance])
            statuses[response.status_code] += 1

        check()
    assert statuses[200] and statuses[422], statuses  # both valid and invalid requests were sent
