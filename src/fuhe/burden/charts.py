"""The series the load and audit-report pages draw (ECharts, Leaflet), built from ``reports``' results.

Plain lists and dicts, passed to the page through ``json_script``: their shape is what the pages' scripts read.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhe.burden.core.flags import RULES
from fuhe.burden.models import EvidenceKind
from fuhe.burden.reports import AuditReport, LoadResult
from fuhe.org.core.divisions import Level, ancestor_key
from fuhe.org.models import Region

GEOMETRY_LIMIT = 3000  # regions drawn on the map at most
RULE_LABELS = {
    "trace_evidence": gettext_lazy("photos, check-ins or traces as proof"),
    "forbidden_metric": gettext_lazy("online time, likes, study time or app installs"),
    "ranking": gettext_lazy("ranking or appraisal"),
    "pledge": gettext_lazy("pledge or responsibility letter"),
    "duplicate_collection": gettext_lazy("data the catalogue already holds"),
    "same_content": gettext_lazy("same content from several departments"),
    "short_deadline": gettext_lazy("deadline too short"),
    "rest_day_deadline": gettext_lazy("deadline on a rest day"),
    "frequent_recurrence": gettext_lazy("recurs too often"),
}


def rule_label(rule: str):
    return RULE_LABELS.get(rule, rule)


#: the gate's reasons (core.admission writes them in English), translated for display; the msgids are the same
#: English sentences, with what each names filled in from ``Task.decision_params``
GATE_REASONS = {
    "owned": gettext_lazy("The matter is one of the level's own duties (依法履职)."),
    "excluded": gettext_lazy("The matter is on the banned list for this level (禁入事项)."),
    "assists": gettext_lazy("The level assists with this matter; the lead unit and resources are named (费随事转)."),
    "needs_approval": gettext_lazy(
        "The matter is not on the admission lists; the designated body decides on the written application."
    ),
}


def _evidence_label(code: str) -> str:
    return str(EvidenceKind(code).label) if code in EvidenceKind.values else code


def gate_reason(rule: str, params: dict | None, stored: str) -> str:
    """The reason of a gate decision in the active language; ``stored`` (as written) for anything else, e.g. the
    approving body's own words."""
    params = params or {}
    if rule in GATE_REASONS:
        return str(GATE_REASONS[rule])
    if rule == "forbidden_demand" and "demands" in params:
        demands = "、".join(_evidence_label(code) for code in str(params["demands"]).split(", "))
        return _(
            "The task demands what the 2026 rules on government apps forbid (%(demands)s); "
            "remove these demands and send it again."
        ) % {"demands": demands}
    if rule == "assists_incomplete" and params:
        if params.get("lead_unit") and params.get("resources"):
            return _(
                "The level only assists with this matter; name the lead unit and the resources that come with it "
                "(费随事转: money, people, guidance)."
            )
        if params.get("lead_unit"):
            return _("The level only assists with this matter; name the lead unit.")
        return _(
            "The level only assists with this matter; name the resources that come with it "
            "(费随事转: money, people, guidance)."
        )
    if rule == "unlisted_no_application" and "days" in params:
        return _(
            "The matter is not on the level's admission lists; apply for approval with a written reason, "
            "at least %(days)s working days before the start."
        ) % {"days": params["days"]}
    if rule == "late_application" and "ahead" in params:
        return _("The application came %(ahead)s working days before the start; %(required)s are required.") % {
            "ahead": params["ahead"],
            "required": params["required"],
        }
    return stored


def task_reason(task) -> str:
    return gate_reason(task.decision_rule, task.decision_params, task.decision_reason)


def chart_labels() -> dict[str, str]:
    return {
        "demanded": _("hours demanded"),
        "capacity": _("capacity hours"),
        "hours": _("h"),
        "hours_week": _("h/wk"),
        "admitted": _("admitted"),
        "approved": _("approved"),
        "refused": _("refused"),
        "pending": _("pending"),
    }


def _factor(row) -> float | None:
    return round(row.factor, 2) if row.factor is not None else None


def _trend(result: LoadResult) -> list[list]:
    return [[week.isoformat(), round(demanded, 1), round(capacity, 1)] for week, demanded, capacity in result.trend]


def _load_tree(result: LoadResult) -> list[dict]:
    """Streets with their units (size: hours demanded, at least 0.1 so that an idle unit still shows)."""
    by_street: dict[int, list] = {}
    for unit in result.units:
        by_street.setdefault(ancestor_key(unit.region_id, Level.STREET), []).append(
            {"name": unit.name, "value": round(max(unit.row.demanded_hours, 0.1), 1), "factor": _factor(unit.row)}
        )
    return [
        {
            "name": name,
            "value": round(max(row.demanded_hours, 0.1), 1),
            "factor": _factor(row),
            "children": by_street.get(key, []),
        }
        for key, name, row in result.streets
    ]


def _load_geometry(result: LoadResult) -> list[dict]:
    """The units' regions that have a geometry on record, coloured by the unit's load factor."""
    geometry = list(
        Region.objects.filter(pk__in=[u.region_id for u in result.units], geometry__isnull=False).values_list(
            "pk", "name", "geometry"
        )[:GEOMETRY_LIMIT]
    )
    factors = {u.region_id: _factor(u.row) for u in result.units}
    return [{"name": name, "factor": factors.get(pk), "geometry": geom} for pk, name, geom in geometry]


def load_chart(result: LoadResult) -> dict:
    """The load page's series: the street/unit treemap, the weekly trend, the top senders, the map, the region."""
    return {
        "labels": chart_labels(),
        "tree": _load_tree(result),
        "trend": _trend(result),
        "senders": [[name, round(hours, 1)] for _sender, name, hours in result.senders[:10]],
        "geo": _load_geometry(result),
        "region": result.region.name,
    }


def report_rules(report: AuditReport) -> list[tuple[str, str, int]]:
    """Every flag rule with its label and how often it was raised in the report's period and region."""
    return [(rule, rule_label(rule), report.flags_by_rule.get(rule, 0)) for rule in RULES]


def report_chart(report: AuditReport, rules: list[tuple[str, str, int]]) -> dict:
    """The audit report's series: flags by rule, the decisions per sender, the weekly trend."""
    return {
        "labels": chart_labels(),
        "flags": [[str(label), count] for _rule, label, count in rules],
        "senders": [[s.name, s.admitted, s.approved, s.refused, s.pending] for s in report.senders[:12]],
        "trend": _trend(report.load),
    }
