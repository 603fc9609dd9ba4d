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

from sqlalchemy import (
    ColumnElement,
    Date,
    Insert,
    Integer,
    Row,
    Select,
    String,
    Update,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeEngine

from bot.bulk import Rows
from bot.db import UTCDateTime, rowcount
from bot.models import (
    Agreement,
    AgreementStatus,
    Outbox,
    OutboxStatus,
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

# What the sweep sends of each pair whose ladder reached rung 1 or 2, in this order; the
# database makes the messages from it (_nudge_insert).
_NUDGES: dict[str, TypeEngine[Any]] = {
    "pair_id": Integer(),
    "rung": Integer(),
    "key": String(),  # the message's key but for the id of the person it goes to
    "days": Integer(),  # since the anchor
}


@dataclass(frozen=True)
class SweepResult:
    pairs: int
    queued: int
    failed: int = 0

    def __add__(self, other: SweepResult) -> SweepResult:
        return SweepResult(
            self.pairs + other.pairs, self.queued + other.queued, self.failed + other.failed
        )


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
    return (
        select(
            Pair.id,
            Pair.programme_id,
            Pair.momentum_anchor_on,
            Pair.ladder_step,
            Pair.next_session_at,
            Agreement.cadence_days,
            Agreement.sessions_planned,
        )
        .join(claimed, claimed.c.id == Pair.id)
        .join(Agreement, confirmed)
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
    grace = dict(
        (
            await session.execute(
                select(Programme.id, Programme.nudge_grace_days).where(
                    Programme.id.in_({r[1] for r in rows})
                )
            )
        ).all()
    )
    first_anchors = await _first_anchors(session, [r[0] for r in rows if r[2] is None])
    updates, nudges, alerts = [], [], []
    for pair_id, programme_id, anchor, step, booked, cadence, planned in rows:
        anchor = anchor or first_anchors[pair_id]
        verdict = assess(
            anchor=anchor,
            cadence=cadence,
            grace=grace[programme_id],
            step=step,
            booked=booked,
            now=now,
        )
        updates.append((pair_id, verdict.step, verdict.due_at, anchor))
        if verdict.send is None:
            continue
        days = (now.date() - anchor).days
        if verdict.send == RUNGS:
            alerts.append(_Alert(pair_id, programme_id, anchor, days, planned))
        else:
            key = f"nudge:{pair_id}:{anchor.isoformat()}:{verdict.send}:"
            nudges.append((pair_id, verdict.send, key, days))
    steps, statement = _step_update(session.get_bind().dialect)
    await session.execute(statement, steps.params(updates))
    queued = await _queue_nudges(session, nudges, now=now)
    if alerts:
        messages = await _alerts(session, alerts, lead_zones)
        queued += await outbox.enqueue(session, messages, now=now)
    return queued


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


async def _queue_nudges(
    session: AsyncSession, nudges: Sequence[tuple[int, int, str, int]], *, now: datetime
) -> int:
    """Queue rung 1 to each of the pair and rung 2 to the mentee alone, from rows of
    _NUDGES; returns how many were new."""
    if not nudges:
        return 0
    source, statement = _nudge_insert(session.get_bind().dialect)
    params = source.params(nudges)
    params.update(now=now, expires=now + NUDGE_LIFETIME)
    return rowcount(await session.execute(statement, params)) or 0


@lru_cache(maxsize=8)
def _nudge_insert(dialect: Dialect) -> tuple[Rows, Insert]:
    """One INSERT ... SELECT that makes each nudge from its pair, the person it goes to, the
    partner it names and their programme, in the database: a sweep queues tens of thousands,
    and building and sending each message's every field costs more than the database's
    work. Keys already queued are left alone; messages go in pair order, mentor first."""
    due = Rows(dialect, "nudges", _NUDGES)
    pair, programme = Pair.__table__, Programme.__table__
    mentor, mentee = Participant.__table__.alias("mentor"), Participant.__table__.alias("mentee")
    # Each pair twice, once for each side; the mentor's side only on rung 1. Both people are
    # looked up once per pair, and each row picks the person it goes to and the partner it
    # names from them: a lookup per row and side would be twice the index work.
    side = union_all(
        select(literal(1, Integer()).label("mentor")), select(literal(0, Integer()).label("mentor"))
    ).subquery("side")
    to_mentor = side.c.mentor == 1

    def person(column: str) -> ColumnElement[Any]:
        return case((to_mentor, mentor.c[column]), else_=mentee.c[column])

    def partner(column: str) -> ColumnElement[Any]:
        return case((to_mentor, mentee.c[column]), else_=mentor.c[column])

    now = bindparam("now", type_=UTCDateTime())
    json_object = func.json_build_object if dialect.name == "postgresql" else func.json_object
    made = (
        select(
            due.c["key"] + cast(person("id"), String()),
            case((due.c["rung"] == 1, Kind.NUDGE_PAIR.value), else_=Kind.NUDGE_MENTEE.value),
            programme.c.team_id,
            person("user_id"),
            json_object(
                literal_column("'pair_id'"),
                due.c["pair_id"],
                literal_column("'partner'"),
                partner("display_name"),
                literal_column("'days'"),
                due.c["days"],
                literal_column("'programme'"),
                programme.c.name,
            ),
            person("user_id"),
            person("tz"),
            programme.c.quiet_hours_start,
            programme.c.quiet_hours_end,
            programme.c.weekly_message_budget,
            due.c["pair_id"],
            person("id"),
            bindparam("expires", type_=UTCDateTime()),
            literal(OutboxStatus.PENDING.value, String()),
            now,
            literal(0, Integer()),
            now,
        )
        .select_from(due.source)
        .join(pair, pair.c.id == due.c["pair_id"])
        .join(programme, programme.c.id == pair.c.programme_id)
        .join(mentor, mentor.c.id == pair.c.mentor_id)
        .join(mentee, mentee.c.id == pair.c.mentee_id)
        .join(side, true())
        .where(or_(due.c["rung"] == 1, ~to_mentor))
        .order_by(due.c["pair_id"], side.c.mentor.desc())
    )
    statement = (
        outbox.insert_for(dialect)(Outbox.__table__)
        .from_select(_NUDGE_COLUMNS, made)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return due, statement


# The outbox columns _nudge_insert's SELECT fills, in its order.
_NUDGE_COLUMNS = (
    "key",
    "kind",
    "team_id",
    "channel_id",
    "params",
    "recipient_id",
    "recipient_tz",
    "quiet_start",
    "quiet_end",
    "weekly_budget",
    "pair_id",
    "participant_id",
    "expires_at",
    "status",
    "due_at",
    "attempts",
    "created_at",
)


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
class _Alert:
    """A pair whose ladder reached its last rung: its programme's leads are told."""

    pair_id: int
    programme_id: int
    anchor: date
    days: int
    planned: int


async def _alerts(
    session: AsyncSession, alerts: list[_Alert], lead_zones: dict[str, str | None]
) -> list[Message]:
    pair_ids = [a.pair_id for a in alerts]
    mentor, mentee = aliased(Participant), aliased(Participant)
    pairs = {
        row[0]: row
        for row in await session.execute(
            select(
                Pair.id,
                mentor.display_name,
                mentee.display_name,
                Programme.team_id,
                Programme.name,
                Programme.quiet_hours_start,
                Programme.quiet_hours_end,
            )
            .join(mentor, mentor.id == Pair.mentor_id)
            .join(mentee, mentee.id == Pair.mentee_id)
            .join(Programme, Programme.id == Pair.programme_id)
            .where(Pair.id.in_(pair_ids))
        )
    }
    held = dict(
        (
            await session.execute(
                select(SessionLog.pair_id, func.count())
                .where(SessionLog.pair_id.in_(pair_ids))
                .group_by(SessionLog.pair_id)
            )
        ).all()
    )
    leads = await leads_by_programme(session, {a.programme_id for a in alerts})
    messages: list[Message] = []
    for a in alerts:
        _, mentor_name, mentee_name, team_id, programme, quiet_start, quiet_end = pairs[a.pair_id]
        messages.extend(
            Message(
                key=f"alert:{a.pair_id}:{a.anchor.isoformat()}:{lead}",
                kind=Kind.LEAD_ALERT,
                team_id=team_id,
                channel_id=lead,
                params={
                    "pair_id": a.pair_id,
                    "mentor": mentor_name,
                    "mentee": mentee_name,
                    "days": a.days,
                    "held": held.get(a.pair_id, 0),
                    "planned": a.planned,
                    "programme": programme,
                },
                # A lead's alerts keep to quiet hours, not to the weekly budget.
                quiet=Quiet(lead, lead_zones.get(lead), quiet_start, quiet_end, None),
                pair_id=a.pair_id,
            )
            for lead in leads.get(a.programme_id, ())
        )
    return messages


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
