"""Momentum: whether an active pair is on track, slowing, stalled or at risk, and the ladder
of nudges that follows: the pair, then the mentee alone, then the leads (metadata only).

A pair's ladder counts days from its anchor (the agreement, its latest session, or when a
lead resumed it). Each rung is keyed by pair, anchor and rung, so it is sent once; a new
session moves the anchor and the ladder starts again.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Date, Integer, Row, Select, Update, and_, bindparam, func, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeEngine

from bot.bulk import Rows
from bot.db import UTCDateTime
from bot.models import (
    Agreement,
    AgreementStatus,
    Pair,
    PairStatus,
    Participant,
    Programme,
    ProgrammeLead,
    ProgrammeStatus,
    SessionLog,
    Sweep,
)
from bot.services import outbox, sweeping
from bot.services.outbox import Kind, Message, Quiet
from bot.services.pairs import (
    PairError,
    PairFacts,
    load_pair,
    lock_pair,
    pair_for_member,
    refuse_once_ended,
    state_words,
)

RUNGS = 3  # the pair, the mentee, the leads
# A nudge that could not go out within a week (budget, quiet hours) is no longer news.
NUDGE_LIFETIME = timedelta(days=7)
# When the sweep finds a pair several rungs behind (it was not running), one rung a day.
CATCH_UP = timedelta(days=1)
NUDGES = (Kind.NUDGE_PAIR, Kind.NUDGE_MENTEE, Kind.LEAD_ALERT)
# Pairs are kept going until their programme closes: through the end review too.
STILL_NUDGED = (ProgrammeStatus.RUNNING, ProgrammeStatus.REVIEWING)


class MomentumState(enum.StrEnum):
    ON_TRACK = "on track"
    SLOWING = "slowing"
    STALLED = "stalled"
    AT_RISK = "at risk"


STATES = (
    MomentumState.ON_TRACK,
    MomentumState.SLOWING,
    MomentumState.STALLED,
    MomentumState.AT_RISK,
)


@dataclass(frozen=True)
class Assessment:
    state: MomentumState
    send: int | None  # the rung to send now
    step: int  # the rung reached once that is sent
    due_at: datetime | None  # when to look at the pair again


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


def threshold(anchor: date, cadence: int, grace: int, rung: int) -> date:
    """The day rung 1, 2 or 3 falls due: cadence plus one, two or three grace periods."""
    return anchor + timedelta(days=cadence + rung * max(1, grace))


def state_of(anchor: date, cadence: int, grace: int, today: date) -> MomentumState:
    # The rungs whose threshold() has come: cadence + rung * grace <= days since the anchor.
    reached = ((today - anchor).days - cadence) // max(1, grace)
    return STATES[min(RUNGS, max(0, reached))]


def assess(
    *,
    anchor: date,
    cadence: int,
    grace: int,
    step: int,
    booked: datetime | None,
    now: datetime,
) -> Assessment:
    if booked is not None and booked >= now:
        # A session is in the diary: nothing to say until the day after it.
        return Assessment(
            MomentumState.ON_TRACK, None, step, _midnight(booked.date()) + timedelta(days=1)
        )
    state = state_of(anchor, cadence, grace, now.date())
    reached = STATES.index(state)
    send = step + 1 if reached > step else None
    step = send or step
    if step >= RUNGS:
        return Assessment(state, send, step, None)
    due = _midnight(threshold(anchor, cadence, grace, step + 1))
    if send is not None:
        due = max(due, now + CATCH_UP)
    return Assessment(state, send, step, due)


def restart(pair: Pair, *, on: date, now: datetime) -> None:
    """Something happened (an agreement, a session, a resume): the ladder starts again."""
    if pair.momentum_anchor_on is None or on > pair.momentum_anchor_on:
        pair.momentum_anchor_on = on
    pair.ladder_step = 0
    pair.momentum_due_at = now


# What the sweep writes back to each pair it looked at, in this order.
_STEPS: dict[str, TypeEngine[Any]] = {
    "pair_id": Integer(),
    "step": Integer(),
    "due": UTCDateTime(),
    "anchor": Date(),
}


@dataclass(frozen=True)
class SweepResult:
    pairs: int
    queued: int
    failed: int = 0


@cache
def _claim() -> Select[*tuple[Any, ...]]:
    """Due pairs, locked for this replica (another skips them), with what the ladder needs;
    built once (its time and size are bind parameters `now` and `limit`), as building it
    costs more than running it."""
    confirmed = and_(Agreement.pair_id == Pair.id, Agreement.status == AgreementStatus.CONFIRMED)
    # Lock first, in the due index's order, so each batch reads only the pairs it takes;
    # joining before the LIMIT would read every due pair on every batch.
    claimed = (
        select(Pair.id)
        .where(
            Pair.momentum_due_at <= bindparam("now"),
            Pair.status == PairStatus.CONFIRMED,
            Pair.paused_at.is_(None),
            select(Agreement.id).where(confirmed).exists(),
        )
        .order_by(Pair.momentum_due_at)  # the index's order: no sort of every due pair
        .limit(bindparam("limit", type_=Integer()))
        .with_for_update(skip_locked=True)
        .cte("claimed")
    )
    mentor, mentee = aliased(Participant), aliased(Participant)
    return (
        select(
            Pair.id,
            Pair.programme_id,
            Pair.momentum_anchor_on,
            Pair.ladder_step,
            Pair.next_session_at,
            Agreement.cadence_days,
            Agreement.sessions_planned,
            mentor.id,
            mentor.user_id,
            mentor.display_name,
            mentor.tz,
            mentee.id,
            mentee.user_id,
            mentee.display_name,
            mentee.tz,
        )
        .join(claimed, claimed.c.id == Pair.id)
        .join(Agreement, confirmed)
        .join(mentor, mentor.id == Pair.mentor_id)
        .join(mentee, mentee.id == Pair.mentee_id)
        .order_by(Pair.id)
    )


async def sweep(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int = 500,
    lead_zones: dict[str, str | None] | None = None,
) -> SweepResult:
    """Claim up to `limit` due pairs, queue their nudges and set when to look again."""
    lead_zones = lead_zones or {}
    await outbox.begin_claim(session)
    rows = (await session.execute(_claim(), {"now": now, "limit": limit})).all()
    if not rows:
        return SweepResult(0, 0)

    async def move(batch: Sequence[Row[*tuple[Any, ...]]]) -> int:
        return await _move(session, batch, now=now, lead_zones=lead_zones)

    async def look_later(pair_id: int, retry_at: datetime) -> None:
        # The pair's own due time moves, so the claim above stays one statement on its index.
        await session.execute(
            update(Pair).where(Pair.id == pair_id).values(momentum_due_at=retry_at)
        )

    # The batch moves in bulk; a pair that breaks it is found by moving the pairs one by one.
    done = await sweeping.together(
        session,
        items=rows,
        step=move,
        sweep=Sweep.MOMENTUM,
        key=lambda row: row[0],
        now=now,
        on_failure=look_later,
    )
    return SweepResult(len(rows), sum(done.results), len(done.failed))


async def _move(
    session: AsyncSession,
    rows: Sequence[Row[*tuple[Any, ...]]],
    *,
    now: datetime,
    lead_zones: dict[str, str | None],
) -> int:
    """Queue the rungs the pairs have reached and set when to look at each again."""
    programmes = {
        p.id: _Rules.of(p)
        for p in await session.scalars(
            select(Programme).where(Programme.id.in_({r[1] for r in rows}))
        )
    }
    first_anchors = await _first_anchors(session, [r[0] for r in rows if r[2] is None])
    updates, messages, alerts = [], [], []
    for row in rows:
        (pair_id, programme_id, anchor, step, booked, cadence, planned, *people) = row
        programme = programmes[programme_id]
        anchor = anchor or first_anchors[pair_id]
        verdict = assess(
            anchor=anchor,
            cadence=cadence,
            grace=programme.grace,
            step=step,
            booked=booked,
            now=now,
        )
        updates.append((pair_id, verdict.step, verdict.due_at, anchor))
        if verdict.send is None:
            continue
        rung = _Rung(pair_id, programme, anchor, (now.date() - anchor).days, *people)
        if verdict.send == RUNGS:
            alerts.append((rung, planned))
        else:
            messages.extend(rung.nudges(verdict.send, now))
    if alerts:
        messages.extend(await _alerts(session, alerts, lead_zones, now))
    steps, statement = _step_update(session.get_bind().dialect)
    await session.execute(statement, steps.params(updates))
    return await outbox.enqueue(session, messages, now=now)


@lru_cache(maxsize=8)
def _step_update(dialect: Dialect) -> tuple[Rows, Update]:
    """The update of the pairs' ladders from their rows (_STEPS), built once per engine."""
    pair = Pair.__table__
    steps = Rows(dialect, "steps", _STEPS)
    statement = (
        update(pair)
        .where(pair.c.id == steps.c["pair_id"])
        .values(
            ladder_step=steps.c["step"],
            momentum_due_at=steps.c["due"],
            momentum_anchor_on=steps.c["anchor"],
        )
    )
    return steps, statement


