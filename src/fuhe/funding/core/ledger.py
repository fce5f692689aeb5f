"""The money rules of a call, checked before every write (framework-free):

* the awards of a call never exceed its budget;
* the tranches disbursed on an award never exceed the award;
* the spending reported on an award never exceeds the award.

Each check returns the reason it refuses (``None`` when the amount fits), so a service can name the field."""

from __future__ import annotations


def award_refusal(*, budget_fen: int, awarded_fen: int, amount_fen: int) -> str | None:
    if amount_fen <= 0:
        return "not_positive"
    if awarded_fen + amount_fen > budget_fen:
        return "over_budget"
    return None


def tranche_refusal(*, award_fen: int, disbursed_fen: int, amount_fen: int) -> str | None:
    if amount_fen <= 0:
        return "not_positive"
    if disbursed_fen + amount_fen > award_fen:
        return "over_award"
    return None


def spending_refusal(*, award_fen: int, spent_fen: int, amount_fen: int) -> str | None:
    if amount_fen <= 0:
        return "not_positive"
    if spent_fen + amount_fen > award_fen:
        return "over_award"
    return None
