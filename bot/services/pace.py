"""Slots for calls to a rate-limited API, shared by every replica through the database.

A rate says how many calls may start in any window of so many seconds. Each key (a workspace
and a method, and for some methods a channel) has one row holding the latest slots given out,
oldest first. A caller takes the next free slot under the row's lock (PostgreSQL's row lock,
SQLite's write lock), so callers in every replica are served one after the other and together
keep to the rate: a new slot is never earlier than the last one given, nor earlier than one
window after the slot `limit` places before it. A slot may lie ahead: the caller waits for it,
or puts its work back until then and keeps the slot. A hold (a 429's Retry-After) gives nobody
a slot before it ends.

Times are seconds since the epoch on the caller's clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Insert, case, delete, or_
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import rowcount
from bot.models import SlackPace
from bot.services.outbox import dialect_insert, insert_for

# A slot held from earlier and now further behind than this is given up for a fresh one: the
# call would start later than the rows say, closer to the calls after it.
LATE = 1.0
KEEP_FOR = 3600.0  # seconds an idle row is kept (far longer than any window)
KEY_COLUMNS = ("team_id", "method", "channel")


@dataclass(frozen=True)
class Rate:
    limit: int  # calls that may start ...
    window: float  # ... in any window of this many seconds


@dataclass(frozen=True, order=True)
class Key:
    team_id: str
    method: str
    channel: str = ""  # "": one pace for the whole method


@dataclass(frozen=True)
class Want:
    key: Key
    rate: Rate
    held: float | None = None  # a slot given earlier that the caller still holds


def next_slot(given: Sequence[float], rate: Rate, earliest: float) -> float:
    """The first slot from `earliest` that keeps `rate` after the slots already `given`."""
    slot = earliest
    if given:
        slot = max(slot, given[-1])
    if len(given) >= rate.limit:
        slot = max(slot, given[-rate.limit] + rate.window)
    return slot


async def take(session: AsyncSession, wants: Sequence[Want], *, now: float) -> list[float]:
    """A slot for each want, in their order (a held slot is kept unless a hold came since or
    it has gone stale). Rows are locked until the transaction ends: keep it short."""
    if not wants:
        return []
    rows = await _locked(session, sorted({w.key for w in wants}), now)
    slots = []
    for want in wants:
        row = rows[want.key]
        hold = row.held_until or 0.0
        if want.held is not None and want.held >= max(hold, now - LATE):
            slots.append(want.held)
            continue
        slot = next_slot(row.slots, want.rate, max(now, hold))
        row.slots = [*row.slots, slot][-want.rate.limit :]  # a new list: the change is seen
        row.last_at = slot
        slots.append(slot)
    return slots


async def _locked(session: AsyncSession, keys: list[Key], now: float) -> dict[Key, SlackPace]:
    """The keys' rows, created when new, locked until the transaction ends: one upsert whose
    update changes nothing but takes the row's lock (as SELECT ... FOR UPDATE would, a round
    trip later) and returns it. On SQLite the statement takes the write lock, so it comes
    first in its transaction (or after the claim's BEGIN IMMEDIATE): a transaction that read
    first may not get the lock."""
    new = [
        {
            "team_id": k.team_id,
            "method": k.method,
            "channel": k.channel,
            "slots": [],
            "last_at": now,
        }
        for k in keys  # sorted: replicas lock rows in one order
    ]
    found = await session.scalars(
        _lock(session.get_bind().dialect), new, execution_options={"populate_existing": True}
    )
    return {Key(r.team_id, r.method, r.channel): r for r in found}


@lru_cache(maxsize=8)
def _lock(dialect: Dialect) -> Insert:
    """_locked's upsert, built once per engine without values: the rows come as a list of
    parameters. Built with its rows as multi-row VALUES it had no cache key, so it was
    compiled again for every Slack call."""
    upsert = insert_for(dialect)(SlackPace)
    return upsert.on_conflict_do_update(
        index_elements=KEY_COLUMNS, set_={"team_id": upsert.excluded.team_id}
    ).returning(SlackPace)


async def hold(session: AsyncSession, key: Key, *, until: float, now: float) -> None:
    """Nobody gets a slot for `key` before `until` (Slack asked us to wait that long)."""
    statement = (
        dialect_insert(session)(SlackPace)
        .values(
            team_id=key.team_id,
            method=key.method,
            channel=key.channel,
            slots=[],
            last_at=now,
            held_until=until,
        )
        .on_conflict_do_update(
            index_elements=KEY_COLUMNS,
            set_={
                "held_until": case(
                    (
                        or_(SlackPace.held_until.is_(None), SlackPace.held_until < until),
                        until,
                    ),
                    else_=SlackPace.held_until,
                )
            },
        )
    )
    await session.execute(statement)


async def forget_old(session: AsyncSession, *, now: datetime) -> int:
    """Drop rows idle for a while (a channel posted to once, say): an absent row is the same
    as one whose slots and hold have all passed."""
    return await forget_idle(session, before=now.timestamp() - KEEP_FOR)


async def forget_idle(session: AsyncSession, *, before: float) -> int:
    """Drop rows whose slots and hold all ended before `before`."""
    result = await session.execute(
        delete(SlackPace).where(
            SlackPace.last_at < before,
            or_(SlackPace.held_until.is_(None), SlackPace.held_until < before),
        )
    )
    return rowcount(result)
