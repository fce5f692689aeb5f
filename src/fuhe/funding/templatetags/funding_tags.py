from django import template

from fuhe.funding.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Whole fen as yuan with two decimals (12345 → "123.45")."""
    if fen in (None, ""):
        return ""
    return format_yuan(int(fen))


@register.filter
def score_text(total) -> str:
    """A Fraction or Decimal score to three decimals."""
    if total is None:
        return ""
    return f"{float(total):.3f}"
