"""Fuzzing the JSON API against its own OpenAPI schema: no server error, no undocumented status code.

Schemathesis generates valid and invalid requests for every operation (a bounded number per operation and
mode, so the suite stays fast), sent in-process to the WSGI application with a street dispatcher's API key.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

from fuhe.wsgi import application

MAX_EXAMPLES = 25


@pytest.mark.slow
def test_every_operation_conforms_to_the_schema(tree, issue_key, cases):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    headers = {"Authorization": f"Bearer {issue_key('dispatcher')}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    statuses: Counter[int] = Counter()
    for operation, mode in [(o, m) for o in operations for m in schemathesis.GenerationMode]:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call_and_validate(headers=headers, checks=[not_a_server_error, status_code_conformance])
            statuses[response.status_code] += 1

        check()
    assert statuses[200] and statuses[422], statuses  # both valid and invalid requests were sent
