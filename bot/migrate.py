"""Alembic from code: upgrade to head, and tell whether a database is behind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from bot.db import MIGRATIONS_DIR, Database


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
    async with db.engine.connect() as connection:
        await connection.run_sync(work)
        await connection.commit()
        if db.is_sqlite:
            # migrations/env.py turns SQLite's foreign keys off to alter tables; the pragma
            # only takes effect outside a transaction, so this pooled connection gets it back
            # here, after the commit.
            await connection.exec_driver_sql("PRAGMA foreign_keys=ON")


async def schema_state(db: Database) -> SchemaState:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None

    def _current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.engine.connect() as connection:
        current = await connection.run_sync(_current)
    return SchemaState(current=current, head=head)
