"""The three rates (三率) and their companions, computed from plain per-case facts. No Django here.

Every rate is a count of cases over a count of cases, published with its numerator, denominator, a Wilson
score interval and a small-sample flag, so a unit with 7 cases is never ranked as if it had 700. The
definitions are in ``docs/metrics.md`` (one anchor per rate, ``RateSpec.anchor``); the code and that page
must say the same thing.

Population: a case enters the rates ("assessed") when it was dispatched to a handling unit, was not merged
into another case as a duplicate, and was not dismissed through the reviewed unreasonable-request lane.
Each rate then narrows the population to the cases for which its question can already be answered: a case
whose response limit has not passed is not yet a response success or failure, an unrated case has no
resident verdict. Numerators are always a subset of their denominators.

Unrated (未评价): a replied case nobody rated within the rating window is in no numerator, and it is left out of
the denominators of 解决率, 满意率 and 一次办结率 (they report the verdicts residents gave); it stays in the
follow-up rate's denominator, and its number is published beside the rates (``RateSet.unrated``), with the cases
still inside the window (``RateSet.awaiting_rating``). It is never counted as satisfied (docs/metrics.md).

Grouping is the caller's: ``compute_rates(outcomes, key=lambda o: …)`` with any hashable key (unit, street,
month, category …). The adapter that builds ``CaseOutcome`` rows decides attribution (for unit rankings:
the unit that held the case last). An adapter that counts in the database instead passes one ``RateCounts`` per
group to ``rates_from_counts``; ``compute_rates`` (per case) is the reference those counts must equal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Z95 = 1.959963984540054  # two-sided 95 %: the 0.975 quantile of the standard normal
DEFAULT_MIN_N = 30


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """The facts of one case that the rates need, as seen at the moment of computing.

    ``responded``: the handling unit signed for the case (签收) before the response limit, the clock starting at
    dispatch to that unit (not at 签收). ``None`` while the limit has not passed and it has not signed yet;
    ``False`` once the limit passed unsigned. First contact with the resident (先行联系) is not recorded yet, so
    the rate does not claim it (docs/metrics.md).

    ``replied_on_time``: every reply (答复) of the unit, the first and any after a reopen, came before its
    limit, extensions granted before expiry included. ``False`` as soon as a limit passed without a reply;
    ``None`` while the case is open and inside its limit.

    ``resolved`` / ``satisfied``: the resident's answers at the latest follow-up (回访), ``None`` when never
    rated (unreachable, declined). During rework after a reopen the previous (negative) rating stands.
    基本满意 counts as satisfied; an adapter that wants the strict reading maps it to ``False``.

    ``return_count``: 退单 hops the case made; ``reopen_count``: 重办 after a "not satisfied" rating.

    ``rating_window_over``: the window for rating the latest reply has closed. A replied case without any rating
    is then 未评价 (``unrated``); before, it is still awaiting its rating.
    """

    dispatched: bool = True  # False: answered directly at intake (直办/直接答复), no handling unit involved
    merged: bool = False  # merged into another case as its duplicate (并单); the surviving case is counted
    dismissed_unreasonable: bool = False  # upheld as unreasonable after review (不合理诉求已核销); a flag alone is not
    responded: bool | None = None
    replied: bool = False  # at least one reply (答复) has been given
    replied_on_time: bool | None = None
    resolved: bool | None = None
    satisfied: bool | None = None
    return_count: int = 0
    reopen_count: int = 0
    rating_window_over: bool = False

    def __post_init__(self) -> None:
        if self.return_count < 0 or self.reopen_count < 0:
            raise ValueError("return_count and reopen_count cannot be negative")

    @property
    def assessed(self) -> bool:
        return self.dispatched and not self.merged and not self.dismissed_unreasonable

    @property
    def has_rating(self) -> bool:
        return self.resolved is not None or self.satisfied is not None

    @property
    def unrated(self) -> bool:
        """未评价: replied, never rated, and the rating window has closed."""
        return self.replied and not self.has_rating and self.rating_window_over

    @property
    def awaiting_rating(self) -> bool:
        """Replied, not rated yet, and the resident may still rate it."""
        return self.replied and not self.has_rating and not self.rating_window_over


@dataclass(frozen=True, slots=True)
class RateSpec:
    """What a rate is called, which direction is good, and where its definition lives."""

    name: str
    zh: str
    en: str
    higher_is_better: bool
    numerator_zh: str
    denominator_zh: str

    @property
    def anchor(self) -> str:
        return self.name.replace("_", "-") + "-rate"

    @property
    def doc_url(self) -> str:
        return f"docs/metrics.md#{self.anchor}"


RATE_SPECS: dict[str, RateSpec] = {
    spec.name: spec
    for spec in (
        RateSpec(
            "response",
            "响应率",
            "response rate",
            True,
            "时限内签收的工单",
            "已派单且响应时限已到或已响应的工单",
        ),
        RateSpec("resolution", "解决率", "resolution rate", True, "回访中诉求人表示已解决的工单", "已回访评价的工单"),
        RateSpec(
            "satisfaction",
            "满意率",
            "satisfaction rate",
            True,
            "回访中诉求人表示满意（含基本满意）的工单",
            "已回访评价的工单",
        ),
        RateSpec(
            "on_time",
            "按时办结率",
            "on-time rate",
            True,
            "每次答复均在办理时限内的工单",
            "已答复或已超过办理时限的工单",
        ),
        RateSpec("return", "回退率", "return rate", False, "至少退单一次的工单", "全部已派单工单"),
        RateSpec("reopen", "重办率", "reopen rate", False, "至少重办一次的工单", "已答复的工单"),
        RateSpec(
            "first_time_resolution",
            "一次办结率",
            "first-time resolution rate",
            True,
            "未退单、未重办且回访表示已解决的工单",
            "已回访评价的工单",
        ),
        RateSpec("follow_up", "回访率", "follow-up rate", True, "已回访评价的工单", "已答复的工单"),
    )
}
RATE_NAMES: tuple[str, ...] = tuple(RATE_SPECS)


def _rate_questions(case: CaseOutcome) -> dict[str, tuple[bool, bool]]:
    """For each rate: (is the case in the denominator, is it in the numerator). Only for assessed cases."""
    rated = case.resolved is not None
    return {
        "response": (case.responded is not None, case.responded is True),
        "resolution": (rated, case.resolved is True),
        "satisfaction": (case.satisfied is not None, case.satisfied is True),
        "on_time": (case.replied_on_time is not None, case.replied_on_time is True),
        "return": (True, case.return_count > 0),
        "reopen": (case.replied, case.reopen_count > 0),
        "first_time_resolution": (rated, case.resolved is True and case.return_count == 0 and case.reopen_count == 0),
        "follow_up": (case.replied, case.replied and case.has_rating),
    }


@dataclass(frozen=True, slots=True)
class RateConfig:
    min_n: int = DEFAULT_MIN_N  # a denominator below this is a small sample: shown, flagged, not ranked
    z: float = Z95

    def __post_init__(self) -> None:
        if self.min_n < 0 or self.z <= 0:
            raise ValueError("min_n must be >= 0 and z > 0")


DEFAULT_CONFIG = RateConfig()


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a binomial proportion; ``None`` when ``n`` is 0.

    centre = (p + z²/2n) / (1 + z²/n), half-width = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²).
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got {successes}/{n}")
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if successes == 0 else max(0.0, min(p, centre - half))
    high = 1.0 if successes == n else min(1.0, max(p, centre + half))
    return low, high


@dataclass(frozen=True, slots=True)
class Rate:
    name: str
    numerator: int
    denominator: int
    value: float | None  # None when the denominator is 0
    low: float | None  # Wilson interval bounds, None when the denominator is 0
    high: float | None
    small_sample: bool

    @classmethod
    def of(cls, name: str, numerator: int, denominator: int, config: RateConfig = DEFAULT_CONFIG) -> Rate:
        if name not in RATE_SPECS:
            raise KeyError(f"unknown rate {name!r}")
        interval = wilson_interval(numerator, denominator, config.z)
        return cls(
            name,
            numerator,
            denominator,
            numerator / denominator if denominator else None,
            interval[0] if interval else None,
            interval[1] if interval else None,
            denominator < config.min_n,
        )

    @property
    def spec(self) -> RateSpec:
        return RATE_SPECS[self.name]

    @property
    def interval(self) -> tuple[float, float] | None:
        return None if self.low is None or self.high is None else (self.low, self.high)

    @property
    def pessimistic(self) -> float | None:
        """The bound a cautious reader would use: the lower one when higher is better, else the upper one."""
        return self.low if self.spec.higher_is_better else self.high


@dataclass(frozen=True, slots=True)
class RateSet:
    key: Hashable
    cases: int  # every outcome given for this group
    assessed: int  # the population of the rates (see module doc)
    excluded_direct: int  # answered directly, never dispatched
    excluded_merged: int
    excluded_unreasonable: int
    rates: Mapping[str, Rate] = field(default_factory=dict)
    unrated: int = 0  # 未评价: assessed, replied, not rated within the rating window (in no numerator)
    awaiting_rating: int = 0  # assessed, replied, not rated yet, still inside the rating window

    def __getitem__(self, name: str) -> Rate:
        return self.rates[name]

    @property
    def response(self) -> Rate:
        return self.rates["response"]

    @property
    def resolution(self) -> Rate:
        return self.rates["resolution"]

    @property
    def satisfaction(self) -> Rate:
        return self.rates["satisfaction"]

    @property
    def on_time(self) -> Rate:
        return self.rates["on_time"]

    @property
    def return_rate(self) -> Rate:
        return self.rates["return"]

    @property
    def reopen(self) -> Rate:
        return self.rates["reopen"]

    @property
    def first_time_resolution(self) -> Rate:
        return self.rates["first_time_resolution"]

    @property
    def follow_up(self) -> Rate:
        return self.rates["follow_up"]


class RateCounts:
    """The counts a ``RateSet`` is made of: cases, exclusions, and each rate's numerator and denominator.

    Built either case by case (``add``, the reference reading of ``CaseOutcome``) or directly from counts that
    were aggregated elsewhere, e.g. in SQL (``from_counts``); both give the same ``RateSet``.
    """

    __slots__ = ("cases", "assessed", "direct", "merged", "unreasonable", "unrated", "awaiting", "num", "den")

    def __init__(self) -> None:
        self.cases = self.assessed = self.direct = self.merged = self.unreasonable = 0
        self.unrated = self.awaiting = 0
        self.num = dict.fromkeys(RATE_NAMES, 0)
        self.den = dict.fromkeys(RATE_NAMES, 0)

    @classmethod
    def from_counts(
        cls,
        *,
        cases: int,
        assessed: int,
        excluded_direct: int,
        excluded_merged: int,
        excluded_unreasonable: int,
        numerators: Mapping[str, int],
        denominators: Mapping[str, int],
        unrated: int = 0,
        awaiting_rating: int = 0,
    ) -> RateCounts:
        """Counts aggregated elsewhere. Checked: exclusions and assessed add up to ``cases``, every rate is given,
        0 <= numerator <= denominator <= assessed, and the unrated and awaiting cases are replied cases without a
        rating (together at most the follow-up rate's denominator minus its numerator)."""
        counts = cls()
        counts.cases, counts.assessed = cases, assessed
        counts.unrated, counts.awaiting = unrated, awaiting_rating
        counts.direct, counts.merged, counts.unreasonable = excluded_direct, excluded_merged, excluded_unreasonable
        if set(numerators) != set(RATE_NAMES) or set(denominators) != set(RATE_NAMES):
            raise ValueError(f"need a numerator and a denominator for each of {', '.join(RATE_NAMES)}")
        if (
            min(cases, assessed, excluded_direct, excluded_merged, excluded_unreasonable) < 0
            or assessed + excluded_direct + excluded_merged + excluded_unreasonable != cases
        ):
            raise ValueError("assessed and excluded cases must be >= 0 and add up to cases")
        for name in RATE_NAMES:
            if not 0 <= numerators[name] <= denominators[name] <= assessed:
                raise ValueError(f"{name}: need 0 <= numerator <= denominator <= assessed")
            counts.num[name], counts.den[name] = numerators[name], denominators[name]
        if min(unrated, awaiting_rating) < 0 or unrated + awaiting_rating > (
            denominators["follow_up"] - numerators["follow_up"]
        ):
            raise ValueError("unrated and awaiting cases must be >= 0 and replied cases without a rating")
        return counts

    def add(self, case: CaseOutcome) -> None:
        self.cases += 1
        if case.merged:  # the first exclusion that applies is the one counted
            self.merged += 1
            return
        if case.dismissed_unreasonable:
            self.unreasonable += 1
            return
        if not case.dispatched:
            self.direct += 1
            return
        self.assessed += 1
        self.unrated += case.unrated
        self.awaiting += case.awaiting_rating
        for name, (in_den, in_num) in _rate_questions(case).items():
            if in_den:
                self.den[name] += 1
                self.num[name] += in_num

    def add_counts(self, other: RateCounts) -> None:
        """Add a disjoint group's counts (roll-up)."""
        self.cases += other.cases
        self.assessed += other.assessed
        self.direct += other.direct
        self.merged += other.merged
        self.unreasonable += other.unreasonable
        self.unrated += other.unrated
        self.awaiting += other.awaiting
        for name in RATE_NAMES:
            self.num[name] += other.num[name]
            self.den[name] += other.den[name]

    def result(self, key: Hashable, config: RateConfig = DEFAULT_CONFIG) -> RateSet:
        return RateSet(
            key,
            self.cases,
            self.assessed,
            self.direct,
            self.merged,
            self.unreasonable,
            {name: Rate.of(name, self.num[name], self.den[name], config) for name in RATE_NAMES},
            self.unrated,
            self.awaiting,
        )


def compute_rates(
    outcomes: Iterable[CaseOutcome],
    key: Callable[[CaseOutcome], Hashable] | None = None,
    config: RateConfig = DEFAULT_CONFIG,
) -> dict[Hashable, RateSet]:
    """One ``RateSet`` per group key, in first-seen order. Without ``key`` everything is one group, key ``None``.

    ``key`` receives the outcome; callers that group by something not in ``CaseOutcome`` pass pairs through
    ``compute_rates_by`` instead.
    """
    return compute_rates_by(((key(o) if key else None, o) for o in outcomes), config)


def compute_rates_by(
    keyed: Iterable[tuple[Hashable, CaseOutcome]], config: RateConfig = DEFAULT_CONFIG
) -> dict[Hashable, RateSet]:
    """Like ``compute_rates`` for ``(group key, outcome)`` pairs, e.g. ``((case.unit_id, outcome(case)) …)``."""
    tallies: dict[Hashable, RateCounts] = {}
    for group, outcome in keyed:
        tally = tallies.get(group)
        if tally is None:
            tally = tallies[group] = RateCounts()
        tally.add(outcome)
    return {group: tally.result(group, config) for group, tally in tallies.items()}


def rates_from_counts(
    keyed: Iterable[tuple[Hashable, RateCounts]], config: RateConfig = DEFAULT_CONFIG
) -> dict[Hashable, RateSet]:
    """One ``RateSet`` per group key, in first-seen order, from counts aggregated elsewhere (e.g. one SQL row per
    group). Counts given twice for one key are added, so a caller may map several raw keys onto one group."""
    totals: dict[Hashable, RateCounts] = {}
    for group, counts in keyed:
        total = totals.get(group)
        if total is None:
            total = totals[group] = RateCounts()
        total.add_counts(counts)
    return {group: total.result(group, config) for group, total in totals.items()}


def overall_rates(outcomes: Iterable[CaseOutcome], config: RateConfig = DEFAULT_CONFIG) -> RateSet:
    return compute_rates(outcomes, config=config).get(None) or RateCounts().result(None, config)


def combine(rate_sets: Iterable[RateSet], key: Hashable = None, config: RateConfig = DEFAULT_CONFIG) -> RateSet:
    """Roll disjoint groups up (grids → community): numerators and denominators add, intervals are recomputed."""
    tally = RateCounts()
    for rs in rate_sets:
        tally.cases += rs.cases
        tally.assessed += rs.assessed
        tally.direct += rs.excluded_direct
        tally.merged += rs.excluded_merged
        tally.unreasonable += rs.excluded_unreasonable
        tally.unrated += rs.unrated
        tally.awaiting += rs.awaiting_rating
        for name in RATE_NAMES:
            tally.num[name] += rs.rates[name].numerator
            tally.den[name] += rs.rates[name].denominator
    return tally.result(key, config)


RankStatus = Literal["ranked", "small_sample", "no_data"]
STATUS_ZH: dict[str, str] = {"ranked": "", "small_sample": "样本不足，不参与排名", "no_data": "无数据"}
STATUS_EN: dict[str, str] = {"ranked": "", "small_sample": "small sample, not ranked", "no_data": "no data"}


@dataclass(frozen=True, slots=True)
class RankedGroup:
    key: Hashable
    position: int | None  # 1-based competition rank (ties share it); None for small-sample and no-data groups
    status: RankStatus
    rate: Rate
    rate_set: RateSet

    @property
    def small_sample(self) -> bool:
        return self.status != "ranked"

    @property
    def note_zh(self) -> str:
        return STATUS_ZH[self.status]

    @property
    def note_en(self) -> str:
        return STATUS_EN[self.status]


def rank(rate_sets: Mapping[Hashable, RateSet] | Iterable[RateSet], rate: str) -> list[RankedGroup]:
    """Order groups by ``rate`` using the pessimistic Wilson bound (lower bound when higher is better, upper bound
    when lower is better, as for return and reopen rates), so a small lucky sample cannot top the list.

    Ranked groups come first with positions 1, 2, 2, 4 …; then small-sample groups (denominator below the
    configured ``min_n``) in the same order but without a position; then groups with no data.
    Ties on the bound are broken by the point value, then by the key's text, for a stable order.
    """
    spec = RATE_SPECS[rate]
    sets = list(rate_sets.values()) if isinstance(rate_sets, Mapping) else list(rate_sets)
    sign = -1.0 if spec.higher_is_better else 1.0

    def order(rs: RateSet) -> tuple[float, float, str]:
        r = rs.rates[rate]
        return sign * (r.pessimistic or 0.0), sign * (r.value or 0.0), str(rs.key)

    def status(rs: RateSet) -> RankStatus:
        r = rs.rates[rate]
        return "no_data" if r.denominator == 0 else "small_sample" if r.small_sample else "ranked"

    result: list[RankedGroup] = []
    for wanted in ("ranked", "small_sample", "no_data"):
        group = sorted((rs for rs in sets if status(rs) == wanted), key=order)
        previous: tuple[float | None, float | None] | None = None
        position = 0
        for index, rs in enumerate(group, start=1):
            r = rs.rates[rate]
            if wanted == "ranked":
                tie = (r.pessimistic, r.value)
                if tie != previous:
                    position, previous = index, tie
            result.append(RankedGroup(rs.key, position if wanted == "ranked" else None, wanted, r, rs))
    return result
