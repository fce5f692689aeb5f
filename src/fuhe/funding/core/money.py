"""Money as whole fen (分): parsed from what people type in yuan, printed back in yuan. Never a float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAX_FEN = 10**13  # 1000 亿元: a typo guard


class MoneyError(ValueError):
    """The text is not an amount of money; ``reason`` is one of ``invalid``, ``negative``, ``precision``, ``large``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_yuan(text: object) -> int:
    """``"1,234.5"`` → 123450 fen. Refuses floats, more than two decimals, negative and absurd amounts."""
    if isinstance(text, (bool, float)):
        raise MoneyError("invalid")
    if isinstance(text, Decimal | int):
        value = Decimal(text)
    else:
        cleaned = str(text or "").strip().replace(",", "").replace("，", "").replace("¥", "").replace("元", "")
        if not cleaned:
            raise MoneyError("invalid")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise MoneyError("invalid") from None
    if not value.is_finite():
        raise MoneyError("invalid")
    if value < 0:
        raise MoneyError("negative")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise MoneyError("precision")
    if fen > MAX_FEN:
        raise MoneyError("large")
    return int(fen)


def format_yuan(fen: int) -> str:
    """123450 → ``"1,234.50"``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"
