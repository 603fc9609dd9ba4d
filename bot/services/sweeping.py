"""Sweeps that fail item by item: each item (a programme, a pair, a queued reminder) runs in its
own savepoint, so one that fails rolls back alone, is logged with its id, and is left alone for
a while (an hour, doubling up to a day) while the sweep goes on with the others; it is forgotten
once it succeeds. Plain values in and out; no Slack."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Row, Select, delete, exists, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.models import Sweep, SweepFailure
from bot.services.outbox import dialect_insert

log = logging.getLogger(__name__)

FIRST_BACK_OFF = timedelta(hours=1)
LONGEST_BACK_OFF = timedelta(days=1)
ITEM = {
    Sweep.LIFECYCLE: "programme",
    Sweep.PURGE: "programme",
    Sweep.PAUSE_END: "pair",
    Sweep.MOMENTUM: "pair",
    Sweep.REMINDERS: "pair",
    Sweep.SURVEYS: "programme",
    Sweep.SURVEY_REMINDERS: "survey invite",
    Sweep.RESOURCES: "safe space",
    Sweep.REQUESTS: "mentor request",
    Sweep.DIGESTS: "programme",
    Sweep.PREPARATION: "programme",
    Sweep.SOCIAL_REMINDERS: "social invite",
}

T = TypeVar("T")
R = TypeVar("R")
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
Columns = TypeVarTuple("Columns")
# What else a failure does to the item (by id) besides recording it, given when to retry it.
OnFailure = Callable[[int, datetime], Awaitable[None]]


@dataclass
class Outcome(Generic[R]):
    """What the steps returned, and the ids of the items that failed."""

    results: list[R] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Queued:
    """What a sweep that queues messages did: how many it queued, and how many items failed."""

    queued: int
    failed: int

    @classmethod
    def of(cls, *outcomes: Outcome[int]) -> Queued:
        """The sum of its rounds, each step returning how many messages it queued."""
        return cls(sum(sum(o.results) for o in outcomes), sum(len(o.failed) for o in outcomes))


def back_off(failures: int) -> timedelta:
    """How long an item that has failed this many times in a row is left alone."""
    return min(FIRST_BACK_OFF * 2 ** min(failures - 1, 16), LONGEST_BACK_OFF)


def ready(sweep: Sweep, item_id: Any, *, now: datetime) -> ColumnElement[bool]:
    """For a sweep's query: the item is not being left alone after a failure."""
    return ~exists().where(
        SweepFailure.sweep == sweep, SweepFailure.item_id == item_id, SweepFailure.retry_at > now
    )


def claim(query: Q, *, sweep: Sweep, item_id: InstrumentedAttribute[int], now: datetime) -> Q:
    """The query's items the sweep may take now, in id order and locked for this replica: a
    second replica skips them, and an item left alone after a failure waits its turn."""
    return (
        query.where(ready(sweep, item_id, now=now))
        .order_by(item_id)
        .with_for_update(of=item_id, skip_locked=True)
    )


async def claimed(
    session: AsyncSession,
    query: Select[*Columns],
    *,
    sweep: Sweep,
    item_id: InstrumentedAttribute[int],
    now: datetime,
) -> Sequence[Row[*Columns]]:
    """The rows of the query's items the sweep takes now, claimed as `claim` says."""
    return (await session.execute(claim(query, sweep=sweep, item_id=item_id, now=now))).all()


async def each(
    session: AsyncSession,
    *,
    items: Sequence[T],
    step: Callable[[T], Awaitable[R]],
    sweep: Sweep,
    key: Callable[[T], int],
    now: datetime,
    on_failure: OnFailure | None = None,
) -> Outcome[R]:
    """Run `step` on each item in its own savepoint; one that fails is rolled back, logged and
    left alone for a while, and the rest go on."""
    keyed = [(key(item), item) for item in items]
    if not keyed:
        return Outcome()
    await _open(session)
    return await _each(
        session,
        keyed,
        step,
        sweep=sweep,
        now=now,
        on_failure=on_failure,
        failures=await _failures(session, sweep=sweep),
    )


