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
from bot.demo.seed import seed_active_pairs
from bot.models import Outbox, Pair, Programme, ProgrammeStatus, Sweep, SweepFailure
from bot.sandbox import Sandbox


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
        "1 failed"
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
        "0 failed"
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
        "0 failed"
    )
    assert (await programme_statuses(box))[broken] == ProgrammeStatus.REVIEWING
    assert await failure(box, Sweep.LIFECYCLE, broken) is None
