"""The three rates from real case data (no extra reports): selectors feeding ``core/rates.py``."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Mod
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fuhe.cases.core.lifecycle import State, is_rating_window_over
from fuhe.cases.core.rates import (
    RATE_NAMES,
    RATE_SPECS,
    CaseOutcome,
    RateCounts,
    RateSet,
    RateSpec,
    rank,
    rates_from_counts,
)
from fuhe.cases.labels import rate_label
from fuhe.cases.selectors import case_queryset
from fuhe.org.core.divisions import Level, subtree_span
from fuhe.org.models import Region

#: the column each grouping counts by; "street_key" is annotated by ``grouped`` (the street above the case's place)
GROUPINGS = {"unit": "owner_unit__name", "street": "street_key", "category": "category__name"}
STREET_SPAN = subtree_span(Level.STREET)
RATE_ORDER = [
    "response",
    "resolution",
    "satisfaction",
    "on_time",
    "return",
    "reopen",
    "first_time_resolution",
    "follow_up",
]
OUTCOME_FIELDS = (
    "state",
    "dispatched_at",
    "accepted_on_time",
    "acceptance_due",
    "replied_at",
    "replied_on_time",
    "resolution_due",
    "rating_resolved",
    "rating_satisfied",
    "return_count",
    "reopen_count",
)


def _window_days(window_days: int | None) -> int:
    return settings.FUHE_RATING_WINDOW_DAYS if window_days is None else window_days


def outcome_of(row: dict, now, *, window_days: int | None = None) -> CaseOutcome:
    """One case as the rates see it; unknown outcomes stay None (they leave the denominator).

    The per-case reading of ``OUTCOME_FIELDS``. The pages count in SQL (``rate_counts``), which must give the same
    numbers; this function is the reference those counts are tested against. ``window_days``: the rating window
    (default ``FUHE_RATING_WINDOW_DAYS``); a reply older than it without a rating is 未评价.
    """
    accepted_on_time = row["accepted_on_time"]
    if accepted_on_time is None and row["acceptance_due"] is not None and row["acceptance_due"] < now:
        accepted_on_time = False  # the acceptance clock ran out unsigned
    replied_on_time = row["replied_on_time"]
    if row["replied_at"] is None and row["resolution_due"] is not None and row["resolution_due"] < now:
        replied_on_time = False
    return CaseOutcome(
        dispatched=row["dispatched_at"] is not None,
        merged=row["state"] == State.MERGED,
        dismissed_unreasonable=row["state"] == State.DISMISSED,
        responded=accepted_on_time,
        replied=row["replied_at"] is not None,
        replied_on_time=replied_on_time,
        resolved=row["rating_resolved"],
        satisfied=row["rating_satisfied"],
        return_count=row["return_count"],
        reopen_count=row["reopen_count"],
        rating_window_over=is_rating_window_over(row["replied_at"], now=now, window_days=_window_days(window_days)),
    )


# which of the population's exclusions applies, the first one in the order of ``RateCounts.add``
ASSESSED, MERGED, DISMISSED, DIRECT = 0, 1, 2, 3
EXCLUSION = Case(
    When(state=State.MERGED, then=Value(MERGED)),
    When(state=State.DISMISSED, then=Value(DISMISSED)),
    When(dispatched_at__isnull=True, then=Value(DIRECT)),
    default=Value(ASSESSED),
    output_field=IntegerField(),
)


def _counters(now: datetime, window_days: int) -> dict[str, Count]:
    """``outcome_of`` and ``_rate_questions`` of ``core.rates`` as conditional counts, one per numerator and
    denominator; they are read only for the rows of assessed cases (``EXCLUSION`` = ``ASSESSED``). Each numerator's
    condition implies its denominator's (checked again by ``RateCounts.from_counts``), so it is not repeated.
    The replied cases without a rating are counted too: 未评价 once the rating window closed, else awaiting."""
    rated = Q(rating_resolved__isnull=False)
    replied = Q(replied_at__isnull=False)
    reply_overdue = Q(replied_at__isnull=True, resolution_due__lt=now)  # outcome_of: replied_on_time becomes False
    questions = {  # rate: (in the denominator, in the numerator), as ``_rate_questions``
        "response": (Q(accepted_on_time__isnull=False) | Q(acceptance_due__lt=now), Q(accepted_on_time=True)),
        "resolution": (rated, Q(rating_resolved=True)),
        "satisfaction": (Q(rating_satisfied__isnull=False), Q(rating_satisfied=True)),
        "on_time": (
            Q(replied_on_time__isnull=False) | reply_overdue,
            Q(replied_on_time=True) & (replied | Q(resolution_due__isnull=True) | Q(resolution_due__gte=now)),
        ),
        "return": (Q(), Q(return_count__gt=0)),
        "reopen": (replied, replied & Q(reopen_count__gt=0)),
        "first_time_resolution": (rated, Q(rating_resolved=True, return_count=0, reopen_count=0)),
        "follow_up": (replied, replied & (rated | Q(rating_satisfied__isnull=False))),
    }
    if set(questions) != set(RATE_NAMES):
        raise ImproperlyConfigured("every rate of core.rates needs its conditions here")
    counters = {"rc_cases": Count("pk")}
    for name, (in_denominator, in_numerator) in questions.items():
        counters[f"rc_den_{name}"] = Count("pk", filter=in_denominator) if in_denominator else Count("pk")
        counters[f"rc_num_{name}"] = Count("pk", filter=in_numerator)
    without_rating = replied & Q(rating_resolved__isnull=True, rating_satisfied__isnull=True)
    window_closed = Q(replied_at__lte=now - timedelta(days=window_days))  # is_rating_window_over
    counters["rc_unrated"] = Count("pk", filter=without_rating & window_closed)
    counters["rc_awaiting"] = Count("pk", filter=without_rating & ~window_closed)
    return counters


def _rate_counts(row: dict) -> RateCounts:
    cases, exclusion = row["rc_cases"], row["rc_exclusion"]
    if exclusion != ASSESSED:
        return RateCounts.from_counts(
            cases=cases,
            assessed=0,
            excluded_direct=cases if exclusion == DIRECT else 0,
            excluded_merged=cases if exclusion == MERGED else 0,
            excluded_unreasonable=cases if exclusion == DISMISSED else 0,
            numerators=dict.fromkeys(RATE_NAMES, 0),
            denominators=dict.fromkeys(RATE_NAMES, 0),
        )
    return RateCounts.from_counts(
        cases=cases,
        assessed=cases,
        excluded_direct=0,
        excluded_merged=0,
        excluded_unreasonable=0,
        numerators={name: row[f"rc_num_{name}"] for name in RATE_NAMES},
        denominators={name: row[f"rc_den_{name}"] for name in RATE_NAMES},
        unrated=row["rc_unrated"],
        awaiting_rating=row["rc_awaiting"],
    )


def rate_counts(
    cases: QuerySet, field: str | None, *, now: datetime, window_days: int | None = None
) -> Iterator[tuple[Hashable, RateCounts]]:
    """``(value of field, RateCounts)`` over ``cases``, counted in the database: one row per group and exclusion
    comes back, not one per case. A group may come more than once (``rates_from_counts`` adds them up);
    without ``field`` the key is ``None``."""
    keys = [field] if field else []
    counters = _counters(now, _window_days(window_days))
    rows = cases.order_by().values(*keys, rc_exclusion=EXCLUSION).annotate(**counters).order_by()
    for row in rows:
        yield (row[field] if field else None), _rate_counts(row)


def case_rates(cases: QuerySet, *, now: datetime | None = None) -> RateSet:
    """The rates of all of ``cases`` as one group (key ``None``), counted in the database."""
    rate_sets = rates_from_counts(rate_counts(cases, None, now=now or timezone.now()))
    return rate_sets.get(None) or RateCounts().result(None)


def grouped(cases: QuerySet, by: str) -> QuerySet:
    """``cases`` ready to be counted by ``GROUPINGS[by]``: by street, the key of the street (or township) above the
    case's place, whatever level it was placed at (a grid, a community or the street itself), from the region key
    alone (ADR 0002): a case placed on a grid belongs to its street, not to its community."""
    if by == "street":
        return cases.annotate(street_key=F("region_id") - Mod(F("region_id"), Value(STREET_SPAN)))
    return cases


def street_names(keys) -> dict[int, str]:
    """The names of the keys that are streets (a key taken from a district's or a city's own key is none)."""
    wanted = sorted({key for key in keys if key is not None})
    return dict(Region.objects.filter(id__in=wanted, level=Level.STREET).values_list("id", "name"))


def rates_by(*, user, by: str = "unit", days: int = 30) -> dict[str, RateSet]:
    """Rates per group over the cases received in the last ``days`` that the user may see."""
    now = timezone.now()
    since = now - timedelta(days=days)
    return rates_of(case_queryset(user, received_since=since).filter(created_at__gte=since), by, now=now)


def rates_of(cases: QuerySet, by: str, *, now: datetime) -> dict[str, RateSet]:
    """Rates of ``cases`` per group of ``by``, named: the unit's, the street's or the category's name."""
    by = by if by in GROUPINGS else "unit"
    counted = list(rate_counts(grouped(cases, by), GROUPINGS[by], now=now))
    if by == "street":
        names = street_names(key for key, _counts in counted)
        counted = [(names.get(key), counts) for key, counts in counted]
    # no name and an empty name are one group, "—", as they always were
    return rates_from_counts((key or "—", counts) for key, counts in counted)


