"""Likely-duplicate suggestions at intake (疑似重复工单), for Chinese text. No Django here.

A new case is compared with recent cases. Candidates outside the time window (default 7 days either side) or,
when both cases have a point, farther than the radius (default 300 m) are dropped first, on numpy arrays.
The survivors are scored by a weighted mean of the signals both cases have:

* text: cosine of TF-IDF vectors of character 2- and 3-grams (hashed, sublinear tf, smoothed idf over the
  indexed cases), after NFKC, lower-casing and dropping punctuation and spaces. On the 330 labelled hotline
  messages with light edits (punctuation, swapped clause, shortening, a prefix, typos) TF-IDF separated
  duplicates from distinct messages better than shingle Jaccard: d′ 8.3 against 5.6 on the harder edits,
  and a gap between the weakest duplicate and the strongest non-duplicate of 0.13 against 0.03;
* category: 1 when equal, 0 when not; left out when either case has none;
* distance: 1 − d / radius (haversine metres); left out when either case has no point;
* recency: 1 − |Δt| / window;
* region: 1 for the same grid, ``community_share`` for another grid of the same community, else 0; left out
  when either case has no region key. Fuhe's grid keys are their community's key plus 1…999, hence
  ``community_divisor``.

Signals a pair lacks are left out of the mean instead of counting as 0, so the score stays in [0, 1] and an
identical case scores 1. A candidate needs both ``min_text_similarity`` and ``threshold`` to be suggested:
place, time and category alone never make a duplicate.

``DuplicateIndex`` vectorises its cases once (about 1.4 s for 5,000 messages on the development machine) and
is immutable; ``query`` then takes about 1.4 ms against 5,000 cases even when none is filtered out. Rebuild it
when the set of recent cases changes enough to matter. ``find_duplicates`` is the one-shot form: it filters
first, then indexes and scores only the survivors, which is cheap when few survive (≈ 9 ms for 5,000 cases
spread over a district and a month) and slow when thousands do (≈ 1 s for 5,000 survivors).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

EARTH_RADIUS_M = 6_371_008.8
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class DuplicateConfig:
    radius_m: float = 300.0  # farther than this (both points known) is not a duplicate
    window_days: float = 7.0  # created further apart than this is not a duplicate
    threshold: float = 0.5  # minimum combined score to suggest
    min_text_similarity: float = 0.2  # minimum text cosine to suggest, whatever the other signals say
    weight_text: float = 0.55
    weight_category: float = 0.15
    weight_distance: float = 0.15
    weight_recency: float = 0.05
    weight_region: float = 0.10
    community_share: float = 0.5  # region signal for two grids of one community
    community_divisor: int | None = 1000  # integer grid key // divisor = community; None: grids only
    ngram_min: int = 2
    ngram_max: int = 3
    n_features: int = 2**20
    limit: int = 10  # at most this many suggestions

    def __post_init__(self) -> None:
        weights = (
            self.weight_text,
            self.weight_category,
            self.weight_distance,
            self.weight_recency,
            self.weight_region,
        )
        if min(weights) < 0 or self.weight_text <= 0:
            raise ValueError("weights cannot be negative and the text weight must be positive")
        if self.radius_m <= 0 or self.window_days <= 0:
            raise ValueError("radius and window must be positive")
        if not 1 <= self.ngram_min <= self.ngram_max:
            raise ValueError("need 1 <= ngram_min <= ngram_max")


DEFAULT_CONFIG = DuplicateConfig()


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    """What duplicate detection reads of a case. ``case_id`` may be None for the case being taken in."""

    text: str
    created_at: datetime  # timezone-aware
    category_id: Hashable | None = None
    point: tuple[float, float] | None = None  # (lat, lon) in degrees, WGS-84 / GCJ-02 alike at this scale
    region_key: Hashable | None = None  # grid key (or any region key)
    case_id: Hashable | None = None

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise ValueError("created_at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    case_id: Hashable
    score: float  # in [0, 1]
    reasons: list[str]  # zh-Hans, for the intake screen
    reasons_en: list[str]
    text_similarity: float
    distance_m: float | None
    hours_apart: float


def normalize_text(text: str) -> str:
    """NFKC (full-width → half-width), lower case, without punctuation, spaces or symbols."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres; works on floats and numpy arrays alike."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.subtract(lon2, lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _vectorizer(config: DuplicateConfig) -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char",
        ngram_range=(config.ngram_min, config.ngram_max),
        preprocessor=normalize_text,
        lowercase=False,
        alternate_sign=False,
        norm=None,
        n_features=config.n_features,
        dtype=np.float32,
    )


