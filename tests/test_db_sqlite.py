"""SQLite files are shared by replicas that start together (`python -m bot migrate`, the
embedded default): every connection enforces foreign keys and uses write-ahead logging, and a
connection that loses the race to switch a new file to WAL asks again rather than fail."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from bot.db import WAL_RETRY_PAUSES, Database
from tests.conftest import BACKENDS

pytestmark = pytest.mark.skipif(
    "sqlite" not in BACKENDS, reason="write-ahead logging is SQLite's; PostgreSQL has its own"
)


def switching(path: Path) -> sqlite3.Connection:
    """Another replica half way through switching a new file: it holds the write lock while
    the file is still in rollback mode. SQLite answers a second switch "database is locked" at
    once, without waiting (waiting could deadlock), whatever the busy timeout."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE made_by_the_other (id INTEGER)")
    return other


async def journal_mode_and_tables(db: Database) -> tuple[str, list[str]]:
    async with db.engine.connect() as connection:
        mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
        tables = await connection.run_sync(lambda c: c.dialect.get_table_names(c))
    return mode, tables


@asynccontextmanager
async def beside_a_switch(
    tmp_path: Path, *, it_finishes: bool
) -> AsyncIterator[tuple[Database, list[float]]]:
    """The app's database on a new file another replica is switching, and the pauses its
    connections take; with `it_finishes`, the other's switch completes during the first."""
    path = tmp_path / "fresh.db"
    other = switching(path)
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        if it_finishes and other.in_transaction:
            other.execute("COMMIT")

    db = Database(f"sqlite+aiosqlite:///{path}", pause=pause)
    try:
        yield db, pauses
    finally:
        await db.dispose()
        other.close()


async def test_losing_the_race_to_switch_a_new_file_to_wal_asks_again(tmp_path: Path) -> None:
    async with beside_a_switch(tmp_path, it_finishes=True) as (db, pauses):
        assert await journal_mode_and_tables(db) == ("wal", ["made_by_the_other"])
    assert pauses == [WAL_RETRY_PAUSES[0]]


async def test_a_file_that_stays_locked_fails_after_the_last_pause(tmp_path: Path) -> None:
    async with beside_a_switch(tmp_path, it_finishes=False) as (db, pauses):
        with pytest.raises(OperationalError, match="database is locked"):
            await journal_mode_and_tables(db)
    assert pauses == list(WAL_RETRY_PAUSES)


async def test_every_connection_enforces_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}")
    try:
        async with db.engine.connect() as connection:
            enforced = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar_one()
    finally:
        await db.dispose()
    assert enforced == 1
