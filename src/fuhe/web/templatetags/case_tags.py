"""``{{ case.state|state_label }}``: a case's state in the reader's language (the lifecycle table carries both)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from fuhe.cases.core.lifecycle import State

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    try:
        state = State(value)
    except ValueError:
        return value
    return state.zh if (get_language() or "").startswith("zh") else state.words.capitalize()
