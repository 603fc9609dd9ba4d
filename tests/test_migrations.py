"""The schema that migrations build is the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.db import Base, Database
from bot.migrate import alembic_config, schema_state


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