async def together(
    session: AsyncSession,
    *,
    items: Sequence[T],
    step: Callable[[Sequence[T]], Awaitable[R]],
    sweep: Sweep,
    key: Callable[[T], int],
    now: datetime,
    on_failure: OnFailure | None = None,
) -> Outcome[R]:
    """As `each`, for a step that works on many items at once: all of them in one savepoint,
    and each in its own only when that fails, so the usual run stays one bulk step."""
    keyed = [(key(item), item) for item in items]
    if not keyed:
        return Outcome()
    await _open(session)
    failures = await _failures(session, sweep=sweep)
    try:
        async with session.begin_nested():
            result = await step(items)
    except Exception as exc:
        log.warning(
            "The %s sweep failed on %d %ss at once (%s); trying each on its own",
            sweep,
            len(keyed),
            ITEM[sweep],
            type(exc).__name__,
        )

        async def alone(item: T) -> R:
            return await step([item])

        return await _each(
            session, keyed, alone, sweep=sweep, now=now, on_failure=on_failure, failures=failures
        )
    await _forget(session, sweep=sweep, item_ids=[i for i, _ in keyed if i in failures])
    return Outcome([result])


async def _each(
    session: AsyncSession,
    keyed: list[tuple[int, T]],
    step: Callable[[T], Awaitable[R]],
    *,
    sweep: Sweep,
    now: datetime,
    on_failure: OnFailure | None,
    failures: dict[int, int],
) -> Outcome[R]:
    # Ids are taken before any step: a rolled-back savepoint expires what it changed, and an
    # expired attribute cannot be loaded lazily in async code.
    outcome: Outcome[R] = Outcome()
    recovered = []
    for item_id, item in keyed:
        try:
            async with session.begin_nested():
                result = await step(item)
        except Exception:
            times = failures.get(item_id, 0) + 1
            retry_at = now + back_off(times)
            log.exception(
                "The %s sweep failed on %s %d (%d time(s) in a row); it is tried again after %s",
                sweep,
                ITEM[sweep],
                item_id,
                times,
                retry_at.isoformat(),
            )
            await _record(
                session, sweep=sweep, item_id=item_id, times=times, now=now, retry_at=retry_at
            )
            if on_failure is not None:
                await on_failure(item_id, retry_at)
            outcome.failed.append(item_id)
            continue
        outcome.results.append(result)
        if item_id in failures:
            recovered.append(item_id)
    await _forget(session, sweep=sweep, item_ids=recovered)
    return outcome


async def _open(session: AsyncSession) -> None:
    """SQLite's driver begins its transaction only at the first write, so a SAVEPOINT before
    that would begin one of its own, which its RELEASE commits: begin it first."""
    if session.get_bind().dialect.name != "sqlite":
        return
    connection = await (await session.connection()).get_raw_connection()
    if not connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        await session.execute(text("BEGIN"))


async def _failures(session: AsyncSession, *, sweep: Sweep) -> dict[int, int]:
    """The sweep's items that failed last time they ran (usually none), with their count."""
    rows = await session.execute(
        select(SweepFailure.item_id, SweepFailure.failures).where(SweepFailure.sweep == sweep)
    )
    return {item_id: failures for item_id, failures in rows}


async def _record(
    session: AsyncSession,
    *,
    sweep: Sweep,
    item_id: int,
    times: int,
    now: datetime,
    retry_at: datetime,
) -> None:
    values = {"failures": times, "failed_at": now, "retry_at": retry_at}
    insert = dialect_insert(session)(SweepFailure).values(sweep=sweep, item_id=item_id, **values)
    await session.execute(
        insert.on_conflict_do_update(index_elements=["sweep", "item_id"], set_=values)
    )


async def _forget(session: AsyncSession, *, sweep: Sweep, item_ids: list[int]) -> None:
    if item_ids:
        await session.execute(
            delete(SweepFailure).where(
                SweepFailure.sweep == sweep, SweepFailure.item_id.in_(item_ids)
            )
        )