def _community(key: Hashable | None, divisor: int | None) -> Hashable | None:
    if key is None or divisor is None or isinstance(key, bool) or not isinstance(key, int):
        return None
    return key // divisor


class _Codes:
    """Hashable values → small ints, so equality tests run on numpy arrays. None → -1, unseen → -2."""

    def __init__(self) -> None:
        self.codes: dict[Hashable, int] = {}

    def add(self, value: Hashable | None) -> int:
        return -1 if value is None else self.codes.setdefault(value, len(self.codes))

    def get(self, value: Hashable | None) -> int:
        return -1 if value is None else self.codes.get(value, -2)


class DuplicateIndex:
    """Recent cases, vectorised once, ready to be queried by new cases."""

    def __init__(self, cases: Iterable[CaseSnapshot], config: DuplicateConfig = DEFAULT_CONFIG) -> None:
        self.config = config
        self.cases: list[CaseSnapshot] = list(cases)
        self._vectorizer = _vectorizer(config)
        n = len(self.cases)
        self._ids = [case.case_id for case in self.cases]
        self._time = np.array([case.created_at.timestamp() for case in self.cases], dtype=np.float64)
        self._lat = np.array([case.point[0] if case.point else np.nan for case in self.cases], dtype=np.float64)
        self._lon = np.array([case.point[1] if case.point else np.nan for case in self.cases], dtype=np.float64)
        self._categories, self._regions, self._communities = _Codes(), _Codes(), _Codes()
        self._category = np.array([self._categories.add(c.category_id) for c in self.cases], dtype=np.int64)
        self._region = np.array([self._regions.add(c.region_key) for c in self.cases], dtype=np.int64)
        self._community = np.array(
            [self._communities.add(_community(c.region_key, config.community_divisor)) for c in self.cases],
            dtype=np.int64,
        )
        counts = (
            self._vectorizer.transform([case.text for case in self.cases])
            if n
            else sp.csr_matrix((0, config.n_features), dtype=np.float32)
        )
        df = np.bincount(counts.indices, minlength=config.n_features)
        self._idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
        self._matrix = self._weigh(counts).tocsc()  # column slices are what a query touches

    def __len__(self) -> int:
        return len(self.cases)

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Sublinear tf × idf, rows scaled to unit length (empty rows stay zero)."""
        weighted = counts.astype(np.float32, copy=True)
        weighted.data = (1.0 + np.log(weighted.data)) * self._idf[weighted.indices]
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ weighted)

    def text_similarities(self, text: str) -> np.ndarray:
        """Cosine of ``text`` with every indexed case, in index order."""
        query = self._weigh(self._vectorizer.transform([text]))
        if query.nnz == 0 or not len(self):
            return np.zeros(len(self), dtype=np.float64)
        columns = self._matrix[:, query.indices]
        sims = np.asarray(columns @ query.data).ravel().astype(np.float64)
        return np.clip(sims, 0.0, 1.0)

    def query(self, case: CaseSnapshot) -> list[DuplicateCandidate]:
        """Likely duplicates of ``case`` among the indexed cases, best first."""
        cfg = self.config
        if not len(self):
            return []
        seconds_apart = np.abs(self._time - case.created_at.timestamp())
        keep = seconds_apart <= cfg.window_days * 86_400
        distance = np.full(len(self), np.nan)
        if case.point is not None:
            has_point = ~np.isnan(self._lat)
            distance[has_point] = haversine_m(case.point[0], case.point[1], self._lat[has_point], self._lon[has_point])
            keep &= ~(distance > cfg.radius_m)  # NaN (no point) passes
        rows = np.flatnonzero(keep)
        if not rows.size:
            return []
        text = self.text_similarities(case.text)[rows]
        rows, text = rows[text >= cfg.min_text_similarity], text[text >= cfg.min_text_similarity]
        if not rows.size:
            return []

        total = cfg.weight_text * text + cfg.weight_recency * (1.0 - seconds_apart[rows] / (cfg.window_days * 86_400))
        weights = np.full(rows.size, cfg.weight_text + cfg.weight_recency)
        category = self._categories.get(case.category_id)
        if category != -1:
            known = self._category[rows] != -1
            total += cfg.weight_category * (known & (self._category[rows] == category))
            weights += cfg.weight_category * known
        dist = distance[rows]
        known = ~np.isnan(dist)
        total += cfg.weight_distance * np.where(known, 1.0 - np.nan_to_num(dist) / cfg.radius_m, 0.0)
        weights += cfg.weight_distance * known
        region = self._regions.get(case.region_key)
        if region != -1:
            known = self._region[rows] != -1
            same_grid = self._region[rows] == region
            community = self._communities.get(_community(case.region_key, cfg.community_divisor))
            same_community = (community != -1) & (self._community[rows] == community) & ~same_grid
            total += cfg.weight_region * (same_grid + cfg.community_share * same_community)
            weights += cfg.weight_region * known
        score = np.clip(total / weights, 0.0, 1.0)

        chosen = np.flatnonzero(score >= cfg.threshold)
        chosen = chosen[np.lexsort((-text[chosen], -score[chosen]))][: cfg.limit]
        return [
            self._candidate(
                case, int(rows[i]), float(score[i]), float(text[i]), dist[i], float(seconds_apart[rows[i]]) / 3600.0
            )
            for i in chosen
        ]

    def _candidate(
        self, case: CaseSnapshot, row: int, score: float, text: float, distance: float, hours: float
    ) -> DuplicateCandidate:
        other = self.cases[row]
        zh = [f"文本相似度 {text:.0%}"]
        en = [f"text similarity {text:.0%}"]
        if case.category_id is not None and case.category_id == other.category_id:
            zh.append("同一诉求类别")
            en.append("same category")
        if not math.isnan(distance):
            zh.append(f"相距约 {distance:.0f} 米")
            en.append(f"about {distance:.0f} m apart")
        if case.region_key is not None and case.region_key == other.region_key:
            zh.append("同一网格")
            en.append("same grid")
        elif (
            community := _community(case.region_key, self.config.community_divisor)
        ) is not None and community == _community(other.region_key, self.config.community_divisor):
            zh.append("同一社区")
            en.append("same community")
        zh.append(_apart_zh(hours))
        en.append(_apart_en(hours))
        return DuplicateCandidate(
            self._ids[row], score, zh, en, text, None if math.isnan(distance) else distance, hours
        )


def _apart_zh(hours: float) -> str:
    return f"受理时间相隔 {hours:.0f} 小时" if hours < 48 else f"受理时间相隔 {hours / 24:.0f} 天"


def _apart_en(hours: float) -> str:
    return f"received {hours:.0f} h apart" if hours < 48 else f"received {hours / 24:.0f} days apart"


def prefilter(
    case: CaseSnapshot, candidates: Sequence[CaseSnapshot], config: DuplicateConfig = DEFAULT_CONFIG
) -> list[CaseSnapshot]:
    """The candidates inside the time window and, when both points are known, inside the radius."""
    if not candidates:
        return []
    n = len(candidates)
    times = np.fromiter((c.created_at.timestamp() for c in candidates), dtype=np.float64, count=n)
    keep = np.abs(times - case.created_at.timestamp()) <= config.window_days * 86_400
    if case.point is not None:
        lat = np.fromiter((c.point[0] if c.point else np.nan for c in candidates), dtype=np.float64, count=n)
        lon = np.fromiter((c.point[1] if c.point else np.nan for c in candidates), dtype=np.float64, count=n)
        with np.errstate(invalid="ignore"):
            keep &= ~(haversine_m(case.point[0], case.point[1], lat, lon) > config.radius_m)  # NaN passes
    return [candidates[int(i)] for i in np.flatnonzero(keep)]


def find_duplicates(
    case: CaseSnapshot, candidates: Iterable[CaseSnapshot], config: DuplicateConfig = DEFAULT_CONFIG
) -> list[DuplicateCandidate]:
    """One-shot form: filter by time and distance, index the survivors, score them. Best first."""
    survivors = prefilter(case, list(candidates), config)
    return DuplicateIndex(survivors, config).query(case) if survivors else []
