"""Nudges for steps left waiting before a pair is active: a chemistry meeting nobody has
proposed, times nobody has answered, a "go / not for me" not given, an agreement not
proposed or not confirmed. Each is sent once (its key) and stops when the pair ends."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Agreement,
    AgreementStatus,
    ChemistryDecision,
    ChemistryMeeting,
    MeetingStatus,
    Pair,
    PairStatus,
    Participant,
    Programme,
    Sweep,
)
from bot.services import outbox, sweeping
from bot.services.outbox import Kind, Message, Quiet
from bot.services.pairs import with_people
from bot.services.workspaces import installed

# Someone asked to answer (times, a decision, an agreement) hears again after this long.
ANSWER_AFTER = timedelta(days=2)
NUDGE_LIFETIME = timedelta(days=7)


def _message(
    kind: Kind, key: str, pair: Pair, programme: Programme, to: Participant, now: datetime
) -> Message:
    partner = _other(pair, to.id)
    return Message(
        key=key,
        kind=kind,
        team_id=programme.team_id,
        channel_id=to.user_id,
        params={"pair_id": pair.id, "partner": partner.display_name, "programme": programme.name},
        quiet=Quiet.of(programme, to.user_id, to.tz),
        pair_id=pair.id,
        participant_id=to.id,
        expires_at=now + NUDGE_LIFETIME,
    )


async def _pairs(session: AsyncSession, *where: Any, now: datetime) -> list[tuple[Pair, Programme]]:
    rows = await session.execute(
        select(Pair, Programme)
        .join(Programme, Programme.id == Pair.programme_id)
        .where(
            installed(Programme.team_id), sweeping.ready(Sweep.REMINDERS, Pair.id, now=now), *where
        )
        .options(*with_people())
        .order_by(Pair.id)
    )
    return [(pair, programme) for pair, programme in rows]


def _grace(programme: Programme) -> timedelta:
    return timedelta(days=max(1, programme.nudge_grace_days))


def _other(pair: Pair, participant_id: int) -> Participant:
    """The one of the pair who is not this participant."""
    return pair.mentee if participant_id == pair.mentor_id else pair.mentor


def _both(pair: Pair) -> Iterable[Participant]:
    return (pair.mentor, pair.mentee)


# The messages for one due pair, worded once the pair's people are loaded.
_Nudges = Callable[[Pair, Programme], list[Message]]


@dataclass(frozen=True)
class _Due:
    """A pair with a step left waiting, and how to word its nudges."""

    pair: Pair
    programme: Programme
    nudges: _Nudges


async def sweep(session: AsyncSession, *, now: datetime) -> sweeping.Queued:
    """Nudge each pair with a step left waiting; the pairs are queued in bulk, and one by one
    only when that fails, so one pair's failure holds up no other."""
    due = [
        # Introduced, and nobody has proposed times for the chemistry meeting.
        *await _not_started(
            session,
            Pair.status == PairStatus.INTRODUCED,
            ~exists().where(ChemistryMeeting.pair_id == Pair.id),
            since=lambda pair: pair.introduced_at,
            nudges=_to_both(Kind.CHEMISTRY_REQUEST, "chem-request", now),
            now=now,
        ),
        *await _chemistry_not_answered(session, now=now),
        # Confirmed, and no agreement proposed.
        *await _not_started(
            session,
            Pair.status == PairStatus.CONFIRMED,
            Pair.paused_at.is_(None),
            Pair.agreed_at.is_(None),
            ~exists().where(Agreement.pair_id == Pair.id),
            since=lambda pair: pair.confirmed_at,
            nudges=_to_both(Kind.AGREEMENT_NONE, "agreement-none", now),
            now=now,
        ),
        *await _agreement_not_confirmed(session, now=now),
    ]

    async def queue(batch: Sequence[_Due]) -> int:
        messages = [m for d in batch for m in d.nudges(d.pair, d.programme)]
        return await outbox.enqueue(session, messages, now=now)

    done = await sweeping.together(
        session, items=due, step=queue, sweep=Sweep.REMINDERS, key=lambda d: d.pair.id, now=now
    )
    return sweeping.Queued.of(done)


