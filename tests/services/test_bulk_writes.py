"""Bulk writes (bot/bulk.py) store exactly what the ORM would: values read back equal, and
queries that compare dates and times find them (on SQLite those are compared as text, so
the stored format must be the ORM's own)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import Date, Integer, func, select, update

from bot.bulk import Rows
from bot.db import Database, UTCDateTime
from bot.models import Outbox, OutboxStatus, Pair
from bot.sandbox.seed import seed_active_pairs
from bot.services import outbox
from bot.services.outbox import Kind, Message, Quiet

NOW = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
BERLIN_EVENING = datetime(2026, 3, 9, 20, 0, 0, 250, tzinfo=timezone(timedelta(hours=1)))


def message(n: int, *, quiet: bool = True, expires: datetime | None = None) -> Message:
    return Message(
        key=f"test:{n}",
        kind=Kind.NUDGE_PAIR,
        team_id="T0TEST",
        channel_id=f"U{n}",
        params={"partner": 'Zoë O\'Brien "Z"', "days": n, "nested": {"ok": [1, None]}},
        quiet=Quiet(f"U{n}", "Europe/Berlin", 19, 8, 3) if quiet else None,
        expires_at=expires,
    )


async def test_queued_messages_read_back_as_written(db: Database) -> None:
    sent = [message(1, expires=BERLIN_EVENING), message(2, quiet=False)]
    async with db.transaction() as session:
        assert await outbox.enqueue(session, sent, now=NOW) == 2
    async with db.transaction() as session:
        rows = {r.key: r for r in await session.scalars(select(Outbox))}
        first, second = rows["test:1"], rows["test:2"]
        assert first.params == {
            "partner": 'Zoë O\'Brien "Z"',
            "days": 1,
            "nested": {"ok": [1, None]},
        }
        assert (first.recipient_id, first.recipient_tz, first.quiet_start, first.quiet_end) == (
            "U1",
            "Europe/Berlin",
            19,
            8,
        )
        assert first.weekly_budget == 3 and second.weekly_budget is None
        assert first.expires_at == BERLIN_EVENING and second.expires_at is None
        assert first.status == OutboxStatus.PENDING and first.attempts == 0
        assert first.due_at == first.created_at == NOW
        # Comparisons in SQL see the same instants the ORM would have written.
        assert (
            await session.scalar(select(Outbox.key).where(Outbox.expires_at == BERLIN_EVENING))
            == "test:1"
        )
        due = select(func.count()).where(Outbox.due_at <= NOW)
        assert await session.scalar(due) == 2
        early = select(func.count()).where(Outbox.due_at < NOW - timedelta(microseconds=1))
        assert await session.scalar(early) == 0


async def test_a_key_already_queued_is_neither_queued_again_nor_counted(db: Database) -> None:
    async with db.transaction() as session:
        assert await outbox.enqueue(session, [message(1), message(2)], now=NOW) == 2
    later = NOW + timedelta(days=1)
    async with db.transaction() as session:
        again = [message(1), message(2, quiet=False), message(3)]
        assert await outbox.enqueue(session, again, now=later) == 1
    async with db.transaction() as session:
        rows = {r.key: r for r in await session.scalars(select(Outbox))}
    assert sorted(rows) == ["test:1", "test:2", "test:3"]
    assert rows["test:2"].created_at == NOW and rows["test:2"].weekly_budget == 3
    assert rows["test:3"].created_at == later


async def test_rows_read_back_as_a_table_update_dates_and_times(db: Database) -> None:
    await seed_active_pairs(db, pairs=3, due=3, now=NOW)
    steps = {"pair_id": Integer(), "step": Integer(), "due": UTCDateTime(), "anchor": Date()}
    async with db.transaction() as session:
        ids = sorted(await session.scalars(select(Pair.id)))
        wanted = {
            ids[0]: (2, BERLIN_EVENING, date(2026, 2, 28)),
            ids[1]: (1, None, date(2025, 12, 31)),
        }
        rows = Rows(session.get_bind().dialect, "steps", steps)
        pair = Pair.__table__
        await session.execute(
            update(pair)
            .where(pair.c.id == rows.c["pair_id"])
            .values(
                ladder_step=rows.c["step"],
                momentum_due_at=rows.c["due"],
                momentum_anchor_on=rows.c["anchor"],
            ),
            rows.params([(pid, *values) for pid, values in wanted.items()]),
        )
    async with db.transaction() as session:
        found = {
            p.id: (p.ladder_step, p.momentum_due_at, p.momentum_anchor_on)
            for p in await session.scalars(select(Pair))
        }
        assert found[ids[0]] == wanted[ids[0]]
        assert found[ids[1]] == wanted[ids[1]]
        assert found[ids[2]][0] == 0  # not in the document: untouched
        on_the_dot = select(Pair.id).where(Pair.momentum_due_at == BERLIN_EVENING)
        assert list(await session.scalars(on_the_dot)) == [ids[0]]
        anchored = select(Pair.id).where(Pair.momentum_anchor_on < date(2026, 1, 1))
        assert list(await session.scalars(anchored)) == [ids[1]]
