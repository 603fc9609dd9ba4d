"""Two or three sweepers at once over the same database queue every due message exactly once;
a sweep that dies half-way leaves its work to the next one."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from bot.db import Database
from bot.jobs.sweeps import sweep_momentum
from bot.models import Outbox, Pair
from bot.sandbox.seed import seed_active_pairs
from bot.services import momentum

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


async def sweep_until_done(db: Database, *, limit: int) -> int:
    claimed = 0
    while True:
        async with db.transaction() as session:
            result = await momentum.sweep(session, now=NOW, limit=limit)
        claimed += result.pairs
        if result.pairs == 0:
            return claimed


async def queued_keys(db: Database) -> Counter[str]:
    async with db.transaction() as session:
        return Counter(await session.scalars(select(Outbox.key)))


@pytest.mark.parametrize("sweepers", [2, 3])
async def test_sweepers_at_once_queue_each_due_nudge_once(db: Database, sweepers: int) -> None:
    await seed_active_pairs(db, pairs=500, due=300, now=NOW)
    claimed = await asyncio.gather(*(sweep_until_done(db, limit=25) for _ in range(sweepers)))
    assert sum(claimed) == 300  # every due pair claimed by exactly one sweeper
    keys = await queued_keys(db)
    assert len(keys) == 600  # the first rung: one nudge to each of the pair
    assert set(keys.values()) == {1}
    async with db.transaction() as session:
        steps = Counter(await session.scalars(select(Pair.ladder_step)))
    assert steps == Counter({1: 300, 0: 200})

    # Nothing is due now, so all find nothing; and if every pair were due again (a clock
    # jump, a restored backup), the keys still stop a second copy of any nudge.
    again = await asyncio.gather(*(sweep_until_done(db, limit=25) for _ in range(sweepers)))
    assert again == [0] * sweepers
    async with db.transaction() as session:
        await session.execute(update(Pair).values(momentum_due_at=NOW, ladder_step=0))
    await asyncio.gather(*(sweep_until_done(db, limit=40) for _ in range(sweepers)))
    assert await queued_keys(db) == keys


async def test_replicas_sweeping_in_batches_nudge_each_due_pair_once(db: Database) -> None:
    """The scheduler's own loop (batches until one comes back short), three at once: they
    split the due pairs, and every one of them is nudged, once."""
    await seed_active_pairs(db, pairs=400, due=250, now=NOW)
    done = await asyncio.gather(*(sweep_momentum(db, NOW, batch=20) for _ in range(3)))
    assert sum(d.pairs for d in done) == 250
    assert sum(d.queued for d in done) == 500
    assert sum(d.failed for d in done) == 0
    keys = await queued_keys(db)
    assert len(keys) == 500 and set(keys.values()) == {1}


class Crash(Exception):
    pass


async def test_a_sweep_that_dies_half_way_leaves_its_pairs_to_the_next(db: Database) -> None:
    await seed_active_pairs(db, pairs=60, due=60, now=NOW)
    with pytest.raises(Crash):
        async with db.transaction() as session:
            result = await momentum.sweep(session, now=NOW, limit=30)
            assert result.queued == 60
            raise Crash  # the replica dies before committing
    assert await queued_keys(db) == Counter()
    assert await sweep_until_done(db, limit=30) == 60
    assert len(await queued_keys(db)) == 120
