"""Pure helpers of the routing recommendation (no Django): keyword evidence, the category prior,
similar past messages, the training set with cold-start keyword documents, and the hold-out split."""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from fuhe.duties.core.keywords import clean_keywords
from fuhe.routing.core.classifier import Message

CATEGORY_PRIOR = 0.2  # weight kept by items whose category contradicts the category given with the case
MIN_DOCUMENTS_PER_CLASS = 3  # so that the classifier can calibrate its confidences (3-fold at least)


def normalize_for_keywords(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def keyword_hits(text: str, keywords: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """For each label, its keywords occurring in ``text`` (in keyword order)."""
    text = normalize_for_keywords(text)
    return {label: [word for word in words if word and word in text] for label, words in keywords.items()}


def categories_related(item_path: str, case_path: str) -> bool:
    """An item fits the case's category when one path is the other or its ancestor."""
    if not item_path or not case_path:
        return False
    return case_path == item_path or case_path.startswith(item_path + "/") or item_path.startswith(case_path + "/")


def apply_category_prior(
    scores: Mapping[str, float], item_paths: Mapping[str, str], case_path: str, *, weight: float = CATEGORY_PRIOR
) -> tuple[dict[str, float], bool]:
    """Down-weight items whose category contradicts the case's; renormalise. Unchanged when no item fits."""
    fitting = {label for label in scores if categories_related(item_paths.get(label, ""), case_path)}
    if not case_path or not fitting:
        return dict(scores), False
    weighted = {label: score * (1.0 if label in fitting else weight) for label, score in scores.items()}
    total = sum(weighted.values()) or 1.0
    return {label: score / total for label, score in weighted.items()}, True


def keyword_documents(keywords: Mapping[str, Sequence[str]]) -> tuple[list[Message], list[str]]:
    """Cold start: every keyword is a tiny document of its label, repeated so each label has a few."""
    messages: list[Message] = []
    labels: list[str] = []
    for label, words in keywords.items():
        words = clean_keywords(words) or [label]
        repeated = [words[i % len(words)] for i in range(max(len(words), MIN_DOCUMENTS_PER_CLASS))]
        messages += [Message(word, word) for word in repeated]
        labels += [label] * len(repeated)
    return messages, labels


def is_held_out(key: int | str, share_percent: int = 20) -> bool:
    """A stable, seedless split: the same example is always on the same side."""
    return zlib.crc32(str(key).encode()) % 100 < share_percent


@dataclass(frozen=True)
class Similar:
    key: int
    score: float


def _bigram_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(analyzer="char", ngram_range=(2, 2), n_features=2**18, alternate_sign=False, norm="l2")


def similar_texts(
    query: str, candidates: Sequence[tuple[int, str]], *, limit: int = 3, min_score: float = 0.2
) -> list[Similar]:
    """Candidates whose character-bigram profile is closest to ``query`` (cosine)."""
    return similar_texts_many([query], candidates, limit=limit, min_score=min_score)[0]


def similar_texts_many(
    queries: Sequence[str],
    candidates: Sequence[tuple[int, str]],
    *,
    limit: int = 3,
    min_score: float = 0.2,
    exclude: Sequence[AbstractSet[int]] | None = None,
) -> list[list[Similar]]:
    """``similar_texts`` for several queries against the same candidates, which are vectorised once.
    ``exclude[i]``: candidate keys never returned for query ``i`` (the case's own examples)."""
    found: list[list[Similar]] = [[] for _ in queries]
    asked = [i for i, query in enumerate(queries) if query.strip()]
    if not candidates or not asked:
        return found
    vectorizer = _bigram_vectorizer()
    matrix = vectorizer.transform([text for _, text in candidates])
    scores = (vectorizer.transform([queries[i] for i in asked]) @ matrix.T).toarray()
    keys = [key for key, _ in candidates]
    for row, i in zip(scores, asked, strict=True):
        skip = exclude[i] if exclude is not None else frozenset()
        order = np.argsort(-row, kind="stable")
        hits: list[Similar] = []
        for index in order:
            if len(hits) == limit or row[index] < min_score:
                break
            if keys[index] not in skip:
                hits.append(Similar(keys[index], float(row[index])))
        found[i] = hits
    return found
