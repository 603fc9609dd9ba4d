"""The one helper every sweep uses: each item in its own savepoint, a failing one rolled back
alone, recorded and left alone for a while that doubles up to a day; a bulk step tried whole
first; and the savepoints stay inside the sweep's transaction on SQLite too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import literal, select

from bot.db import Database
from bot.models import HandledRequest, Sweep, SweepFailure
from bot.services import sweeping

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


class Broken(Exception):
    pass


def test_the_back_off_doubles_from_an_hour_up_to_a_day() -> None:
    hours = [sweeping.back_off(n) / timedelta(hours=1) for n in range(1, 8)]
    assert hours == [1, 2, 4, 8, 16, 24, 24]
    assert sweeping.back_off(1000) == timedelta(days=1)


async def handled(db: Database) -> set[str]:
    async with db.transaction() as session:
        return set(await session.scalars(select(HandledRequest.key)))


async def ready(db: Database, item_id: int, now: datetime) -> bool:
    async with db.transaction() as session:
        query = select(sweeping.ready(Sweep.REMINDERS, literal(item_id), now=now))
        return bool(await session.scalar(query))


@pytest.mark.parametrize("bulk", [False, True])
async def test_one_failing_item_is_rolled_back_alone_and_left_alone(
    db: Database, bulk: bool
) -> None:
    async def step(items: Sequence[int]) -> int:
        for item in items:
            session.add(HandledRequest(key=f"item-{item}", received_at=NOW))
        await session.flush()
        if 2 in items:
            raise Broken
        return len(items)

    async def one(item: int) -> int:
        return await step([item])

    async with db.transaction() as session:
        kwargs = {"sweep": Sweep.REMINDERS, "key": int, "now": NOW}
        if bulk:
            done = await sweeping.together(session, items=[1, 2, 3], step=step, **kwargs)
        else:
            done = await sweeping.each(session, items=[1, 2, 3], step=one, **kwargs)
    assert (done.results, done.failed) == ([1, 1], [2])
    assert await handled(db) == {"item-1", "item-3"}
    async with db.transaction() as session:
        recorded = await session.get(SweepFailure, (Sweep.REMINDERS, 2))
        assert recorded is not None
        assert (recorded.failures, recorded.retry_at) == (1, NOW + timedelta(hours=1))
    assert await ready(db, 1, NOW) and not await ready(db, 2, NOW)
    assert await ready(db, 2, NOW + timedelta(hours=1))

    # Once it succeeds, it is forgotten.
    async with db.transaction() as session:
        await sweeping.each(session, items=[2], step=lambda item: _noop(), **kwargs)
        assert await session.get(SweepFailure, (Sweep.REMINDERS, 2)) is None


async def _noop() -> None:
    return None


async def test_the_items_stay_inside_the_sweeps_transaction(db: Database) -> None:
    # The first thing the sweep writes is in a savepoint: releasing it must not commit it.
    async def step(item: int) -> None:
        session.add(HandledRequest(key=f"item-{item}", received_at=NOW))

    with pytest.raises(Broken):
        async with db.transaction() as session:
            await session.scalar(select(literal(1)))
            done = await sweeping.each(
                session, items=[1, 2], step=step, sweep=Sweep.SURVEYS, key=int, now=NOW
            )
            assert done.results == [None, None]
            raise Broken  # the replica dies before committing
    assert await handled(db) == set()
