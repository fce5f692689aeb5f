"""Knowledge-base suggestions for direct answers (直办): character-bigram overlap with question and keywords."""

from __future__ import annotations

from dataclasses import dataclass

from fuhe.cases.models import Case, KnowledgeEntry


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in text if ch.isalnum())
    return {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass(frozen=True)
class Suggestion:
    entry: KnowledgeEntry
    score: float


def knowledge_suggestions(*, case: Case, limit: int = 3, threshold: float = 0.12) -> list[Suggestion]:
    """Entries whose question and keywords share the most character bigrams with the case (Chinese-friendly)."""
    wanted = _bigrams(f"{case.title}{case.text}")
    if not wanted:
        return []
    scored = []
    for entry in KnowledgeEntry.objects.filter(is_active=True).only("id", "question", "answer", "keywords")[:2000]:
        grams = _bigrams(f"{entry.question}{entry.keywords}")
        if grams:
            score = len(wanted & grams) / len(grams)
            if score >= threshold:
                scored.append(Suggestion(entry, round(score, 2)))
    return sorted(scored, key=lambda s: -s.score)[:limit]
