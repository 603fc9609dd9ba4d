"""Requests already acted on: the first arrival of a key claims it, any later one is a replay."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Dialect, Insert, delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import bind_columns, rowcount
from bot.models import HandledRequest
from bot.services.outbox import insert_for

# Slack retries an event for about an hour at most and refuses signatures older than five
# minutes, so a day covers every retry and replay with room to spare.
KEEP_FOR = timedelta(days=1)


async def claim(session: AsyncSession, *, key: str, now: datetime) -> bool:
    """True for the first request with `key`; False when one with it was handled already."""
    statement = _claim(session.get_bind().dialect)
    result = await session.execute(statement, {"key": key, "received_at": now})
    return rowcount(result) == 1


@lru_cache(maxsize=8)
def _claim(dialect: Dialect) -> Insert:
    """claim's statement, built once per engine from bind parameters (every request claims:
    building one with its values took a tenth of a millisecond each time)."""
    table = HandledRequest.__table__
    return (
        insert_for(dialect)(table)
        .values(bind_columns(table, ("key", "received_at")))
        .on_conflict_do_nothing(index_elements=["key"])
    )


async def forget_old(session: AsyncSession, *, now: datetime) -> int:
    """Drop keys no retry or replay can present any more."""
    result = await session.execute(
        delete(HandledRequest).where(HandledRequest.received_at < now - KEEP_FOR)
    )
    return rowcount(result)
