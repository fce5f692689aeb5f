"""The three rates from real case data (no extra reports): selectors feeding ``core/rates.py``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from fuhe.cases.core.lifecycle import State
from fuhe.cases.core.rates import CaseOutcome, RateSet, compute_rates_by, rank
from fuhe.cases.selectors import case_queryset

GROUPINGS = {"unit": "owner_unit__name", "street": "region__parent__name", "category": "category__name"}
RATE_ORDER = ["response", "resolution", "satisfaction", "on_time", "return", "reopen", "first_time_resolution",
              "follow_up"]


def outcome_of(row: dict, now) -> CaseOutcome:
    """One case as the rates see it; unknown outcomes stay None (they leave the denominator)."""
    accepted_on_time = row["accepted_on_time"]
    if accepted_on_time is None and row["acceptance_due"] is not None and row["acceptance_due"] < now:
        accepted_on_time = False  # the acceptance clock ran out unsigned
    replied_on_time = row["replied_on_time"]
    if row["replied_at"] is None and row["resolution_due"] is not None and row["resolution_due"] < now:
        replied_on_time = False
    return CaseOutcome(dispatched=row["dispatched_at"] is not None, merged=row["state"] == State.MERGED,
                       dismissed_unreasonable=row["state"] == State.DISMISSED, responded=accepted_on_time,
                       replied=row["replied_at"] is not None, replied_on_time=replied_on_time,
                       resolved=row["rating_resolved"], satisfied=row["rating_satisfied"],
                       return_count=row["return_count"], reopen_count=row["reopen_count"])


def rates_by(*, user, by: str = "unit", days: int = 30) -> dict[str, RateSet]:
    """Rates per group over the cases received in the last ``days`` that the user may see."""
    field = GROUPINGS.get(by, GROUPINGS["unit"])
    now = timezone.now()
    rows = (case_queryset(user).filter(created_at__gte=now - timedelta(days=days))
            .values(field, "state", "dispatched_at", "accepted_on_time", "acceptance_due", "replied_at",
                    "replied_on_time", "resolution_due", "rating_resolved", "rating_satisfied", "return_count",
                    "reopen_count"))
    return compute_rates_by((row[field] or "—", outcome_of(row, now)) for row in rows.iterator(chunk_size=5000))


def rates_table(rate_sets: dict[str, RateSet], order_by: str = "satisfaction") -> list[dict]:
    """Rows for display, ranked by the Wilson bound; small samples after the ranked groups, flagged."""
    return [{"key": ranked.key, "position": ranked.position, "status": ranked.status, "set": ranked.rate_set,
             "rates": [ranked.rate_set.rates[name] for name in RATE_ORDER if name in ranked.rate_set.rates]}
            for ranked in rank(rate_sets, order_by)]


def report_in_punctuality(*, user, days: int = 30) -> list[dict]:
    """Two-way assessment (双向考核): how promptly each summoned department reported in, on cases the user sees."""
    from django.db.models import Count, Q

    from fuhe.cases.core.rates import wilson_interval
    from fuhe.cases.models import ReportIn

    since = timezone.now() - timedelta(days=days)
    rows = (ReportIn.objects.filter(summons__case__in=case_queryset(user), summons__whistled_at__gte=since)
            .values("department__name")
            .annotate(summoned=Count("id"), reported=Count("id", filter=Q(status="reported")),
                      on_time=Count("id", filter=Q(is_on_time=True)))
            .order_by("department__name"))
    result = []
    for row in rows:
        interval = wilson_interval(row["on_time"], row["summoned"])
        result.append({**row, "rate": row["on_time"] / row["summoned"] if row["summoned"] else None,
                       "low": interval[0] if interval else None, "high": interval[1] if interval else None,
                       "small_sample": row["summoned"] < 30})
    return result
