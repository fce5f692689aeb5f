import pytest
from django.utils import translation

from fuhe.resources.core.errors import ErrorCode, MatchingInputError
from fuhe.resources.services import engine_error
from fuhe.resources.services.common import ENGINE_MESSAGES


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_engine_code_has_a_message(code):
    assert code in ENGINE_MESSAGES


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            MatchingInputError(ErrorCode.NEGATIVE_QUANTITY, "quantity", "d12"),
            {"quantity": ["demand 12: The quantity cannot be negative."]},
        ),
        (
            MatchingInputError(ErrorCode.WINDOW_REVERSED, "window", "d3"),
            {"window_end": ["demand 3: The time window ends before it starts."]},
        ),
        (
            MatchingInputError(ErrorCode.WINDOW_REVERSED, "windows", "r7"),
            {"windows": ["resource 7: The time window ends before it starts."]},
        ),
        (
            MatchingInputError(ErrorCode.INVALID_COORDINATES, "place", "r0"),
            {"latitude": ["The latitude must lie between -90 and 90 and the longitude between -180 and 180."]},
        ),
        (
            MatchingInputError(ErrorCode.INVALID_WEIGHT, "fairness_tiers"),
            {"fairness_tiers": ["A weight of the matching is out of its range."]},
        ),
    ],
)
def test_engine_errors_name_the_field_and_record(error, expected):
    with translation.override("en"):
        assert engine_error(error).message_dict == expected
