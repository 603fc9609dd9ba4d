"""The rules that decide, at delivery, whether a queued message still makes sense: one for
every kind of message, read for a whole batch in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.db import Database
from bot.models import Outbox, Pair
from bot.sandbox.seed import seed_active_pairs
from bot.services import outbox_rules
from bot.services.outbox import Kind
from tests.conftest import watching

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_every_kind_of_message_has_a_rule() -> None:
    # A new kind needs its entry in outbox_rules.RULES: what makes its message stale.
    assert set(outbox_rules.RULES) == set(Kind)
    assert all(outbox_rules.RULES[kind] for kind in Kind)


async def test_a_batch_is_checked_in_as_many_queries_however_large(db: Database) -> None:
    seeded = await seed_active_pairs(db, pairs=30, due=0, now=NOW)
    async with db.transaction() as session:
        pairs = list(await session.scalars(select(Pair).order_by(Pair.id)))

    def batch(size: int) -> list[Outbox]:
        """Every kind of message about each of `size` pairs."""
        ids = {"programme_id": seeded.programme_id, "survey_id": 1, "resource_id": 1}
        return [
            Outbox(
                id=n * len(Kind) + k,
                kind=kind,
                team_id="T0TEST",
                channel_id=seeded.user_ids[n],
                pair_id=pair.id,
                participant_id=pair.mentor_id,
                params={"pair_id": pair.id, **ids},
            )
            for n, pair in enumerate(pairs[:size])
            for k, kind in enumerate(Kind)
        ]

    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    counts = []
    with watching(db, "before_cursor_execute", record):
        for size in (2, 30):
            statements.clear()
            rows = batch(size)
            async with db.transaction() as session:
                reasons = await outbox_rules.stale(session, rows, now=NOW)
            # Agreed pairs with nothing pending: only these two make sense for them, and
            # their Homes, which show whatever holds when they go.
            kept = {r.kind for r in rows if r.id not in reasons}
            assert kept == {Kind.PAUSE_OVER, Kind.STARTER_SET, Kind.HOME}
            assert len(reasons) == size * (len(Kind) - 3)
            counts.append(sum(s.lstrip().upper().startswith("SELECT") for s in statements))
    assert counts[0] == counts[1] < 2 * len(Kind)  # fewer than the smaller batch has rows
