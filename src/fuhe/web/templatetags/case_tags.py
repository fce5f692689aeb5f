"""``{{ case.state|state_label }}``: a case's state in the reader's language (``fuhe.cases.labels``)."""

from __future__ import annotations

from django import template

from fuhe.cases.labels import action_label as _action_label
from fuhe.cases.labels import rate_denominator_label, rate_label, rate_numerator_label
from fuhe.cases.labels import state_label as _state_label

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    return _state_label(value)


@register.filter
def action_label(value: str) -> str:
    """``{{ event.action|action_label }}``: a lifecycle action's name in the reader's language."""
    return _action_label(value)


@register.filter
def rate_name(spec) -> str:
    """``{{ spec|rate_name }}``: a rate's name in the reader's language."""
    return rate_label(spec)


@register.filter
def rate_fraction(spec) -> str:
    """``{{ spec|rate_fraction }}``: what a rate's numerator and denominator count, "numerator / denominator"."""
    return f"{rate_numerator_label(spec)} / {rate_denominator_label(spec)}"
