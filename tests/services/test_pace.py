"""Slots shared through the database (services/pace.py): however many replicas take them at
once, no window of the rate ever holds more than its limit; a hold gives nobody a slot before
it ends; a slot taken earlier is kept, unless a hold came since or it went stale."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from bot.db import Database
from bot.models import SlackPace
from bot.services import pace
from bot.services.pace import Key, Rate, Want

NOW = 1_800_000_000.0
TIER = Rate(limit=5, window=60.0)
KEY = Key("T0TEST", "views.publish")


def most_in_a_window(slots: list[float], window: float) -> int:
    """The most slots in any window of `window` seconds, as Slack counts: the calls after one
    that is `window` old or older."""
    slots = sorted(slots)
    return max(sum(1 for t in slots if s - window < t <= s) for s in slots)


async def take(db: Database, wants: list[Want], now: float = NOW) -> list[float]:
    async with db.transaction() as session:
        return await pace.take(session, wants, now=now)


async def test_slots_fill_a_window_then_wait_for_the_oldest_to_leave_it(db: Database) -> None:
    slots = await take(db, [Want(KEY, TIER)] * 12)
    assert slots == [NOW] * 5 + [NOW + 60] * 5 + [NOW + 120] * 2
    assert most_in_a_window(slots, TIER.window) == TIER.limit


async def test_replicas_taking_slots_at_once_keep_the_rate_together(db: Database) -> None:
    replicas = [db, *(Database(db.url) for _ in range(3))]
    try:
        taken = await asyncio.gather(
            *(take(r, [Want(KEY, TIER)] * 3, NOW + n) for n in range(4) for r in replicas)
        )
    finally:
        for replica in replicas[1:]:
            await replica.dispose()
    slots = [s for batch in taken for s in batch]
    assert len(slots) == 48
    assert most_in_a_window(slots, TIER.window) <= TIER.limit
    assert max(slots) <= NOW + 3 + 9 * 60  # 5 a minute: the 48th in the tenth minute


async def test_each_channel_has_its_own_pace(db: Database) -> None:
    second = Rate(limit=1, window=1.0)
    a, b = Key("T0TEST", "chat.postMessage", "C1"), Key("T0TEST", "chat.postMessage", "C2")
    slots = await take(db, [Want(a, second), Want(b, second), Want(a, second)])
    assert slots == [NOW, NOW, NOW + 1]


async def test_a_hold_gives_nobody_a_slot_before_it_ends(db: Database) -> None:
    [first] = await take(db, [Want(KEY, TIER)])
    async with db.transaction() as session:
        await pace.hold(session, KEY, until=NOW + 30, now=NOW)
        await pace.hold(session, KEY, until=NOW + 10, now=NOW)  # a shorter one changes nothing
    assert first == NOW
    assert await take(db, [Want(KEY, TIER)] * 2, NOW + 5) == [NOW + 30, NOW + 30]
    # A slot held from before the hold is given up for one after it.
    assert await take(db, [Want(KEY, TIER, held=NOW + 6)], NOW + 6) == [NOW + 30]


async def test_a_held_slot_is_kept_unless_it_went_stale(db: Database) -> None:
    later = await take(db, [Want(KEY, TIER)] * 6)
    held = later[-1]
    assert held == NOW + 60
    # Back in time for it: the same slot, and no other is given out for it.
    assert await take(db, [Want(KEY, TIER, held=held)], held - 1) == [held]
    async with db.transaction() as session:
        row = await session.scalar(select(SlackPace))
    assert row is not None and row.slots == [NOW] * 4 + [held]
    # Far too late for it: a fresh one, counted from now (the window allows one now).
    [fresh] = await take(db, [Want(KEY, TIER, held=held)], held + 30)
    assert fresh == held + 30
    async with db.transaction() as session:
        row = await session.scalar(select(SlackPace))
    assert row is not None and row.slots == [NOW] * 3 + [held, fresh]


async def test_rows_idle_for_an_hour_are_forgotten(db: Database) -> None:
    await take(db, [Want(KEY, TIER)])
    await take(db, [Want(Key("T0TEST", "conversations.open"), TIER)], NOW + 100)
    async with db.transaction() as session:
        await pace.hold(session, Key("T0TEST", "chat.update"), until=NOW + 4000, now=NOW)
        assert await pace.forget_old(session, now=datetime.fromtimestamp(NOW + 3650, UTC)) == 1
        left = sorted(await session.scalars(select(SlackPace.method)))
    assert left == ["chat.update", "conversations.open"]
