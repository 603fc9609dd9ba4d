"""A write that is atomic by itself (a replay's claim, a message marked sent) commits as it
runs, without the round trips of BEGIN and COMMIT: another connection sees it at once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.db import Database
from bot.models import HandledRequest
from bot.services import replays

NOW = datetime(2026, 1, 5, 10, tzinfo=UTC)


async def claimed(db: Database, key: str) -> int:
    async with db.transaction() as session:
        found = await session.scalar(
            select(func.count()).select_from(HandledRequest).where(HandledRequest.key == key)
        )
        return found or 0


async def test_a_single_statement_is_committed_as_it_runs(db: Database) -> None:
    other = Database(db.url)  # another replica's connections
    try:
        async with db.single_statement() as session:
            assert await replays.claim(session, key="single:1", now=NOW)
            assert await claimed(other, "single:1") == 1  # before the block ends
        async with db.transaction() as session:
            assert await replays.claim(session, key="single:2", now=NOW)
            assert await claimed(other, "single:2") == 0  # a transaction's is not, yet
        assert await claimed(other, "single:2") == 1
        async with db.single_statement() as session:
            assert not await replays.claim(session, key="single:1", now=NOW)  # a replay
    finally:
        await other.dispose()
