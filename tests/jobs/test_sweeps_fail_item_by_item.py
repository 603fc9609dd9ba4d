"""A sweep fails item by item: a programme or a pair the code cannot read (here, rows written
as a newer release or a half-restored backup might leave them) is rolled back alone and logged
with its id; every other programme and pair moves on. The broken one is left alone for an hour,
then two, and moves as soon as it is mended and its back-off has passed."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from bot.clock import FakeClock
from bot.models import (
    Outbox,
    Pair,
    Participant,
    Programme,
    ProgrammeStatus,
    Sweep,
    SweepFailure,
)
from bot.sandbox import Sandbox
from bot.sandbox.seed import seed_active_pairs


def failures_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.services.sweeping" and r.exc_info]


async def failure(box: Sandbox, sweep: Sweep, item_id: int) -> tuple[int, datetime] | None:
    async with box.db.transaction() as session:
        row = await session.get(SweepFailure, (sweep, item_id))
        return None if row is None else (row.failures, row.retry_at)


async def keys(box: Sandbox, prefix: str) -> set[str]:
    async with box.db.transaction() as session:
        return set(await session.scalars(select(Outbox.key).where(Outbox.key.like(prefix + "%"))))


# --- Programmes --------------------------------------------------------------------------


async def programme_statuses(box: Sandbox) -> dict[int, ProgrammeStatus]:
    async with box.db.transaction() as session:
        return {i: s for i, s in await session.execute(select(Programme.id, Programme.status))}


async def test_a_programme_that_cannot_be_reported_on_holds_up_no_other(
    sandbox: Sandbox, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    box = sandbox
    start = clock.now()
    first, broken, last = [
        (await seed_active_pairs(box.db, pairs=2, due=0, now=start, prefix=p)).programme_id
        for p in ("A", "B", "C")
    ]
    async with box.db.transaction() as session:
        await session.execute(update(Programme).values(ends_on=start.date()))
        # One of its pairs has a status this release does not know: its report cannot be made.
        pair_id = await session.scalar(select(Pair.id).where(Pair.programme_id == broken))
        await session.execute(
            text("UPDATE pair SET status = 'archived' WHERE id = :id"), {"id": pair_id}
        )

    assert await box.run_job("programmes") == (
        "programmes: 2 moved to review, 0 closed, 2 messages queued, 0 purged of free text, "
        "8 workspace members listed (1 pages), 1 failed"
    )
    assert await programme_statuses(box) == {
        first: ProgrammeStatus.REVIEWING,
        broken: ProgrammeStatus.RUNNING,  # rolled back: no status, no summary
        last: ProgrammeStatus.REVIEWING,
    }
    assert await keys(box, "review_summary:") == {
        f"review_summary:{first}:U0LEAD",
        f"review_summary:{last}:U0LEAD",
    }
    (logged,) = failures_logged(caplog)
    assert f"programme {broken} " in logged.getMessage()
    assert logged.exc_info is not None and logged.exc_info[0] is LookupError
    assert await failure(box, Sweep.LIFECYCLE, broken) == (1, start + timedelta(hours=1))

    # Not tried again before its hour is up.
    caplog.clear()
    clock.advance(minutes=59)
    assert await box.run_job("programmes") == (
        "programmes: 0 moved to review, 0 closed, 0 messages queued, 0 purged of free text, "
        "0 workspace members listed (0 pages), 0 failed"
    )
    assert failures_logged(caplog) == []

    # Tried after it; still broken, so left alone twice as long.
    clock.advance(minutes=1)
    assert (await box.run_job("programmes")).endswith(" 1 failed")
    assert len(failures_logged(caplog)) == 1
    assert await failure(box, Sweep.LIFECYCLE, broken) == (2, clock.now() + timedelta(hours=2))

    # Mended, it moves at the next try after its back-off, and the failure is forgotten.
    async with box.db.transaction() as session:
        await session.execute(
            text("UPDATE pair SET status = 'confirmed' WHERE id = :id"), {"id": pair_id}
        )
    clock.advance(hours=1)
    assert (await box.run_job("programmes")).startswith("programmes: 0 moved to review")
    clock.advance(hours=1)
    assert await box.run_job("programmes") == (
        "programmes: 1 moved to review, 0 closed, 1 messages queued, 0 purged of free text, "
        "0 workspace members listed (0 pages), 0 failed"
    )
    assert (await programme_statuses(box))[broken] == ProgrammeStatus.REVIEWING
    assert await failure(box, Sweep.LIFECYCLE, broken) is None


# --- Pairs -------------------------------------------------------------------------------


async def test_a_pair_whose_pause_cannot_end_holds_up_no_other(
    sandbox: Sandbox, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    box = sandbox
    start = clock.now()
    await seed_active_pairs(box.db, pairs=3, due=0, now=start)
    async with box.db.transaction() as session:
        await session.execute(
            update(Pair).values(
                paused_at=start - timedelta(days=14),
                paused_until=start.date(),
                momentum_due_at=None,
            )
        )
        first, broken, last = await session.scalars(select(Pair.id).order_by(Pair.id))
        # Its mentor has a personality this release does not know: the pair cannot be loaded.
        mentor_id = await session.scalar(select(Pair.mentor_id).where(Pair.id == broken))
        await session.execute(
            text("UPDATE participant SET personality = 'ambivert' WHERE id = :id"),
            {"id": mentor_id},
        )

    assert (await box.run_job("momentum")).endswith(" 2 pauses ended, 1 failed")
    async with box.db.transaction() as session:
        paused = set(await session.scalars(select(Pair.id).where(Pair.paused_at.is_not(None))))
    assert paused == {broken}
    told = await keys(box, "pause-over:")
    assert {key.split(":")[1] for key in told} == {str(first), str(last)}
    assert len(told) == 4  # both of each pair
    (logged,) = failures_logged(caplog)
    assert f"pair {broken} " in logged.getMessage()
    assert await failure(box, Sweep.PAUSE_END, broken) == (1, start + timedelta(hours=1))

    caplog.clear()
    clock.advance(minutes=50)
    assert (await box.run_job("momentum")).endswith(" 0 pauses ended, 0 failed")
    assert failures_logged(caplog) == []

    clock.advance(minutes=10)
    assert (await box.run_job("momentum")).endswith(" 0 pauses ended, 1 failed")
    assert len(failures_logged(caplog)) == 1
    assert await failure(box, Sweep.PAUSE_END, broken) == (2, clock.now() + timedelta(hours=2))

    async with box.db.transaction() as session:
        await session.execute(
            update(Participant).where(Participant.id == mentor_id).values(personality="either")
        )
    clock.advance(hours=2)
    assert (await box.run_job("momentum")).endswith(" 1 pauses ended, 0 failed")
    assert {key.split(":")[1] for key in await keys(box, "pause-over:")} == {
        str(first),
        str(broken),
        str(last),
    }
    assert await failure(box, Sweep.PAUSE_END, broken) is None


async def test_a_pair_that_breaks_the_ladders_batch_holds_up_no_other(
    sandbox: Sandbox, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    box = sandbox
    start = clock.now()
    await seed_active_pairs(box.db, pairs=5, due=5, now=start)
    async with box.db.transaction() as session:
        ids = list(await session.scalars(select(Pair.id).order_by(Pair.id)))
        broken = ids[2]
        # Never looked at by the ladder, and agreed with no date: no anchor to count from.
        await session.execute(
            update(Pair).where(Pair.id == broken).values(momentum_anchor_on=None, agreed_at=None)
        )

    assert await box.run_job("momentum") == (
        "momentum: 5 pairs looked at, 8 messages queued, 0 pauses ended, 1 failed"
    )
    nudged = {int(key.split(":")[1]) for key in await keys(box, "nudge:")}
    assert nudged == set(ids) - {broken}
    (logged,) = failures_logged(caplog)
    assert f"pair {broken} " in logged.getMessage()
    retry_at = start + timedelta(hours=1)
    assert await failure(box, Sweep.MOMENTUM, broken) == (1, retry_at)
    async with box.db.transaction() as session:
        pair = await session.get(Pair, broken)
        assert pair is not None
        assert (pair.momentum_due_at, pair.ladder_step) == (retry_at, 0)

    caplog.clear()
    clock.advance(minutes=59)
    assert (await box.run_job("momentum")).startswith("momentum: 0 pairs looked at")
    assert failures_logged(caplog) == []

    clock.advance(minutes=1)
    assert (await box.run_job("momentum")).endswith(" 1 failed")
    assert await failure(box, Sweep.MOMENTUM, broken) == (2, clock.now() + timedelta(hours=2))

    async with box.db.transaction() as session:
        await session.execute(
            update(Pair).where(Pair.id == broken).values(agreed_at=start - timedelta(days=30))
        )
    clock.advance(hours=2)
    assert await box.run_job("momentum") == (
        "momentum: 1 pairs looked at, 2 messages queued, 0 pauses ended, 0 failed"
    )
    assert {int(key.split(":")[1]) for key in await keys(box, "nudge:")} == set(ids)
    assert await failure(box, Sweep.MOMENTUM, broken) is None
