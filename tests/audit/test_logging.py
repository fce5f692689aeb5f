"""Log records pass through the one redaction before any handler writes them."""

from __future__ import annotations

import logging

from fuhe.audit.logging import MaskPersonalDataFilter
from tests.audit.core.test_redaction_corpus import NEGATIVE, POSITIVE


def record(message: str, *args) -> logging.LogRecord:
    return logging.LogRecord("fuhe.test", logging.INFO, __file__, 1, message, args, None)


def test_every_corpus_entry_is_redacted_in_a_log_record():
    for typed, shown in POSITIVE:
        entry = record("case text: %s", typed)
        assert MaskPersonalDataFilter().filter(entry) is True
        assert entry.getMessage() == f"case text: {shown}"


def test_other_numbers_are_left_as_they_were_logged():
    for kept in NEGATIVE:
        entry = record("case text: %s", kept)
        MaskPersonalDataFilter().filter(entry)
        assert entry.getMessage() == f"case text: {kept}" and entry.args == (kept,)
