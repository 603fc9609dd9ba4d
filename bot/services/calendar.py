"""The meetings a pair keeps in their own calendars, whatever calendar that is: the agreed
chemistry meeting and each booked session, shared as .ics files in their conversation. A
meeting keeps one UID for its whole life; each move raises its SEQUENCE, so a calendar replaces
the old time; a cancellation says so once. Plain values out, for the view that writes the file.
Also the agreement's cadence as one recurring series, and the times to offer when a meeting is
arranged: those that suit both people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import CalendarEvent, CalendarKind, Programme
from bot.services import slots

if TYPE_CHECKING:  # pairs imports this module to cancel a pair's meetings when it ends
    from bot.services.pairs import PairFacts


@dataclass(frozen=True)
class CalendarEntry:
    """One version of one meeting, as its .ics file tells it."""

    uid: str
    kind: CalendarKind
    sequence: int
    starts_at: datetime
    minutes: int
    cancelled: bool
    pair: PairFacts
    stamp: datetime  # when this version was made
    where: str = ""  # what the pair wrote about where to meet, which both of them see
    every_days: int | None = None  # a series: repeats this often, from starts_at ...
    until: datetime | None = None  # ... until this instant (UTC)


def uid_of(event: CalendarEvent, team_id: str) -> str:
    """Stable for the meeting's life, and unique across workspaces."""
    return calendar_uid(event.kind.value, event.id, team_id)


def calendar_uid(kind: str, number: int, team_id: str) -> str:
    """The UID of the calendar event `number` of this kind (a pair's meeting, a social)."""
    return f"{kind}-{number}.{team_id.lower()}@reverse-mentoring"


async def _team_of(session: AsyncSession, programme_id: int) -> str:
    team_id = await session.scalar(select(Programme.team_id).where(Programme.id == programme_id))
    assert team_id is not None  # a pair's programme goes only with its pairs
    return team_id


def _entry(
    event: CalendarEvent, team_id: str, pair: PairFacts, now: datetime, where: str = ""
) -> CalendarEntry:
    return CalendarEntry(
        uid=uid_of(event, team_id),
        kind=event.kind,
        sequence=event.sequence,
        starts_at=event.starts_at,
        minutes=event.minutes,
        cancelled=event.cancelled_at is not None,
        pair=pair,
        stamp=now,
        where=where,
        every_days=event.every_days,
        until=event.until,
    )


async def book(
    session: AsyncSession,
    *,
    pair: PairFacts,
    kind: CalendarKind,
    starts_at: datetime,
    minutes: int,
    now: datetime,
    where: str = "",
) -> CalendarEntry | None:
    """The pair's meeting of this kind at a new time. The chemistry meeting is one meeting
    however often it moves; a session still ahead moves, and one already held leaves the next
    booking a meeting of its own. None when the booking changes nothing."""
    query = select(CalendarEvent).where(
        CalendarEvent.pair_id == pair.id,
        CalendarEvent.kind == kind,
        CalendarEvent.cancelled_at.is_(None),
    )
    if kind == CalendarKind.SESSION:
        query = query.where(CalendarEvent.starts_at > now)
    event = await session.scalar(query.order_by(CalendarEvent.id.desc()).limit(1))
    if event is None:
        event = CalendarEvent(pair_id=pair.id, kind=kind, sequence=0, created_at=now)
        session.add(event)
    elif kind == CalendarKind.SESSION and (event.starts_at, event.minutes) == (starts_at, minutes):
        return None  # the same booking again (a check-in logged twice)
    else:
        event.sequence += 1
    event.starts_at = starts_at
    event.minutes = minutes
    event.updated_at = now
    await session.flush()
    return _entry(event, await _team_of(session, pair.programme_id), pair, now, where)


async def cancel_ahead(
    session: AsyncSession, *, pair: PairFacts, now: datetime
) -> tuple[CalendarEntry, ...]:
    """Cancel the pair's meetings still ahead (the pair has ended), a series still running
    included; each once."""
    events = list(
        await session.scalars(
            select(CalendarEvent)
            .where(
                CalendarEvent.pair_id == pair.id,
                CalendarEvent.cancelled_at.is_(None),
                or_(CalendarEvent.starts_at > now, CalendarEvent.until > now),
            )
            .order_by(CalendarEvent.id)
        )
    )
    if not events:
        return ()
    for event in events:
        event.sequence += 1
        event.cancelled_at = now
        event.updated_at = now
    team_id = await _team_of(session, pair.programme_id)
    return tuple(_entry(e, team_id, pair, now) for e in events)


async def book_series(
    session: AsyncSession,
    *,
    pair: PairFacts,
    starts_at: datetime,
    minutes: int,
    every_days: int,
    until: datetime,
    now: datetime,
) -> CalendarEntry:
    """The pair's one series: made once, the same series (its UID and SEQUENCE) while the rule
    stands, and moved (SEQUENCE raised) when the agreement's rule changes. `starts_at` is used
    only for a new or changed series: the one already in calendars keeps its first time."""
    event = await series_of(session, pair_id=pair.id)
    if event is None:
        event = CalendarEvent(pair_id=pair.id, kind=CalendarKind.SERIES, sequence=0, created_at=now)
        session.add(event)
    elif (event.minutes, event.every_days, event.until) == (minutes, every_days, until):
        return _entry(event, await _team_of(session, pair.programme_id), pair, now)
    else:
        event.sequence += 1
    event.starts_at = starts_at
    event.minutes = minutes
    event.every_days = every_days
    event.until = until
    event.updated_at = now
    await session.flush()
    return _entry(event, await _team_of(session, pair.programme_id), pair, now)


async def series_of(session: AsyncSession, *, pair_id: int) -> CalendarEvent | None:
    """The pair's series still standing, if it has one."""
    return await session.scalar(
        select(CalendarEvent).where(
            CalendarEvent.pair_id == pair_id,
            CalendarEvent.kind == CalendarKind.SERIES,
            CalendarEvent.cancelled_at.is_(None),
        )
    )


SUGGESTED = 4  # times offered on a form


async def free_slots(
    session: AsyncSession,
    *,
    pair: PairFacts,
    minutes: int,
    earliest: date,
    now: datetime,
    count: int = SUGGESTED,
) -> list[datetime]:
    """The next times, one a day from `earliest`, inside both people's working hours in their
    own time zones (nobody has given theirs yet: the default hours) and out of the
    programme's quiet hours."""
    quiet = (
        await session.execute(
            select(Programme.quiet_hours_start, Programme.quiet_hours_end).where(
                Programme.id == pair.programme_id
            )
        )
    ).one()
    return slots.suggest(
        now=now,
        people=[slots.Person(m.tz) for m in pair.members],
        minutes=minutes,
        earliest=earliest,
        quiet=(quiet[0], quiet[1]),
        count=count,
    )
