"""The keywords of duty items: what counts as an informative keyword (no Django).

Duty items carry keywords that the routing classifier also learns from, so both read them through
``clean_keywords``; routing imports it from here (duties never imports routing).
"""

from __future__ import annotations

from collections.abc import Iterable

#: names of catch-all classes that say nothing about a message
UNINFORMATIVE_KEYWORDS = frozenset({"其他", "其它"})
#: a single character matches too much Chinese text to be evidence
MIN_KEYWORD_LENGTH = 2


def clean_keywords(keywords: Iterable[str]) -> list[str]:
    """Strip, drop duplicates, single characters and uninformative names such as "其他"; keep the order."""
    seen: dict[str, None] = {}
    for keyword in keywords:
        keyword = keyword.strip()
        if len(keyword) >= MIN_KEYWORD_LENGTH and keyword not in UNINFORMATIVE_KEYWORDS:
            seen.setdefault(keyword)
    return list(seen)
