from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuhe.funding.core.money import MoneyError, format_yuan, parse_yuan


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12000", 1_200_000), ("12,000.5", 1_200_050), ("0.01", 1), ("¥3.10元", 310), (Decimal("2.5"), 250), (7, 700)],
)
def test_parse_yuan_reads_what_people_type(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "invalid"),
        ("", "invalid"),
        (1.5, "invalid"),
        ("-1", "negative"),
        ("1.001", "precision"),
        ("1e20", "large"),
        ("NaN", "invalid"),
    ],
)
def test_parse_yuan_refuses_with_a_reason(text, reason):
    with pytest.raises(MoneyError) as error:
        parse_yuan(text)
    assert error.value.reason == reason


@given(st.integers(min_value=0, max_value=10**12))
def test_format_and_parse_round_trip(fen):
    assert parse_yuan(format_yuan(fen)) == fen
