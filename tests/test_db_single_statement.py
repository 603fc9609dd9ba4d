"""A write that is atomic by itself (a replay's claim, a message marked sent) commits as it
runs, without the round trips of BEGIN and COMMIT: another connection sees it at once. Reads
that need not agree with each other (a Home view) run without them too."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, text

from bot.db import Database
from bot.models import HandledRequest
from bot.services import replays
from tests.conftest import watching

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


IDLE_IN_TRANSACTION = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND state = 'idle in transaction'"
)


async def open_transactions(db: Database) -> int:
    async with db.reads() as session:
        return int(await session.scalar(IDLE_IN_TRANSACTION) or 0)


async def test_reads_hold_no_transaction_open(db: Database) -> None:
    """Each read of `reads()` is its own: a row another connection commits between two reads
    is seen by the second, and on PostgreSQL no transaction stays open between them."""
    other = Database(db.url)
    try:
        async with db.reads() as session:
            before = await session.scalar(select(func.count()).select_from(HandledRequest))
            if not db.is_sqlite:
                assert await open_transactions(other) == 0
            async with other.single_statement() as writer:
                assert await replays.claim(writer, key="reads:1", now=NOW)
            after = await session.scalar(select(func.count()).select_from(HandledRequest))
            assert (before, after) == (0, 1)
        if not db.is_sqlite:  # the contrast: a transaction's read leaves it open
            async with db.transaction() as session:
                await session.scalar(select(func.count()).select_from(HandledRequest))
                assert await open_transactions(other) == 1
    finally:
        await other.dispose()


async def test_whoever_listens_to_statements_hears_every_session_kind(db: Database) -> None:
    """Statement counts and compile checks in other tests listen through `watching`: on SQLite
    single statements run on an engine of their own, and must not slip past them."""
    heard: list[str] = []
    with watching(db, "before_cursor_execute", lambda *args: heard.append(args[2])):
        async with db.single_statement() as session:
            await replays.claim(session, key="heard:1", now=NOW)
        async with db.reads() as session:
            await session.scalar(select(func.count()).select_from(HandledRequest))
        async with db.transaction() as session:
            await session.scalar(select(func.count()).select_from(HandledRequest))
    assert [statement.split()[0] for statement in heard] == ["INSERT", "SELECT", "SELECT"]
