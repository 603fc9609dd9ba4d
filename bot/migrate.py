"""Alembic from code: upgrade to head (one migrator at a time), and tell whether a database
is behind."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import MIGRATIONS_DIR, Database

# Every replica runs `migrate` as it starts; on PostgreSQL they queue on this advisory lock
# (any fixed 64-bit key that nothing else in the database uses).
MIGRATION_LOCK_KEY = 7_262_390_118_305_017_601
LOCK = text("SELECT pg_advisory_lock(:key)")
UNLOCK = text("SELECT pg_advisory_unlock(:key)")


def alembic_config() -> Config:
    config = Config(str(MIGRATIONS_DIR.parent / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


async def upgrade_head(db: Database) -> None:
    def _upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    await migrating(db, _upgrade)


async def migrating(db: Database, work: Callable[[Connection], None]) -> None:
    """Run Alembic work on one connection as the only migrator: replicas that start together
    migrate one after another, and the later ones find the schema at head."""
    async with db.engine.connect() as connection, _sole_migrator(connection, sqlite=db.is_sqlite):
        await connection.run_sync(work)
        await connection.commit()


@asynccontextmanager
async def _sole_migrator(connection: AsyncConnection, *, sqlite: bool) -> AsyncIterator[None]:
    if sqlite:
        # migrations/env.py turns SQLite's foreign keys off to alter tables (copying a table
        # would otherwise cascade its drop); the pragma only takes effect outside a
        # transaction, so it comes before BEGIN IMMEDIATE, whose write lock makes any other
        # migrator wait (busy_timeout) until this one commits.
        await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        # Held by the session, so it outlasts the commit that ends this wait.
        await connection.execute(LOCK, {"key": MIGRATION_LOCK_KEY})
        await connection.commit()
    try:
        yield
    finally:
        await connection.rollback()  # nothing to undo unless the work failed
        if sqlite:
            await connection.exec_driver_sql("PRAGMA foreign_keys=ON")  # for the pool
        else:
            await connection.execute(UNLOCK, {"key": MIGRATION_LOCK_KEY})
            await connection.commit()


@functools.cache
def head_revision() -> str:
    """The newest revision this code ships (read from migrations/ once per process: the
    readiness check asks often)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def schema_state(db: Database) -> SchemaState:
    head = head_revision()

    def _current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.engine.connect() as connection:
        current = await connection.run_sync(_current)
    return SchemaState(current=current, head=head)
