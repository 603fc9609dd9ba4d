"""Scenario states played once per database, then copied into each later test that starts there.

Playing a scenario through the app (a programme set up, a cohort signed up, pairs confirmed and
agreed) takes seconds of signed requests; copying what it left behind takes milliseconds. The
first test that needs a scenario on a database plays it; every later one gets its rows, the Slack
double's memory and the clock as the scenario left them, in its own fresh database and sandbox,
with the app's caches cold (they refetch what they need).

A scenario is an async function of the sandbox and the clock; it may start from another one by
calling `play` itself. Its return value is copied to each test too, so it should be plain data.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Integer, insert, select, text

from bot.clock import FakeClock
from bot.db import Base, Database
from bot.sandbox import Sandbox
from bot.sandbox.box import SavedSandbox

T = TypeVar("T")
Scenario = Callable[[Sandbox, FakeClock], Awaitable[T]]

Rows = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Played:
    rows: Rows
    slack: SavedSandbox
    now: datetime
    result: Any


_played: dict[tuple[str, str], Played] = {}


async def play(box: Sandbox, clock: FakeClock, scenario: Scenario[T]) -> T:
    """The state `scenario` leaves, played now if this database has not seen it yet."""
    assert box.db is not None, "start() the sandbox first"
    key = (box.db.url, f"{scenario.__module__}.{scenario.__qualname__}")
    played = _played.get(key)
    if played is None:
        result = await scenario(box, clock)
        await box.settle()
        rows = await copy_rows(box.db)
        _played[key] = Played(rows, box.saved(), clock.now(), copy.deepcopy(result))
        return result
    await paste_rows(box.db, played.rows)
    box.restore(played.slack)
    clock.set(played.now)
    return copy.deepcopy(played.result)


# PostgreSQL's sequences, under this key of the rows: where each table's next id comes from.
SEQUENCES = "(sequences)"


def _serial_tables() -> list[tuple[str, str]]:
    """(table, id column) of every table whose id a sequence hands out."""
    found = []
    for table in Base.metadata.sorted_tables:
        serial = [c for c in table.primary_key.columns if isinstance(c.type, Integer)]
        if len(serial) == 1 and serial[0].autoincrement:
            found.append((table.name, serial[0].name))
    return found


async def copy_rows(db: Database) -> Rows:
    rows: Rows = {}
    async with db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            in_order = select(table).order_by(*table.primary_key.columns)
            found = (await session.execute(in_order)).mappings()
            rows[table.name] = [dict(row) for row in found]
        if not db.is_sqlite:
            # A sequence moves on for inserts that did not happen too (ON CONFLICT DO NOTHING
            # takes a number first), so the next id is the sequence's, not the largest id + 1.
            rows[SEQUENCES] = []
            for name, column in _serial_tables():
                sequence = await session.scalar(
                    text(f"SELECT pg_get_serial_sequence('\"{name}\"', '{column}')")
                )
                if sequence is None:  # an id the app gives, not a sequence
                    continue
                state = (
                    await session.execute(text(f"SELECT last_value, is_called FROM {sequence}"))
                ).one()
                rows[SEQUENCES].append(
                    {"sequence": sequence, "last_value": state[0], "is_called": state[1]}
                )
    return rows


async def paste_rows(db: Database, rows: Rows) -> None:
    """Rows into an empty database, parents before children, ids as they were."""
    async with db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            if rows[table.name]:
                await session.execute(insert(table), rows[table.name])
        # Explicit ids leave PostgreSQL's sequences behind: each goes back to where it was.
        for state in rows.get(SEQUENCES, []):
            await session.execute(
                text("SELECT setval(CAST(:sequence AS regclass), :last_value, :is_called)"),
                state,
            )
