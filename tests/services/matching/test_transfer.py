"""The engine's input and result survive the trip to its worker process and back, whatever
the chunk sizes, exactly as the engine made them."""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.matching import transfer
from bot.services.matching.engine import match
from bot.services.matching.model import MatchInput, MatchResult
from tests.services.matching.test_engine import cohorts


def round_trip(data: MatchInput) -> tuple[MatchInput, MatchResult]:
    given_back = transfer.read_input(list(transfer.input_chunks(data)))
    first, *rest = transfer.result_chunks(match(given_back))
    pairs = [pair for chunk in rest for pair in transfer.read_pairs(chunk)]
    return given_back, MatchResult(tuple(pairs), tuple(transfer.read_unmatched(first)))


@settings(max_examples=60, deadline=None)
@given(data=cohorts(), chunk=st.integers(1, 3))
def test_input_and_result_come_back_unchanged(data: MatchInput, chunk: int) -> None:
    with (
        mock.patch.object(transfer, "PEOPLE_PER_CHUNK", chunk),
        mock.patch.object(transfer, "PAIRS_PER_CHUNK", chunk),
    ):
        given_back, result = round_trip(data)
    assert given_back == data
    assert result == match(data)