def rates_table(rate_sets: dict[str, RateSet], order_by: str = "satisfaction") -> list[dict]:
    """Rows for display, ranked by the Wilson bound; small samples after the ranked groups, flagged."""
    return [
        {
            "key": ranked.key,
            "position": ranked.position,
            "status": ranked.status,
            "set": ranked.rate_set,
            "rates": [ranked.rate_set.rates[name] for name in RATE_ORDER if name in ranked.rate_set.rates],
        }
        for ranked in rank(rate_sets, order_by)
    ]


NO_GROUP = {
    "unit": gettext_lazy("no owning unit (not dispatched yet, or returned)"),
    "street": gettext_lazy("no street"),
    "category": gettext_lazy("no category"),
}
CHART_GROUPS = 15  # the chart shows the first ranked groups; the table below it shows them all
CHART_RATES = 3  # the three rates (三率): response, resolution, satisfaction


@dataclass(frozen=True)
class RatesReport:
    """The rates page and its workbook: ranked rows (each with a ``label``), the rates shown, the chart."""

    by: str
    days: int
    rows: list[dict]
    specs: list[RateSpec]
    chart: dict


def rates_chart(*, rows: list[dict], specs: list[RateSpec]) -> dict:
    """The chart's series: the ranked groups (small samples left out) and, per rate, its value in percent."""
    ranked = [row for row in rows if row["position"] is not None][:CHART_GROUPS]
    return {
        "groups": [row["label"] for row in ranked],
        "series": [
            {
                "name": rate_label(spec),
                "data": [round((row["set"].rates[spec.name].value or 0) * 100, 1) for row in ranked],
            }
            for spec in specs[:CHART_RATES]
        ],
    }