async def _first_anchors(session: AsyncSession, pair_ids: list[int]) -> dict[int, date]:
    """For pairs the ladder has not looked at yet: the agreement, or a later session."""
    if not pair_ids:
        return {}
    held = (
        select(SessionLog.pair_id, func.max(SessionLog.held_on).label("held_on"))
        .where(SessionLog.pair_id.in_(pair_ids))
        .group_by(SessionLog.pair_id)
        .subquery()
    )
    rows = await session.execute(
        select(Pair.id, Pair.agreed_at, held.c.held_on)
        .outerjoin(held, held.c.pair_id == Pair.id)
        .where(Pair.id.in_(pair_ids))
    )
    return {
        pair_id: max(filter(None, (agreed_at.date(), held_on)))
        for pair_id, agreed_at, held_on in rows
    }


@dataclass(frozen=True)
class _Rules:
    """What the sweep needs of a programme, read once per batch rather than per message."""

    id: int
    team_id: str
    name: str
    grace: int
    quiet_start: int
    quiet_end: int
    budget: int

    @classmethod
    def of(cls, p: Programme) -> _Rules:
        return cls(
            p.id,
            p.team_id,
            p.name,
            p.nudge_grace_days,
            p.quiet_hours_start,
            p.quiet_hours_end,
            p.weekly_message_budget,
        )


