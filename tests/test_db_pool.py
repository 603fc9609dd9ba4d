"""PostgreSQL connections that died in the pool (a server restart, an idle timeout) are replaced
before a unit of work uses them, without a round trip for each unit of work: only a connection
idle for a while is pinged."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.db import Database
from tests.conftest import BACKENDS, Databases

pytestmark = pytest.mark.skipif(
    "postgresql" not in BACKENDS, reason="SQLite has no server to drop a connection"
)


async def backend_pid(db: Database) -> int:
    async with db.transaction() as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def kill(url: str, pid: int) -> None:
    other = Database(url)
    try:
        async with other.transaction() as session:
            await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()


async def test_a_connection_that_died_while_idle_is_replaced_before_use(
    databases: Databases,
) -> None:
    url = await databases.url("postgresql")
    db = Database(url, ping_idle_after=0)  # every returned connection counts as idle
    try:
        first = await backend_pid(db)
        await kill(url, first)
        again = await backend_pid(db)  # no error reaches the unit of work
        assert again != first
    finally:
        await db.dispose()


async def test_a_connection_used_a_moment_ago_is_not_pinged(databases: Databases) -> None:
    """Without the ping (the connection is not idle yet) the dead connection reaches the unit of
    work, which fails once; the pool then starts afresh."""
    url = await databases.url("postgresql")
    db = Database(url, ping_idle_after=3600)
    try:
        first = await backend_pid(db)
        await kill(url, first)
        with pytest.raises(DBAPIError):
            await backend_pid(db)
        assert await backend_pid(db) != first
    finally:
        await db.dispose()
