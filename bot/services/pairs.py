"""Pairs once a lead approves them: who is in them, who may act on them, and how one ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.models import (
    ChemistryMeeting,
    ConstraintKind,
    MeetingStatus,
    Pair,
    PairConstraint,
    PairEnd,
    PairStatus,
    Participant,
    Programme,
    ProgrammeStatus,
    Role,
    ScheduledKind,
    ScheduledMessage,
)
from bot.services import calendar, outbox
from bot.services.calendar import CalendarEntry
from bot.services.errors import Refused
from bot.services.leads import lead_ids
from bot.services.programmes import find_programmes

LIVE = (PairStatus.PROPOSED, PairStatus.INTRODUCED, PairStatus.CONFIRMED)
APPROVED = (PairStatus.INTRODUCED, PairStatus.CONFIRMED)

# A programme has pairs from matching on. From its end date (reviewing, then closed) a lead
# still sees them, as they stood, but no longer ends them: nobody is matched again by then.
WITH_PAIRS = (
    ProgrammeStatus.MATCHING,
    ProgrammeStatus.RUNNING,
    ProgrammeStatus.REVIEWING,
    ProgrammeStatus.CLOSED,
)
CHANGEABLE = (ProgrammeStatus.MATCHING, ProgrammeStatus.RUNNING)


class PairError(Refused):
    """Why nothing changed, worded for the person who acted."""


@dataclass(frozen=True)
class Member:
    participant_id: int
    user_id: str
    name: str
    role: Role
    tz: str | None
    department: str
    topics: tuple[str, ...]
    goals: str


@dataclass(frozen=True)
class PairFacts:
    id: int
    programme_id: int
    programme_name: str
    status: PairStatus
    mentor: Member
    mentee: Member
    score: float
    explanation: str
    conversation_id: str | None
    intro_ts: str | None
    ended_by: PairEnd | None

    @property
    def members(self) -> tuple[Member, Member]:
        return self.mentor, self.mentee

    def member(self, user_id: str) -> Member | None:
        return next((m for m in self.members if m.user_id == user_id), None)

    def other(self, user_id: str) -> Member:
        return self.mentee if self.mentor.user_id == user_id else self.mentor


@dataclass(frozen=True)
class Ending:
    """What the caller tells Slack after a pair ends: who to tell, what to withdraw."""

    pair: PairFacts
    cancelled: tuple[tuple[str, str], ...]  # (channel, scheduled message id) to delete
    lead_ids: tuple[str, ...]
    calendar: tuple[CalendarEntry, ...] = ()  # meetings still ahead, now cancelled


def member_of(participant: Participant) -> Member:
    return Member(
        participant_id=participant.id,
        user_id=participant.user_id,
        name=participant.display_name or participant.user_id,
        role=participant.role,
        tz=participant.tz,
        department=participant.department,
        topics=tuple(participant.topics),
        goals=participant.goals,
    )


def facts(pair: Pair, programme_name: str) -> PairFacts:
    return PairFacts(
        id=pair.id,
        programme_id=pair.programme_id,
        programme_name=programme_name,
        status=pair.status,
        mentor=member_of(pair.mentor),
        mentee=member_of(pair.mentee),
        score=pair.score,
        explanation=pair.explanation,
        conversation_id=pair.conversation_id,
        intro_ts=pair.intro_ts,
        ended_by=pair.ended_by,
    )


def with_people() -> tuple:
    """Load both people with the pair, in the same query."""
    return (joinedload(Pair.mentor), joinedload(Pair.mentee))


def named_pairs() -> Select[Pair, str]:
    """Pairs with their programme's name, both people loaded in the same query: what `facts`
    needs."""
    return (
        select(Pair, Programme.name)
        .join(Programme, Programme.id == Pair.programme_id)
        .options(*with_people())
    )


async def lock_pair(session: AsyncSession, *, pair_id: int, now: datetime) -> None:
    """Take the pair's row lock before reading it, so two people acting at once are served
    one after the other (a write first: PostgreSQL's row lock, SQLite's write lock)."""
    await session.execute(update(Pair).where(Pair.id == pair_id).values(updated_at=now))


async def load_pair(
    session: AsyncSession, *, team_id: str, pair_id: int
) -> tuple[Pair, PairFacts] | None:
    row = (
        await session.execute(named_pairs().where(Pair.id == pair_id, Programme.team_id == team_id))
    ).first()
    if row is None:
        return None
    pair, name = row
    return pair, facts(pair, name)


async def pair_for_member(
    session: AsyncSession, *, team_id: str, pair_id: int, user_id: str, now: datetime
) -> tuple[Pair, PairFacts]:
    """The pair, locked, if `user_id` is in it; otherwise a refusal that changes nothing."""
    await lock_pair(session, pair_id=pair_id, now=now)
    found = await load_pair(session, team_id=team_id, pair_id=pair_id)
    if found is None or found[1].member(user_id) is None:
        raise PairError("This button belongs to someone else's conversation, so it did nothing.")
    return found


async def confirmed_pair_for_member(
    session: AsyncSession,
    *,
    team_id: str,
    pair_id: int,
    user_id: str,
    now: datetime,
    too_early: str,
) -> tuple[Pair, PairFacts]:
    """The pair, locked, if `user_id` is in it and it is confirmed; `too_early` tells a pair
    still before its chemistry verdict why the step must wait."""
    pair, info = await pair_for_member(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    if info.status != PairStatus.CONFIRMED:
        raise PairError(too_early if info.status == PairStatus.INTRODUCED else state_words(info))
    return pair, info


def state_words(pair: PairFacts) -> str:
    """The pair's current state, for a stale button."""
    if pair.status == PairStatus.CONFIRMED:
        return "This pair is already confirmed."
    if pair.status == PairStatus.DISSOLVED:
        return "This pairing has ended, so there is nothing more to do here."
    if pair.status == PairStatus.PROPOSED:
        return "This pair has not been introduced yet."
    return "This pair is waiting for the chemistry meeting."