@dataclass(frozen=True)
class _Rung:
    pair_id: int
    programme: _Rules
    anchor: date
    days: int
    mentor_pid: int
    mentor_uid: str
    mentor_name: str
    mentor_tz: str | None
    mentee_pid: int
    mentee_uid: str
    mentee_name: str
    mentee_tz: str | None

    def _quiet(self, user_id: str, tz: str | None, *, budget: bool = True) -> Quiet:
        p = self.programme
        return Quiet(user_id, tz, p.quiet_start, p.quiet_end, p.budget if budget else None)

    def nudges(self, rung: int, now: datetime) -> list[Message]:
        people = [
            (self.mentor_pid, self.mentor_uid, self.mentor_tz, self.mentee_name),
            (self.mentee_pid, self.mentee_uid, self.mentee_tz, self.mentor_name),
        ]
        if rung == 2:
            people = people[1:]  # the mentee alone: executives are the usual cause
        kind = Kind.NUDGE_PAIR if rung == 1 else Kind.NUDGE_MENTEE
        return [
            Message(
                key=f"nudge:{self.pair_id}:{self.anchor.isoformat()}:{rung}:{pid}",
                kind=kind,
                team_id=self.programme.team_id,
                channel_id=uid,
                params={
                    "pair_id": self.pair_id,
                    "partner": partner,
                    "days": self.days,
                    "programme": self.programme.name,
                },
                quiet=self._quiet(uid, tz),
                pair_id=self.pair_id,
                participant_id=pid,
                expires_at=now + NUDGE_LIFETIME,
            )
            for pid, uid, tz, partner in people
        ]

    def alert(self, lead: str, tz: str | None, held: int, planned: int) -> Message:
        return Message(
            key=f"alert:{self.pair_id}:{self.anchor.isoformat()}:{lead}",
            kind=Kind.LEAD_ALERT,
            team_id=self.programme.team_id,
            channel_id=lead,
            params={
                "pair_id": self.pair_id,
                "mentor": self.mentor_name,
                "mentee": self.mentee_name,
                "days": self.days,
                "held": held,
                "planned": planned,
                "programme": self.programme.name,
            },
            quiet=self._quiet(lead, tz, budget=False),
            pair_id=self.pair_id,
        )


async def _alerts(
    session: AsyncSession,
    alerts: list[tuple[_Rung, int]],
    lead_zones: dict[str, str | None],
    now: datetime,
) -> list[Message]:
    pair_ids = [rung.pair_id for rung, _ in alerts]
    held = dict(
        (
            await session.execute(
                select(SessionLog.pair_id, func.count())
                .where(SessionLog.pair_id.in_(pair_ids))
                .group_by(SessionLog.pair_id)
            )
        ).all()
    )
    leads = await leads_by_programme(session, {rung.programme.id for rung, _ in alerts})
    return [
        rung.alert(lead, lead_zones.get(lead), held.get(rung.pair_id, 0), planned)
        for rung, planned in alerts
        for lead in leads.get(rung.programme.id, ())
    ]


async def leads_by_programme(
    session: AsyncSession, programme_ids: set[int]
) -> dict[int, list[str]]:
    """The leads who get alerts: the programme's leads, not its neutral supporter."""
    leads: dict[int, list[str]] = defaultdict(list)
    rows = await session.execute(
        select(ProgrammeLead.programme_id, ProgrammeLead.user_id)
        .where(ProgrammeLead.programme_id.in_(programme_ids), ProgrammeLead.is_supporter.is_(False))
        .order_by(ProgrammeLead.added_at)
    )
    for programme_id, user_id in rows:
        leads[programme_id].append(user_id)
    return leads


