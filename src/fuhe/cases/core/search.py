"""Search terms for the worklist's Chinese text search (no Django).

A worklist search is a substring match (``LIKE '%噪音%'``) over title, text and address; at a million cases that
reads every case in the user's scope. The index narrows the rows first: every case stores the distinct
character bigrams of its runs of Chinese (more exactly: "other letter", Unicode category Lo) characters, and a
query made only of such characters, two or more, can only be a substring of a case holding all of its bigrams.
The index gives that superset; the substring match then runs on it alone, so results are exactly what the plain
scan gives. Other queries (one character, digits, Latin letters, punctuation) keep the plain scan.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MIN_QUERY = 2


def _is_indexed(character: str) -> bool:
    return unicodedata.category(character) == "Lo"


def _runs(text: str) -> Iterable[str]:
    run: list[str] = []
    for character in text:
        if _is_indexed(character):
            run.append(character)
        elif run:
            yield "".join(run)
            run = []
    if run:
        yield "".join(run)


def bigrams(text: str) -> set[str]:
    """The distinct bigrams of ``text``'s runs of indexed characters (a run of one character has none)."""
    return {run[i : i + 2] for run in _runs(text) for i in range(len(run) - 1)}


def search_terms(*texts: str) -> str:
    """What a case stores: its texts' distinct bigrams, sorted, separated by spaces."""
    terms: set[str] = set()
    for text in texts:
        terms |= bigrams(text or "")
    return " ".join(sorted(terms))


def query_terms(query: str) -> list[str] | None:
    """The bigrams every matching case holds, or ``None`` when the index cannot narrow this query (it has a
    character that is not indexed, or fewer than two characters)."""
    query = query.strip()
    if len(query) < MIN_QUERY or not all(_is_indexed(character) for character in query):
        return None
    return sorted(bigrams(query))
