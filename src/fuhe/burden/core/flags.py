"""Hidden-assessment flags (隐形考核 / 变相责任状 / 过度留痕): rules over a task's facts, each with an explanation.
No Django. Thresholds come in a ``Thresholds`` value (configurable per district in the app).

Rules and what fires them:

* ``trace_evidence`` — demands photos, videos, location tracks or ledgers as proof (过度留痕), by the evidence
  fields or by the words of the task.
* ``forbidden_metric`` — demands check-ins (打卡签到), online time, likes/forwards/votes, study time or app
  install/usage rates: the functions 国办函〔2026〕12号 forbids ("五个不得").
* ``ranking`` — the task is a ranking/appraisal or asks to rank (排名/评比).
* ``pledge`` — a pledge or responsibility letter (责任状/承诺书): pressure passed down in disguise.
* ``duplicate_collection`` — a form field asks, outside the catalogue, for data the catalogue already holds.
* ``same_content`` — the same content was sent to the same units by another sender recently.
* ``short_deadline`` — fewer than N working days from issue to deadline.
* ``rest_day_deadline`` — the deadline falls on a rest day.
* ``frequent_recurrence`` — repeats more often than every N days.

The word rules read the text without ``BENIGN_PHRASES`` (a video conference is no video evidence, forwarding a
document no demand for forwards) and count a usage rate only when it is an app's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date


class Evidence:
    PHOTO = "photo"
    VIDEO = "video"
    LOCATION_TRACK = "location_track"
    LEDGER = "ledger"
    CHECK_IN = "check_in"
    ONLINE_TIME = "online_time"
    LIKES_FORWARDS = "likes_forwards"
    STUDY_TIME = "study_time"
    APP_INSTALL = "app_install"
    SIGNED_RECEIPT = "signed_receipt"
    NONE = "none"


TRACE = frozenset({Evidence.PHOTO, Evidence.VIDEO, Evidence.LOCATION_TRACK, Evidence.LEDGER})
#: forbidden by 国办函〔2026〕12号 ("五个不得" 2–4); the gate refuses tasks that demand them
FORBIDDEN = frozenset(
    {Evidence.CHECK_IN, Evidence.ONLINE_TIME, Evidence.LIKES_FORWARDS, Evidence.STUDY_TIME, Evidence.APP_INSTALL}
)

TRACE_WORDS = ("拍照", "照片", "留痕", "台账", "视频", "轨迹", "截图")
FORBIDDEN_WORDS = {
    "打卡": Evidence.CHECK_IN,
    "签到": Evidence.CHECK_IN,
    "在线时长": Evidence.ONLINE_TIME,
    "点赞": Evidence.LIKES_FORWARDS,
    "转发": Evidence.LIKES_FORWARDS,
    "投票数": Evidence.LIKES_FORWARDS,
    "学习时长": Evidence.STUDY_TIME,
    "安装率": Evidence.APP_INSTALL,
    "下载率": Evidence.APP_INSTALL,
    "注册率": Evidence.APP_INSTALL,
    # a bare 使用率 is as often a facility's usage rate (养老驿站使用率): only an app's counts
    "app使用率": Evidence.APP_INSTALL,
    "客户端使用率": Evidence.APP_INSTALL,
    "小程序使用率": Evidence.APP_INSTALL,
}
RANKING_WORDS = ("排名", "排行", "评比", "打分排序", "通报排名")
PLEDGE_WORDS = ("责任状", "责任书", "承诺书", "保证书", "军令状")
#: phrases that contain a flag word but demand nothing: a video conference (视频会议), forwarding a document
BENIGN_PHRASES = ("视频会", "转发给", "转发《")

RULES = (
    "trace_evidence",
    "forbidden_metric",
    "ranking",
    "pledge",
    "duplicate_collection",
    "same_content",
    "short_deadline",
    "rest_day_deadline",
    "frequent_recurrence",
)


@dataclass(frozen=True)
class Thresholds:
    min_working_days: int = 3
    min_interval_days: int = 7
    similarity: float = 0.6
    same_content_window_days: int = 30


@dataclass(frozen=True)
class TaskFacts:
    task_id: int
    sender_id: int
    kind: str
    title: str
    content: str
    issued: date
    due: date
    evidence: frozenset[str] = frozenset()
    interval_days: int | None = None
    target_ids: frozenset[int] = frozenset()
    fields: tuple[tuple[str, str | None], ...] = ()  # (label, catalogue item code or None)

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.content}"


@dataclass(frozen=True)
class Flag:
    rule: str
    explanation: str
    detail: Mapping[str, object] = field(default_factory=dict)


_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    return _PUNCTUATION.sub("", text).lower()


def bigrams(text: str) -> frozenset[str]:
    text = normalise(text)
    return frozenset(text[i : i + 2] for i in range(len(text) - 1)) or frozenset({text})


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams of the normalised texts (0..1)."""
    x, y = bigrams(a), bigrams(b)
    union = x | y
    return len(x & y) / len(union) if union else 0.0


def screened(text: str) -> str:
    """The text the word rules read: lower case, with the benign phrases blanked out."""
    text = text.lower()
    for phrase in BENIGN_PHRASES:
        text = text.replace(phrase, "|")
    return text


def forbidden_demands(facts: TaskFacts) -> tuple[str, ...]:
    found = set(facts.evidence & FORBIDDEN)
    if facts.kind == "check_in":
        found.add(Evidence.CHECK_IN)
    text = screened(facts.text)
    found.update(code for word, code in FORBIDDEN_WORDS.items() if word in text)
    return tuple(sorted(found))