async def running_leads(session: AsyncSession) -> set[tuple[str, str]]:
    """(team, user) of the leads of running programmes, whose time zones alerts need."""
    rows = await session.execute(
        select(Programme.team_id, ProgrammeLead.user_id)
        .join(Programme, Programme.id == ProgrammeLead.programme_id)
        .where(Programme.status.in_(STILL_NUDGED))
    )
    return {(team_id, user_id) for team_id, user_id in rows}


# --- What a lead can do with an alert ------------------------------------------------------


async def _lead_pair(
    session: AsyncSession, *, team_id: str, pair_id: int, now: datetime
) -> tuple[Pair, PairFacts]:
    await lock_pair(session, pair_id=pair_id, now=now)
    found = await load_pair(session, team_id=team_id, pair_id=pair_id)
    if found is None:
        raise PairError("That pair no longer exists.")
    pair, info = found
    if pair.status != PairStatus.CONFIRMED:
        raise PairError(state_words(info))
    # Pairs are still nudged during the review, so a pause still means something there.
    await refuse_once_ended(session, info, allowed=STILL_NUDGED)
    return pair, info


async def pause(session: AsyncSession, *, team_id: str, pair_id: int, now: datetime) -> PairFacts:
    """No nudges, alerts or surveys for the pair until a lead resumes it."""
    pair, info = await _lead_pair(session, team_id=team_id, pair_id=pair_id, now=now)
    if pair.paused_at is not None:
        raise PairError("This pair is already paused.")
    pair.paused_at = now
    pair.momentum_due_at = None
    await outbox.cancel(session, now=now, pair_id=pair.id)
    return info


async def resume(session: AsyncSession, *, team_id: str, pair_id: int, now: datetime) -> PairFacts:
    pair, info = await _lead_pair(session, team_id=team_id, pair_id=pair_id, now=now)
    if pair.paused_at is None:
        raise PairError("This pair is not paused.")
    pair.paused_at = None
    restart(pair, on=now.date(), now=now)
    return info


# --- A pause one of the pair asks for ----------------------------------------------------

MAX_PAUSE_WEEKS = 4


async def pause_for(
    session: AsyncSession,
    *,
    team_id: str,
    pair_id: int,
    user_id: str,
    weeks: int,
    now: datetime,
) -> tuple[PairFacts, date]:
    """One of the pair pauses it for a while: no nudges, alerts or surveys until the day it
    ends, when it resumes by itself."""
    if not 1 <= weeks <= MAX_PAUSE_WEEKS:
        raise PairError(f"A pause lasts one to {MAX_PAUSE_WEEKS} weeks.")
    pair, info = await pair_for_member(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    if pair.status != PairStatus.CONFIRMED:
        raise PairError(state_words(info))
    if pair.paused_at is not None:
        ends = f" until {pair.paused_until:%a %d %b}" if pair.paused_until else ""
        raise PairError(f"Your pair is already paused{ends}.")
    until = now.date() + timedelta(weeks=weeks)
    pair.paused_at = now
    pair.paused_until = until
    pair.momentum_due_at = None
    await outbox.cancel(session, now=now, pair_id=pair.id)
    return info, until


async def end_pauses(session: AsyncSession, *, now: datetime) -> sweeping.Outcome[int]:
    """Pairs whose asked-for pause is over resume (the ladder starts again from today) and
    both are told, once; each pair in its own savepoint, returning what each queued."""
    await outbox.begin_claim(session)
    query = (
        select(Pair.id, Programme.team_id)
        .join(Programme, Programme.id == Pair.programme_id)
        .where(
            Pair.paused_until <= now.date(),
            Pair.paused_at.is_not(None),
            Pair.status == PairStatus.CONFIRMED,
        )
    )
    due = await sweeping.claimed(session, query, sweep=Sweep.PAUSE_END, item_id=Pair.id, now=now)

    async def end_pause(row: Row[int, str]) -> int:
        pair_id, team_id = row
        found = await load_pair(session, team_id=team_id, pair_id=pair_id)
        if found is None:
            return 0
        pair, info = found
        until = pair.paused_until
        pair.paused_at = None
        pair.paused_until = None
        restart(pair, on=now.date(), now=now)
        if until is None:
            return 0
        messages = [
            Message(
                key=f"pause-over:{pair.id}:{until.isoformat()}:{member.user_id}",
                kind=Kind.PAUSE_OVER,
                team_id=team_id,
                channel_id=member.user_id,
                params={
                    "partner": info.other(member.user_id).name,
                    "programme": info.programme_name,
                    "pair_id": pair.id,
                },
                pair_id=pair.id,
                participant_id=member.participant_id,
            )
            for member in info.members
        ]
        return await outbox.enqueue(session, messages, now=now)

    return await sweeping.each(
        session, items=due, step=end_pause, sweep=Sweep.PAUSE_END, key=lambda r: r[0], now=now
    )
