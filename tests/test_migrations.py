"""The schema that migrations build is the schema the models describe, and data
migrations bring existing rows along."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection

from bot.db import Base, Database
from bot.demo.seed import seed_active_pairs
from bot.migrate import alembic_config, migrating, schema_state, upgrade_head
from bot.models import Agreement, Pair
from bot.services import momentum


async def migrate_to(db: Database, revision: str) -> None:
    def _downgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    await migrating(db, _downgrade)


async def test_models_and_migrations_agree(db: Database) -> None:
    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == [], f"models and migrations disagree: {differences}"


async def test_database_is_at_head(db: Database) -> None:
    state = await schema_state(db)
    assert state.up_to_date
    assert state.head == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_single_head() -> None:
    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


async def test_pairs_agreed_before_the_ladder_existed_join_it(db: Database) -> None:
    now = datetime.now(UTC)
    await seed_active_pairs(db, pairs=3, due=0, now=now)
    async with db.transaction() as session:
        first, second, third = await session.scalars(select(Pair.id).order_by(Pair.id))
        # As every agreed pair was before the ladder: never looked at.
        await session.execute(update(Pair).values(momentum_due_at=None, momentum_anchor_on=None))
        await session.execute(update(Pair).where(Pair.id == second).values(paused_at=now))
        await session.execute(
            update(Agreement).where(Agreement.pair_id == third).values(status="proposed")
        )
    await migrate_to(db, "7278a1339977")
    await upgrade_head(db)
    async with db.transaction() as session:
        due = set(await session.scalars(select(Pair.id).where(Pair.momentum_due_at.is_not(None))))
        assert due == {first}  # not the paused pair, nor one without a confirmed agreement
        # The sweep takes it from the agreement, 30 days ago: past the first rung.
        result = await momentum.sweep(session, now=datetime.now(UTC) + timedelta(minutes=1))
    assert (result.pairs, result.queued) == (1, 2)
    async with db.transaction() as session:
        pair = await session.get(Pair, first)
        assert pair is not None
        assert pair.momentum_anchor_on == (now - timedelta(days=30)).date()
        assert pair.ladder_step == 1


async def test_sqlite_still_enforces_foreign_keys_aftermigrating(db: Database) -> None:
    if not db.is_sqlite:
        pytest.skip("PostgreSQL always enforces foreign keys; only SQLite's can be switched off")
    await migrate_to(db, "7278a1339977")
    await upgrade_head(db)
    for _ in range(3):  # every pooled connection
        async with db.transaction() as session:
            assert await session.scalar(text("PRAGMA foreign_keys")) == 1