def rates_report(*, user, by: str = "unit", days: int = 30) -> RatesReport:
    """``rates_table`` of ``rates_by``, each row labelled (the cases without a group get a name that says so: a
    bare dash read as a broken row), with the rates in display order and the chart."""
    by = by if by in GROUPINGS else "unit"
    rows = rates_table(rates_by(user=user, by=by, days=days))
    for row in rows:
        row["label"] = str(NO_GROUP[by]) if row["key"] == "—" else str(row["key"])
    specs = [RATE_SPECS[name] for name in RATE_ORDER if name in RATE_SPECS]
    return RatesReport(by=by, days=days, rows=rows, specs=specs, chart=rates_chart(rows=rows, specs=specs))


def report_in_punctuality(*, user, days: int = 30) -> list[dict]:
    """Two-way assessment (双向考核): how promptly each summoned department reported in, on cases the user sees."""
    from django.db.models import Count, Q

    from fuhe.cases.core.rates import wilson_interval
    from fuhe.cases.models import ReportIn

    since = timezone.now() - timedelta(days=days)
    rows = (
        ReportIn.objects.filter(summons__case__in=case_queryset(user), summons__whistled_at__gte=since)
        .values("department__name")
        .annotate(
            summoned=Count("id"),
            reported=Count("id", filter=Q(status="reported")),
            on_time=Count("id", filter=Q(is_on_time=True)),
        )
        .order_by("department__name")
    )
    result = []
    for row in rows:
        interval = wilson_interval(row["on_time"], row["summoned"])
        result.append(
            {
                **row,
                "rate": row["on_time"] / row["summoned"] if row["summoned"] else None,
                "low": interval[0] if interval else None,
                "high": interval[1] if interval else None,
                "small_sample": row["summoned"] < 30,
            }
        )
    return result


# --- patrol: the categories a grid worker picks most, the on-spot fixes and their spot checks -----------------------

#: the categories of a new grid worker's patrol page before they (or their area) have any patrol history: the
#: common 巡查 findings (environment, street order, public facilities, safety hazards, illegal building, greenery)
DEFAULT_PATROL_CATEGORY_NAMES = ("环境卫生", "城管执法", "城市公共设施", "安全隐患", "违章建筑", "园林绿化")
PATROL_QUICK_CATEGORIES = 6


