"""Pure helpers of the routing recommendation (no Django): keyword evidence, the category prior,
similar past messages, the training set with cold-start keyword documents, and the hold-out split."""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from fuhe.duties.core.keywords import clean_keywords
from fuhe.routing.core.classifier import Message

CATEGORY_PRIOR = 0.2  # weight kept by items whose category contradicts the category given with the case
MIN_DOCUMENTS_PER_CLASS = 3  # so that the classifier can calibrate its confidences (3-fold at least)


def normalize_for_keywords(text: str) -> str:
    # the check is far cheaper than the normalisation, and almost every message is normalised already
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def keyword_hits(text: str, keywords: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """For each label, its keywords occurring in ``text`` (in keyword order)."""
    text = normalize_for_keywords(text)
    return {label: [word for word in words if word and word in text] for label, words in keywords.items()}


def item_scores(
    probabilities: Mapping[str, float], codes: Collection[str], hits: Mapping[str, Sequence[str]]
) -> dict[str, float]:
    """The classifier's probabilities restricted to the items of the list in force, renormalised. A model that
    knows none of them (trained on another list) falls back to the keyword evidence: each item weighs the number of
    its keywords found (plus a little, so every item keeps a chance)."""
    scores = {label: probability for label, probability in probabilities.items() if label in codes}
    if not sum(scores.values()):
        scores = {code: float(len(hits.get(code, ()))) + 1e-6 for code in codes}
    total = sum(scores.values()) or 1.0
    return {code: score / total for code, score in scores.items()}


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


def fold_of_key(key: int | str, folds: int) -> int:
    """A stable, seedless fold (0 … ``folds`` − 1) of a key: the same example always falls in the same fold."""
    if folds < 1:
        raise ValueError(f"{folds} folds")
    return zlib.crc32(str(key).encode()) % folds


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


def ranked_items(
    scores: Mapping[str, float], owners: Mapping[str, str], owner: str, limit: int
) -> list[tuple[str, float]]:
    """The ``limit`` best items of a message: ``owner``'s best first (the recommendation: the best item of the most
    likely unit), then every other item by its own score, whoever owns it, so the runner-up unit is never hidden
    behind the top unit's unlikely items; ties by code. ``ItemScorer.ranked`` is the same with numpy."""
    top = min((pair for pair in scores.items() if owners.get(pair[0], "") == owner), key=lambda p: (-p[1], p[0]))
    rest = sorted((pair for pair in scores.items() if pair[0] != top[0]), key=lambda p: (-p[1], p[0]))
    return [top, *rest][:limit]


class ItemScorer:
    """``item_scores`` and the owners' sums for a batch, with numpy: one scorer per (model, duty list), then per
    message a row of the classifier's probabilities in, the list's item scores (renormalised) and the owners ranked
    by summed score out — the same figures as ``item_scores`` + ``evaluation.owners_ranked``, without a dict per
    item per message (the dicts were most of the recommendation's time with a hundred items)."""

    def __init__(self, classes: Sequence[str], owners: Mapping[str, str]) -> None:
        position = {label: index for index, label in enumerate(classes)}
        self.codes = sorted(owners)
        self.columns = np.array([position.get(code, -1) for code in self.codes], dtype=np.int64)
        self.known = self.columns >= 0
        self.owner_names = sorted(set(owners.values()))
        owner_index = {owner: index for index, owner in enumerate(self.owner_names)}
        self.owner_of = np.array([owner_index[owners[code]] for code in self.codes], dtype=np.int64)
        self.index = {code: index for index, code in enumerate(self.codes)}

    def scores(self, probabilities: np.ndarray, hits: Mapping[str, Sequence[str]]) -> np.ndarray:
        """The items' scores (in ``codes`` order) for one row of class probabilities."""
        scores = np.where(self.known, probabilities[np.maximum(self.columns, 0)], 0.0)
        total = scores.sum()
        if not total:
            scores = np.full(len(self.codes), 1e-6)
            for code, words in hits.items():
                if code in self.index:
                    scores[self.index[code]] += len(words)
            total = scores.sum()
        return scores / total

    def owners(self, scores: np.ndarray) -> list[tuple[str, float]]:
        """Owners with the summed scores of their items, best first (ties by name), as ``owners_ranked``."""
        sums = np.bincount(self.owner_of, weights=scores, minlength=len(self.owner_names))
        order = np.lexsort((np.arange(len(sums)), -sums))  # names are sorted: ties by name
        return [(self.owner_names[i], float(sums[i])) for i in order]

    def ranked(self, scores: np.ndarray, owner: str, limit: int) -> list[tuple[str, float]]:
        """``ranked_items`` for the scores of one message (in ``codes`` order)."""
        positions = np.arange(len(self.codes))
        own = self.owner_of == self.owner_names.index(owner)
        top = int(np.lexsort((positions, -np.where(own, scores, -np.inf)))[0])
        order = [int(i) for i in np.lexsort((positions, -scores)) if i != top][: max(limit - 1, 0)]
        return [(self.codes[i], float(scores[i])) for i in [top, *order][:limit]]
