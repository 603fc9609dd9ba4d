"""A pair's momentum state is the number of ladder thresholds that have come."""

from __future__ import annotations

from datetime import date, timedelta

from bot.services.momentum import RUNGS, STATES, MomentumState, state_of, threshold

ANCHOR = date(2026, 1, 9)


def test_the_state_counts_the_thresholds_reached() -> None:
    for cadence in (1, 7, 14, 21, 30):
        for grace in (0, 1, 3, 7):
            for days in range(-3, cadence + 4 * max(1, grace) + 3):
                today = ANCHOR + timedelta(days=days)
                reached = sum(threshold(ANCHOR, cadence, grace, r) <= today for r in range(1, 4))
                assert state_of(ANCHOR, cadence, grace, today) == STATES[reached], (
                    cadence,
                    grace,
                    days,
                )


def test_the_rungs_of_a_three_weekly_pair_with_a_week_of_grace() -> None:
    def on(day: str) -> MomentumState:
        return state_of(ANCHOR, 21, 7, date.fromisoformat(f"2026-{day}"))

    assert RUNGS == 3
    assert on("02-05") == MomentumState.ON_TRACK
    assert on("02-06") == MomentumState.SLOWING
    assert on("02-13") == MomentumState.STALLED
    assert on("02-20") == on("06-01") == MomentumState.AT_RISK
