"""The schema that migrations build is the schema the models describe, and data
migrations bring existing rows along."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, String, select, text, update
from sqlalchemy.engine import Connection

from bot.db import Base, Database
from bot.migrate import alembic_config, migrating, schema_state, upgrade_head
from bot.models import Agreement, Pair, Participant, Programme, SessionLog, SessionTopic
from bot.sandbox.seed import seed_active_pairs
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


async def test_models_and_migrations_agree_on_collations(db: Database) -> None:
    """compare_metadata does not compare collations: each column's, as the models give it
    for this database, is the one the migrations made (None: the database's default)."""

    def declared(column: Column) -> str | None:
        return getattr(column.type.dialect_impl(db.engine.dialect), "collation", None)

    wanted = {
        (table.name, column.name): declared(column)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String)
    }
    assert ("outbox", "key") in wanted
    async with db.engine.connect() as conn:
        if db.is_sqlite:
            assert set(wanted.values()) == {None}  # SQLite compares bytes: nothing to declare
            return
        made = {
            (table, name): collation
            for table, name, collation in await conn.execute(
                text(
                    "SELECT table_name, column_name, collation_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema()"
                )
            )
        }
    assert {k: made[k] for k in wanted} == wanted
    assert wanted["outbox", "key"] == wanted["outbox", "recipient_id"] == "C"


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


async def test_shared_texts_written_before_authorship_get_their_authors(db: Database) -> None:
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    seeded = await seed_active_pairs(db, pairs=1, due=0, now=now)
    async with db.transaction() as session:
        pair = await session.scalar(select(Pair))
        assert pair is not None
        mentor, mentee = pair.mentor_id, pair.mentee_id
        await session.execute(
            update(Programme).where(Programme.id == seeded.programme_id).values(topics=["AI"])
        )
        for who, goals in ((mentor, "Mentor's sign-up goals"), (mentee, "Mentee's sign-up goals")):
            await session.execute(
                update(Participant).where(Participant.id == who).values(goals=goals)
            )
        first = await session.scalar(select(Agreement))
        assert first is not None and first.proposed_by == mentee
        first.mentor_goals, first.mentee_goals = "Mentor's sign-up goals", "Mentee wrote"
        for version, by, goals in (
            (2, mentor, ("Mentor wrote", "Mentee wrote")),  # the mentee's side unchanged
            (3, mentee, ("Mentee wrote for the mentor", "Mentee wrote")),
        ):
            session.add(
                Agreement(
                    **{
                        c: getattr(first, c)
                        for c in ("pair_id", "status", "sessions_planned", "cadence_days")
                    },
                    session_minutes=60,
                    medium=first.medium,
                    ends_on=first.ends_on,
                    scheduler=first.scheduler,
                    created_at=now,
                    version=version,
                    proposed_by=by,
                    mentor_goals=goals[0],
                    mentee_goals=goals[1],
                )
            )
        log = SessionLog(
            pair_id=pair.id,
            held_on=now.date(),
            minutes=60,
            medium=first.medium,
            topics=["AI"],
            goal="A note",
            logged_by=mentor,
            created_at=now,
            updated_at=now,
        )
        session.add(log)
        await session.flush()
        session.add(SessionTopic(session_id=log.id, added_by=mentor, topic="Chess"))
    await migrate_to(db, "0c063a212b78")  # typed topics go back into the session's list
    async with db.transaction() as session:
        assert await session.scalar(text("SELECT topics FROM session_log")) in (
            '["AI", "Chess"]',
            ["AI", "Chess"],
        )
    await upgrade_head(db)
    async with db.transaction() as session:
        authors = [
            (a.mentor_goals_by, a.mentee_goals_by)
            for a in await session.scalars(select(Agreement).order_by(Agreement.version))
        ]
        log = await session.scalar(select(SessionLog))
        typed = [(t.topic, t.added_by) for t in await session.scalars(select(SessionTopic))]
    assert authors == [(mentor, mentee), (mentor, mentee), (mentee, mentee)]
    assert log is not None and (log.goal_by, log.reality_by) == (mentor, None)
    assert log.topics == ["AI"] and typed == [("Chess", mentor)]
