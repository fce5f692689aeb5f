"""Likely duplicates of a case, for the dispatcher to merge (same category, nearby, recent, similar text)."""

from __future__ import annotations

from datetime import timedelta

from fuhe.cases.core.duplicates import CaseSnapshot, DuplicateCandidate, find_duplicates
from fuhe.cases.models import Case
from fuhe.cases.selectors import OPEN_STATES, case_queryset

WINDOW = timedelta(days=7)


def _snapshot(case: Case) -> CaseSnapshot:
    point = (float(case.latitude), float(case.longitude)) if case.latitude is not None else None
    return CaseSnapshot(
        text=f"{case.title} {case.text}",
        created_at=case.created_at,
        category_id=case.category_id,
        point=point,
        region_key=case.region_id,
        case_id=case.pk,
    )


def duplicate_suggestions(*, user, case: Case, limit: int = 5) -> list[tuple[Case, DuplicateCandidate]]:
    """Open cases the user may see, in the same street, within a week, that look like the same problem."""
    street = case.region.parent if case.region.level in ("community", "grid") else case.region
    if case.region.level == "grid" and street is not None:
        street = street.parent
    low, high = street.subtree if street else case.region.subtree
    nearby = (
        case_queryset(user)
        .filter(
            region_id__gte=low,
            region_id__lt=high,
            state__in=OPEN_STATES,
            created_at__gte=case.created_at - WINDOW,
            created_at__lte=case.created_at + WINDOW,
        )
        .exclude(pk=case.pk)
        .only(
            "id",
            "title",
            "text",
            "created_at",
            "category_id",
            "latitude",
            "longitude",
            "region_id",
            "tracking_code",
            "state",
        )[:2000]
    )
    by_id = {c.pk: c for c in nearby}
    if not by_id:
        return []
    found = find_duplicates(_snapshot(case), [_snapshot(c) for c in by_id.values()])
    return [(by_id[candidate.case_id], candidate) for candidate in found[:limit]]