def _to_both(kind: Kind, prefix: str, now: datetime) -> _Nudges:
    def nudges(pair: Pair, programme: Programme) -> list[Message]:
        return [
            _message(kind, f"{prefix}:{pair.id}:{p.id}", pair, programme, p, now)
            for p in _both(pair)
        ]

    return nudges


def _to_the_other(
    kind: Kind, prefix: str, proposals: Mapping[int, ChemistryMeeting | Agreement], now: datetime
) -> _Nudges:
    """Nudge the one of the pair who did not make the pair's waiting proposal."""

    def nudges(pair: Pair, programme: Programme) -> list[Message]:
        proposal = proposals[pair.id]
        to = _other(pair, proposal.proposed_by)
        return [_message(kind, f"{prefix}:{proposal.id}", pair, programme, to, now)]

    return nudges


async def _not_started(
    session: AsyncSession,
    *where: Any,
    since: Callable[[Pair], datetime | None],
    nudges: _Nudges,
    now: datetime,
) -> list[_Due]:
    """The pairs `where` finds whose step has waited longer than the programme's grace
    `since` the moment it became due."""
    return [
        _Due(pair, programme, nudges)
        for pair, programme in await _pairs(session, *where, now=now)
        if (due_since := since(pair)) and due_since + _grace(programme) <= now
    ]


async def _chemistry_not_answered(session: AsyncSession, *, now: datetime) -> list[_Due]:
    """Times proposed and not answered; or met, and someone has not said go or not for me."""
    meetings = await session.scalars(
        select(ChemistryMeeting)
        .join(Pair, Pair.id == ChemistryMeeting.pair_id)
        .where(
            Pair.status == PairStatus.INTRODUCED,
            ChemistryMeeting.status.in_((MeetingStatus.OPEN, MeetingStatus.ACCEPTED)),
        )
    )
    open_, met = {}, {}
    for meeting in meetings:
        if meeting.status == MeetingStatus.OPEN and meeting.created_at + ANSWER_AFTER <= now:
            open_[meeting.pair_id] = meeting
        elif meeting.starts_at and meeting.starts_at + ANSWER_AFTER <= now:
            met[meeting.pair_id] = meeting
    if not (open_ or met):
        return []
    decided = {
        (d.pair_id, d.participant_id)
        for d in await session.scalars(
            select(ChemistryDecision).where(ChemistryDecision.pair_id.in_(list(met)))
        )
    }

    answer = _to_the_other(Kind.CHEMISTRY_ANSWER, "chem-answer", open_, now)

    def decide(pair: Pair, programme: Programme) -> list[Message]:
        return [
            _message(Kind.DECISION, f"decision:{pair.id}:{p.id}", pair, programme, p, now)
            for p in _both(pair)
            if (pair.id, p.id) not in decided
        ]

    return [
        _Due(pair, programme, answer if pair.id in open_ else decide)
        for pair, programme in await _pairs(session, Pair.id.in_([*open_, *met]), now=now)
    ]


async def _agreement_not_confirmed(session: AsyncSession, *, now: datetime) -> list[_Due]:
    """A proposed version of the agreement waits for the other person."""
    waiting = {
        a.pair_id: a
        for a in await session.scalars(
            select(Agreement)
            .join(Pair, Pair.id == Agreement.pair_id)
            .where(
                Pair.status == PairStatus.CONFIRMED,
                Pair.paused_at.is_(None),
                Agreement.status == AgreementStatus.PROPOSED,
                Agreement.created_at <= now - ANSWER_AFTER,
            )
            .order_by(Agreement.pair_id)  # reminders queue in pair order, run after run
        )
    }
    if not waiting:
        return []

    sign = _to_the_other(Kind.AGREEMENT_UNSIGNED, "agreement", waiting, now)
    return [
        _Due(pair, programme, sign)
        for pair, programme in await _pairs(session, Pair.id.in_(list(waiting)), now=now)
    ]
