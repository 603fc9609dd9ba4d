"""Requests already acted on: the first arrival of a key claims it, any later one is a replay."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import rowcount
from bot.models import HandledRequest
from bot.services.outbox import dialect_insert

# Slack retries an event for about an hour at most and refuses signatures older than five
# minutes, so a day covers every retry and replay with room to spare.
KEEP_FOR = timedelta(days=1)


async def claim(session: AsyncSession, *, key: str, now: datetime) -> bool:
    """True for the first request with `key`; False when one with it was handled already."""
    statement = (
        dialect_insert(session)(HandledRequest)
        .values(key=key, received_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    result = await session.execute(statement)
    return rowcount(result) == 1


async def forget_old(session: AsyncSession, *, now: datetime) -> int:
    """Drop keys no retry or replay can present any more."""
    result = await session.execute(
        delete(HandledRequest).where(HandledRequest.received_at < now - KEEP_FOR)
    )
    return rowcount(result)
