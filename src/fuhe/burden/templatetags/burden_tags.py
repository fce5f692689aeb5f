"""Template filters of the burden pages."""

from __future__ import annotations

from django import template

from fuhe.burden.charts import gate_reason, task_reason

register = template.Library()


@register.filter
def decision_reason(task) -> str:
    """A task's admission reason in the active language (the gate's) or as written (the approving body's)."""
    return task_reason(task)


@register.filter
def row_reason(decision, task) -> str:
    """One row of a task's decisions: the gate's reason in the active language, the approving body's as written."""
    if decision.decided_by_id:
        return decision.reason
    return gate_reason(decision.rule, task.decision_params, decision.reason)


@register.filter
def check_reason(check) -> str:
    """The reason of a check before sending (``services.GateCheck``) in the active language."""
    decision = check.decision
    return gate_reason(decision.rule, dict(decision.params), decision.reason_text)