def patrol_categories(*, user, limit: int = PATROL_QUICK_CATEGORIES) -> list:
    """The patrol page's quick buttons: the categories of the user's own recent patrol findings first, then the
    most frequent ones of patrol findings where the user's roles reach, then the common defaults."""
    from fuhe.accounts.scope import scope_for
    from fuhe.cases.models import Case as CaseModel
    from fuhe.cases.models import Category, Channel

    patrols = CaseModel.objects.filter(channel=Channel.PATROL, category__isnull=False)
    chosen: list[int] = []
    recent = patrols.filter(created_by_id=user.pk).order_by("-created_at").values_list("category_id", flat=True)
    for category_id in recent[:100]:
        if category_id not in chosen:
            chosen.append(category_id)
    scope = scope_for(user)
    if len(chosen) < limit and (scope.case_ranges or scope.is_global):
        area = patrols if scope.is_global else patrols.filter(scope.case_region_q("region_id"))
        frequent = area.values("category_id").annotate(n=Count("pk")).order_by("-n", "category_id")
        for row in frequent[: limit * 2]:
            if row["category_id"] not in chosen:
                chosen.append(row["category_id"])
    active = {c.pk: c for c in Category.objects.filter(pk__in=chosen, is_active=True).select_related("parent")}
    result = [active[pk] for pk in chosen if pk in active][:limit]
    if len(result) < limit:
        defaults = Category.objects.filter(name__in=DEFAULT_PATROL_CATEGORY_NAMES, is_active=True).exclude(
            pk__in=[c.pk for c in result]
        )
        by_name = {}
        for category in defaults.select_related("parent").order_by("level", "path"):
            by_name.setdefault(category.name, category)
        result += [by_name[name] for name in DEFAULT_PATROL_CATEGORY_NAMES if name in by_name][: limit - len(result)]
    return result


def patrol_category_choices() -> list:
    """Every category a finding may be filed under (the leaves of the tree, as "level1 › level2 › level3")."""
    from fuhe.cases.models import Category

    return list(Category.objects.filter(is_active=True).exclude(children__is_active=True).order_by("path"))


@dataclass(frozen=True)
class OnSpotCounts:
    """Patrol findings fixed on the spot (就地解决) and the street's spot checks of them, in one period."""

    resolved: int  # closed on the spot
    drawn: int  # of these, drawn for a spot check
    confirmed: int  # checked: the fix was real
    reopened: int  # checked: it was not; the case went into the normal loop

    @property
    def pending(self) -> int:
        return self.drawn - self.confirmed - self.reopened

    @property
    def standing(self) -> int:
        """Counted as 就地解决: the on-spot closures no spot check overturned."""
        return self.resolved - self.reopened


def on_spot_counts(*, user, days: int = 30) -> OnSpotCounts:
    """On-spot fixes of the patrol findings received in the last ``days`` that the user may see. Never a rating:
    these cases were not dispatched, so the three rates leave them out."""
    from fuhe.cases.core.lifecycle import Action
    from fuhe.cases.models import CaseEvent

    since = timezone.now() - timedelta(days=days)
    cases = case_queryset(user, received_since=since).filter(created_at__gte=since)
    on_spot = Q(action=Action.RESOLVE_ON_SPOT)
    counts = CaseEvent.objects.filter(case_id__in=cases.values("pk")).aggregate(
        resolved=Count("pk", filter=on_spot),
        drawn=Count("pk", filter=on_spot & Q(data__spot_check=True)),
        confirmed=Count("pk", filter=Q(action=Action.SPOT_CHECK_CONFIRM)),
        reopened=Count("pk", filter=Q(action=Action.SPOT_CHECK_REOPEN)),
    )
    return OnSpotCounts(**counts)


def spot_checks_pending(*, user) -> QuerySet:
    """On-spot fixes drawn for a spot check and not checked yet, in the user's reach, oldest first; never the
    user's own (nobody checks their own fix)."""
    from fuhe.cases.core.lifecycle import Action
    from fuhe.cases.models import CaseEvent, Channel
    from fuhe.cases.rules import SPOT_CHECK_DECISIONS

    drawn = CaseEvent.objects.filter(action=Action.RESOLVE_ON_SPOT, data__spot_check=True).values("case_id")
    checked = CaseEvent.objects.filter(action__in=SPOT_CHECK_DECISIONS).values("case_id")
    return (
        case_queryset(user, states=[State.CLOSED])
        .filter(state=State.CLOSED, channel=Channel.PATROL, pk__in=drawn)
        .exclude(pk__in=checked)
        .exclude(created_by_id=user.pk)
        .select_related("category", "region", "created_by")
        .prefetch_related("photos")
        .order_by("closed_at", "pk")
    )