async def end_pair(
    session: AsyncSession,
    pair: Pair,
    info: PairFacts,
    *,
    by: PairEnd,
    now: datetime,
    lead_id: str | None = None,
) -> Ending:
    """Dissolve a live pair: both go back to the pool and the engine never pairs them again.

    A pair still in a preview is simply removed. Chemistry proposals close and messages Slack
    holds for later are marked for deletion, so nothing about this pair arrives afterwards.
    """
    if pair.status == PairStatus.PROPOSED:
        await session.delete(pair)
        return Ending(info, (), ())
    pair.status = PairStatus.DISSOLVED
    pair.ended_at = now
    pair.ended_by = by
    pair.updated_at = now
    pair.momentum_due_at = None
    await outbox.cancel(session, now=now, pair_id=pair.id)  # nothing more about this pair
    kind = {
        PairEnd.NOT_FOR_ME: ConstraintKind.VETO,
        PairEnd.LEAD: ConstraintKind.FORBID,
        PairEnd.WITHDRAWAL: ConstraintKind.PREVIOUS,
        PairEnd.NO_FAULT: ConstraintKind.PREVIOUS,
    }[by]
    exists = await session.scalar(
        select(PairConstraint.id).where(
            PairConstraint.programme_id == pair.programme_id,
            PairConstraint.mentor_id == pair.mentor_id,
            PairConstraint.mentee_id == pair.mentee_id,
            PairConstraint.kind == kind,
        )
    )
    if exists is None:
        session.add(
            PairConstraint(
                programme_id=pair.programme_id,
                mentor_id=pair.mentor_id,
                mentee_id=pair.mentee_id,
                kind=kind,
                created_by=lead_id,
                created_at=now,
            )
        )
    meetings = list(
        await session.scalars(select(ChemistryMeeting).where(ChemistryMeeting.pair_id == pair.id))
    )
    for meeting in meetings:
        if meeting.status in (MeetingStatus.OPEN, MeetingStatus.ACCEPTED):
            meeting.status = MeetingStatus.CANCELLED
            meeting.decided_at = now
    cancelled = await cancel_scheduled(
        session, meeting_ids=[m.id for m in meetings], now=now, pair_id=pair.id
    )
    ended = facts(pair, info.programme_name)
    told = await lead_ids(session, programme_id=pair.programme_id, with_supporter=True)
    called_off = await calendar.cancel_ahead(session, pair=ended, now=now)
    return Ending(ended, cancelled, told, called_off)


async def programme_status(session: AsyncSession, *, programme_id: int) -> ProgrammeStatus:
    status = await session.scalar(select(Programme.status).where(Programme.id == programme_id))
    assert status is not None  # a pair's programme goes only with its pairs
    return status


async def refuse_once_ended(
    session: AsyncSession, info: PairFacts, *, allowed: tuple[ProgrammeStatus, ...]
) -> None:
    """A lead's step on a pair (from a list or an alert that may be old) is refused once the
    pair's programme has moved past `allowed`; nothing changes."""
    status = await programme_status(session, programme_id=info.programme_id)
    if status in allowed:
        return
    if status == ProgrammeStatus.CLOSED:
        raise PairError(f"“{info.programme_name}” is closed, so its pairs stay as they are.")
    raise PairError(
        f"“{info.programme_name}” has reached its end date, so its pairs stay as they are."
    )


