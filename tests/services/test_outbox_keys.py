"""The outbox's keys and references: a key is queued once, even twice in one batch, and the
messages about a pair or a participant go when it is deleted (triggers, not foreign keys)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from bot.db import Database
from bot.models import Outbox, Pair, Participant, Programme
from bot.sandbox.seed import seed_active_pairs
from bot.services import outbox
from bot.services.outbox import Kind, Message

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def about(pair: Pair, n: int, *, participant: int | None = None) -> Message:
    return Message(
        key=f"test:{pair.id}:{n}",
        kind=Kind.PAUSE_OVER,
        team_id="T0TEST",
        channel_id="U0",
        pair_id=pair.id,
        participant_id=participant,
    )


async def pairs(db: Database) -> list[Pair]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Pair).order_by(Pair.id)))


async def keys(db: Database) -> list[str]:
    async with db.transaction() as session:
        return sorted(await session.scalars(select(Outbox.key)))


async def test_a_key_twice_in_one_batch_is_queued_once(db: Database) -> None:
    await seed_active_pairs(db, pairs=1, due=0, now=NOW)
    (pair,) = await pairs(db)
    async with db.transaction() as session:
        batch = [about(pair, 1), about(pair, 2), about(pair, 1)]
        assert await outbox.enqueue(session, batch, now=NOW) == 2
    assert await keys(db) == [f"test:{pair.id}:1", f"test:{pair.id}:2"]


async def test_deleting_a_pair_or_a_participant_deletes_their_messages(db: Database) -> None:
    await seed_active_pairs(db, pairs=3, due=0, now=NOW)
    first, second, third = await pairs(db)
    async with db.transaction() as session:
        queued = [
            about(first, 1),
            about(second, 1, participant=second.mentee_id),
            about(third, 1),
        ]
        assert await outbox.enqueue(session, queued, now=NOW) == 3
        # A message about the third pair's mentor alone, not their pair.
        alone = Message(
            key="alone",
            kind=Kind.STARTER_SET,
            team_id="T0TEST",
            channel_id="U0",
            participant_id=third.mentor_id,
        )
        assert await outbox.enqueue(session, [alone], now=NOW) == 1
    async with db.transaction() as session:
        await session.execute(delete(Pair).where(Pair.id == first.id))
    assert await keys(db) == sorted([f"test:{second.id}:1", f"test:{third.id}:1", "alone"])
    async with db.transaction() as session:
        # The mentee's pair goes with them (its key cascades), and with it its messages.
        await session.execute(delete(Participant).where(Participant.id == second.mentee_id))
    assert await keys(db) == sorted([f"test:{third.id}:1", "alone"])
    async with db.transaction() as session:
        # A programme's pairs and participants go with it (their keys cascade), and so do
        # the messages about them.
        await session.execute(delete(Programme))
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Outbox)) == 0
