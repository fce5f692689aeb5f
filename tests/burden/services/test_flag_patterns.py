"""The demo's task templates against the word and field rules: each raises exactly the content flags it is meant
to show, and the ordinary ones none (the deadline, recurrence and same-content rules depend on dates and are
checked in ``tests/burden/core/test_flags.py``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from fuhe.burden.catalogue import DEFAULT_ITEMS
from fuhe.burden.core.flags import TaskFacts, evaluate
from fuhe.burden.demo import TEMPLATES

CONTENT_RULES = {"trace_evidence", "forbidden_metric", "ranking", "pledge", "duplicate_collection"}
NAMES = {name: code for code, name, aliases, *_rest in DEFAULT_ITEMS for name in (name, *aliases)}
MONDAY = date(2026, 3, 2)


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.title for t in TEMPLATES])
def test_a_template_raises_exactly_its_content_flags(template):
    facts = TaskFacts(
        task_id=1,
        sender_id=1,
        kind=template.kind,
        title=template.title,
        content=template.content,
        issued=MONDAY,
        due=MONDAY + timedelta(days=10),
        evidence=frozenset(template.evidence),
        fields=tuple((f.label, f.item_code) for f in template.fields),
    )
    raised = {flag.rule for flag in evaluate(facts, catalogue_names=NAMES)} & CONTENT_RULES
    assert raised == template.expected_flags & CONTENT_RULES
