"""Text that every renderer can carry: characters XML 1.0 forbids are dropped.

A resident's report may hold a control character (a vertical tab pasted from a word processor, a stray escape):
JSON escapes it, but XML 1.0 cannot carry it at all (one ``\\x0b`` made ``requests.xml`` unreadable for every Open311
client) and openpyxl refuses it in a workbook. Intake drops them, and the XML renderer drops them from what older
rows still hold. Tab, line feed and carriage return are kept."""

from __future__ import annotations

import re

#: C0 controls but tab/LF/CR, lone surrogates, and the two non-characters XML 1.0 excludes
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def without_control_characters(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold."""
    return XML_ILLEGAL.sub("", value) if value else value
