"""SQLite files are shared by replicas that start together (`python -m bot migrate`, the
embedded default): every connection enforces foreign keys and uses write-ahead logging, and a
connection that loses the race to switch a new file to WAL asks again rather than fail."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot import sqlite_connection
from bot.db import WAL_RETRY_PAUSES, Database, rowcount
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


def trips(caplog: pytest.LogCaptureFixture) -> int:
    """Calls run on SQLite connections' threads, as aiosqlite logs each one."""
    return sum(1 for r in caplog.records if r.name == "aiosqlite" and r.msg == "executing %s")


async def test_each_statement_takes_one_trip_to_the_connections_thread(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """aiosqlite runs a connection's calls on a thread of its own, each call a trip there and
    back that costs tens of microseconds of CPU; SQLAlchemy's adapter would make four per
    statement (cursor, execute, fetch, close), and switching a connection to autocommit and
    back three more. Rows, counts and ids come back all the same."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}")
    try:
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, word TEXT)"))
            with caplog.at_level(logging.DEBUG, logger="aiosqlite"):
                caplog.clear()
                inserted = await session.execute(
                    text("INSERT INTO t (word) VALUES (:w)"), [{"w": "a"}, {"w": "b"}, {"w": "c"}]
                )
                returned = await session.execute(
                    text("INSERT INTO t (word) VALUES ('d'), ('e') RETURNING id")
                )
                updated = await session.execute(text("UPDATE t SET word = 'x' WHERE id > 3"))
                rows = (await session.execute(text("SELECT id, word FROM t ORDER BY id"))).all()
                assert trips(caplog) == 4
            assert rowcount(inserted) == 3
            assert returned.scalars().all() == [4, 5]
            assert rowcount(updated) == 2
            assert [tuple(row) for row in rows] == [
                (1, "a"),
                (2, "b"),
                (3, "c"),
                (4, "x"),
                (5, "x"),
            ]
        async with db.single_statement() as session:  # opens the autocommit pool's connection
            await session.execute(text("SELECT 1"))
        expected = {"a": [1], "b": [2], "x": [4, 5]}
        with caplog.at_level(logging.DEBUG, logger="aiosqlite"):
            caplog.clear()
            async with db.reads() as session:  # and one trip at most to end it
                for word, ids in expected.items():
                    found = await session.scalars(
                        text("SELECT id FROM t WHERE word = :w"), {"w": word}
                    )
                    assert found.all() == ids
            assert trips(caplog) <= len(expected) + 1
        with caplog.at_level(logging.DEBUG, logger="aiosqlite"):
            caplog.clear()
            async with db.single_statement() as session:  # and one trip at most to end it
                deleted = await session.execute(text("DELETE FROM t WHERE id = 4"))
            assert rowcount(deleted) == 1
            assert trips(caplog) <= 2
    finally:
        await db.dispose()


async def test_a_one_trip_cursor_hands_its_rows_out_one_at_a_time_or_in_batches(
    tmp_path: Path,
) -> None:
    """A server-side read (fetchone, fetchmany) gets every row once, in order, from the one
    trip the statement took."""
    connection = await sqlite_connection.connect(str(tmp_path / "rows.db"))
    try:
        cursor = connection.cursor()
        await cursor.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
            "WHERE i < 7) SELECT i FROM n"
        )
        assert await cursor.fetchone() == (1,)
        assert await cursor.fetchmany(2) == [(2,), (3,)]
        cursor.arraysize = 3
        assert await cursor.fetchmany() == [(4,), (5,), (6,)]
        assert await cursor.fetchmany(5) == [(7,)]
        assert await cursor.fetchone() is None and await cursor.fetchall() == []
    finally:
        await connection.close()
