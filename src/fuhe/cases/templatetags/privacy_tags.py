"""``{{ text|redact }}``: the platform's one redaction (``fuhe.audit.core.masking.redact``) in templates."""

from __future__ import annotations

from django import template

from fuhe.audit.core.masking import mask_name, redact

register = template.Library()

register.filter("redact", redact)
register.filter("mask_name", mask_name)