def _words_in(text: str, words: Iterable[str]) -> list[str]:
    return [word for word in words if word in text]


def evaluate(
    facts: TaskFacts,
    *,
    thresholds: Thresholds = Thresholds(),
    is_workday: Callable[[date], bool] = lambda day: day.weekday() < 5,
    working_days_between: Callable[[date, date], int] | None = None,
    catalogue_names: Mapping[str, str] | None = None,
    recent: Sequence[TaskFacts] = (),
) -> list[Flag]:
    """All flags a task raises, in the order of ``RULES``."""
    flags: list[Flag] = []
    text = screened(facts.text)
    trace = sorted(facts.evidence & TRACE)
    trace_words = _words_in(text, TRACE_WORDS)
    if trace or trace_words:
        flags.append(
            Flag(
                "trace_evidence",
                "Demands traces as proof of work (过度留痕): " + ", ".join(trace + trace_words) + ".",
                {"evidence": trace, "words": trace_words},
            )
        )
    forbidden = forbidden_demands(facts)
    if forbidden:
        flags.append(
            Flag(
                "forbidden_metric",
                "Demands what the 2026 rules on government apps forbid "
                "(国办函〔2026〕12号): " + ", ".join(forbidden) + ".",
                {"demands": list(forbidden)},
            )
        )
    ranking_words = _words_in(text, RANKING_WORDS)
    if facts.kind == "ranking" or ranking_words:
        flags.append(
            Flag(
                "ranking",
                "Ranks or appraises grassroots units (考核过密化)"
                + (f": {', '.join(ranking_words)}." if ranking_words else "."),
                {"words": ranking_words},
            )
        )
    pledge_words = _words_in(text, PLEDGE_WORDS)
    if facts.kind == "pledge" or pledge_words:
        flags.append(
            Flag(
                "pledge",
                "Asks for a pledge or responsibility letter (变相责任状)"
                + (f": {', '.join(pledge_words)}." if pledge_words else "."),
                {"words": pledge_words},
            )
        )
    flags.extend(_duplicate_collection(facts, catalogue_names or {}))
    flags.extend(_same_content(facts, recent, thresholds))
    flags.extend(_deadline(facts, thresholds, is_workday, working_days_between))
    if facts.interval_days is not None and facts.interval_days < thresholds.min_interval_days:
        flags.append(
            Flag(
                "frequent_recurrence",
                f"Repeats every {facts.interval_days} day(s); the threshold is {thresholds.min_interval_days}.",
                {"interval_days": facts.interval_days},
            )
        )
    return flags


def _duplicate_collection(facts: TaskFacts, catalogue_names: Mapping[str, str]) -> list[Flag]:
    names = {normalise(name): code for name, code in catalogue_names.items()}
    duplicates = [
        (label, names[normalise(label)]) for label, code in facts.fields if code is None and normalise(label) in names
    ]
    if not duplicates:
        return []
    return [
        Flag(
            "duplicate_collection",
            "Collects again, outside the catalogue, data the catalogue already holds "
            "(一表通): " + ", ".join(f"{label} → {code}" for label, code in duplicates) + ".",
            {"fields": [label for label, _ in duplicates]},
        )
    ]


def _same_content(facts: TaskFacts, recent: Sequence[TaskFacts], thresholds: Thresholds) -> list[Flag]:
    matches = []
    for other in recent:
        if other.task_id == facts.task_id or other.sender_id == facts.sender_id:
            continue
        if abs((other.issued - facts.issued).days) > thresholds.same_content_window_days:
            continue
        if facts.target_ids and other.target_ids and not facts.target_ids & other.target_ids:
            continue
        score = similarity(facts.text, other.text)
        if score >= thresholds.similarity:
            matches.append((other.task_id, other.sender_id, round(score, 2)))
    if not matches:
        return []
    return [
        Flag(
            "same_content",
            f"The same content reached the same units from {len(matches)} other sender(s) "
            f"within {thresholds.same_content_window_days} days.",
            {
                "tasks": [m[0] for m in matches],
                "senders": sorted({m[1] for m in matches}),
                "scores": [m[2] for m in matches],
            },
        )
    ]


def _deadline(
    facts: TaskFacts,
    thresholds: Thresholds,
    is_workday: Callable[[date], bool],
    working_days_between: Callable[[date, date], int] | None,
) -> list[Flag]:
    flags = []
    count = (working_days_between or _count_working_days(is_workday))(facts.issued, facts.due)
    if count < thresholds.min_working_days:
        flags.append(
            Flag(
                "short_deadline",
                f"Leaves {count} working day(s) from issue to deadline; the minimum is {thresholds.min_working_days}.",
                {"working_days": count},
            )
        )
    if not is_workday(facts.due):
        flags.append(
            Flag(
                "rest_day_deadline",
                f"The deadline ({facts.due.isoformat()}) falls on a rest day.",
                {"due": facts.due.isoformat()},
            )
        )
    return flags


def _count_working_days(is_workday: Callable[[date], bool]) -> Callable[[date, date], int]:
    def count(first: date, last: date) -> int:
        """Working days after ``first`` up to and including ``last``."""
        from datetime import timedelta

        total, day = 0, first
        while day < last:
            day += timedelta(days=1)
            total += is_workday(day)
        return total

    return count