async def end_by_lead(
    session: AsyncSession, *, team_id: str, pair_id: int, lead_id: str, now: datetime
) -> Ending:
    await lock_pair(session, pair_id=pair_id, now=now)
    found = await load_pair(session, team_id=team_id, pair_id=pair_id)
    if found is None:
        raise PairError("That pair no longer exists.")
    pair, info = found
    if info.status not in APPROVED:
        raise PairError(state_words(info))
    await refuse_once_ended(session, info, allowed=CHANGEABLE)
    return await end_pair(session, pair, info, by=PairEnd.LEAD, now=now, lead_id=lead_id)


async def cancel_scheduled(
    session: AsyncSession, *, meeting_ids: list[int], now: datetime, pair_id: int | None = None
) -> tuple[tuple[str, str], ...]:
    """Mark scheduled messages cancelled (of these meetings, and of the pair itself if given);
    returns those Slack still holds, to withdraw."""
    if not meeting_ids and pair_id is None:
        return ()
    pending = list(
        await session.scalars(
            select(ScheduledMessage).where(
                or_(
                    ScheduledMessage.meeting_id.in_(meeting_ids),
                    ScheduledMessage.pair_id == pair_id,
                ),
                ScheduledMessage.cancelled_at.is_(None),
            )
        )
    )
    for message in pending:
        message.cancelled_at = now
    # Those already posted cannot be withdrawn; their buttons answer with the pair's state.
    return tuple((m.channel_id, m.slack_id) for m in pending if m.slack_id and m.post_at > now)


async def live_pairs_of(
    session: AsyncSession, *, programme_id: int, participant_id: int
) -> list[tuple[Pair, PairFacts]]:
    rows = await session.execute(
        named_pairs()
        .where(
            Pair.programme_id == programme_id,
            Pair.status.in_(LIVE),
            (Pair.mentor_id == participant_id) | (Pair.mentee_id == participant_id),
        )
        .order_by(Pair.id)
    )
    return [(pair, facts(pair, name)) for pair, name in rows]


async def listable_programmes(
    session: AsyncSession, *, team_id: str, lead_id: str, name: str | None = None
) -> list[Programme]:
    """The lead's programmes whose pairs `/mentoring-admin pairs` lists: the one named, else
    those not closed yet, else the closed ones (a lead's new cohort comes before the old)."""
    found = await find_programmes(
        session, team_id=team_id, statuses=WITH_PAIRS, name=name, lead_id=lead_id
    )
    if name:
        return found
    return [p for p in found if p.status != ProgrammeStatus.CLOSED] or found


async def programme_pairs(
    session: AsyncSession, *, programme_id: int, statuses: tuple[PairStatus, ...] = APPROVED
) -> list[PairFacts]:
    rows = await session.execute(
        named_pairs()
        .where(Pair.programme_id == programme_id, Pair.status.in_(statuses))
        .order_by(Pair.status, Pair.id)
    )
    return [facts(pair, name) for pair, name in rows]


async def mark_introduced(
    session: AsyncSession, *, pair_id: int, conversation_id: str, intro_ts: str
) -> None:
    await session.execute(
        update(Pair)
        .where(Pair.id == pair_id)
        .values(conversation_id=conversation_id, intro_ts=intro_ts)
    )


@dataclass(frozen=True)
class Planned:
    """A message to hand to Slack's scheduler, recorded first so it is never scheduled twice."""

    row_id: int
    kind: ScheduledKind
    channel: str  # a conversation id, or a user id for their DM with the app
    post_at: datetime

    @classmethod
    def of(cls, row: ScheduledMessage) -> Planned:
        return cls(row.id, row.kind, row.channel_id, row.post_at)


async def record_scheduled(
    session: AsyncSession, *, row_id: int, channel_id: str, slack_id: str
) -> bool:
    """Keep Slack's id for a scheduled message; False if it was cancelled meanwhile, in which
    case the caller withdraws it from Slack."""
    row = await session.get(ScheduledMessage, row_id)
    if row is None or row.cancelled_at is not None:
        return False
    row.slack_id = slack_id
    row.channel_id = channel_id
    return True


async def ask_for_rematch(
    session: AsyncSession, *, team_id: str, pair_id: int, user_id: str, now: datetime
) -> tuple[Ending, Member]:
    """One of the pair asks for a new partner: the pair ends with no fault on either side, both
    go back to the pool, and the two are not matched again."""
    pair, info = await pair_for_member(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    if pair.status not in APPROVED:
        raise PairError(state_words(info))
    asker = info.member(user_id)
    assert asker is not None
    return await end_pair(session, pair, info, by=PairEnd.NO_FAULT, now=now), asker
