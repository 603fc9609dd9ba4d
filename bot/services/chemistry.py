"""The chemistry meeting: proposed times, the one accepted, reminders, and the private answers."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    CalendarKind,
    ChemistryDecision,
    ChemistryMeeting,
    Decision,
    MeetingStatus,
    Pair,
    PairEnd,
    PairStatus,
    ScheduledKind,
    ScheduledMessage,
)
from bot.services import calendar
from bot.services.calendar import CalendarEntry
from bot.services.pairs import (
    Ending,
    Member,
    PairError,
    PairFacts,
    Planned,
    cancel_scheduled,
    end_pair,
    facts,
    pair_for_member,
    state_words,
)
from bot.services.programme_rules import FormErrors
from bot.services.readiness import check_ready

MAX_OPTIONS = 3
MIN_NOTICE = timedelta(minutes=30)
MAX_AHEAD = timedelta(days=60)
MEETING_LENGTH = timedelta(minutes=30)
MEETING_MINUTES = 30
MAX_NOTE = 500

T_co = TypeVar("T_co", covariant=True)


class MeetingAgreed(PairError):
    """The meeting already has a time; the view words it in the reader's time zone."""

    def __init__(self, starts_at: datetime) -> None:
        super().__init__("The chemistry meeting already has a time.")
        self.starts_at = starts_at


@dataclass(frozen=True)
class Proposal:
    meeting_id: int
    pair: PairFacts
    proposer: Member
    options: tuple[datetime, ...]
    note: str
    replaced_ts: tuple[str, ...]  # earlier proposal messages to mark as replaced
    cancelled: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TimesForm:
    """What the form for proposing times needs: the pair, and times that suit them both."""

    pair: PairFacts
    suggested: tuple[datetime, ...]


@dataclass(frozen=True)
class Agreement:
    meeting_id: int
    pair: PairFacts
    proposer: Member
    starts_at: datetime
    note: str
    message_ts: str | None
    planned: tuple[Planned, ...]
    calendar: CalendarEntry | None = None  # the meeting, new or moved, for their calendars


@dataclass(frozen=True)
class Outcome:
    """After one person's answer: still waiting for the other, confirmed, or dissolved."""

    pair: PairFacts
    decider: Member
    decision: Decision
    reason: str = ""  # for the leads only
    ending: Ending | None = None

    @property
    def confirmed(self) -> bool:
        return self.pair.status == PairStatus.CONFIRMED


class PairStep(Protocol[T_co]):
    """One person's step on a pair, at a time."""

    def __call__(
        self, session: AsyncSession, *, team_id: str, pair_id: int, user_id: str, now: datetime
    ) -> Awaitable[T_co]: ...


# Locks the pair and refuses (PairError) unless this person may take the step now.
_Guard = PairStep[tuple[Pair, PairFacts, Member]]


def _check(guard: _Guard, doc: str) -> PairStep[PairFacts]:
    """The guard alone, for a button to ask before it opens its form: the pair, or the refusal."""

    async def check(
        session: AsyncSession, *, team_id: str, pair_id: int, user_id: str, now: datetime
    ) -> PairFacts:
        _, info, _ = await guard(
            session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
        )
        return info

    check.__doc__ = doc
    return check


def validate_times(
    values: Mapping[str, Any], *, fields: Sequence[str], note: str | None, now: datetime
) -> tuple[list[datetime], str] | FormErrors:
    """Up to three distinct future times and a note. Each field holds Unix seconds: one from
    a date-time picker, or several ticked among the suggested times."""
    errors = FormErrors()
    chosen: list[datetime] = []
    for name in fields:
        raw = values.get(name)
        for item in raw if isinstance(raw, list) else [raw]:
            if item in (None, ""):
                continue
            try:
                at = datetime.fromtimestamp(int(item), UTC)
            except (TypeError, ValueError, OverflowError):
                errors.add(name, "Pick a date and a time.")
                continue
            if at < now + MIN_NOTICE:
                errors.add(name, "Pick a time at least 30 minutes from now.")
            elif at > now + MAX_AHEAD:
                errors.add(name, "Pick a time within the next 60 days.")
            elif at in chosen:
                errors.add(name, "You picked this time already.")
            else:
                chosen.append(at)
    if not chosen and not errors:
        errors.add(fields[0], "Propose at least one time.")
    elif len(chosen) > MAX_OPTIONS:
        errors.add(fields[0], f"Propose up to {MAX_OPTIONS} times in all.")
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        errors.add("note", f"Keep the note under {MAX_NOTE} characters.")
    return errors if errors else (sorted(chosen), text)


def reminder_at(starts_at: datetime, now: datetime) -> datetime | None:
    """A day before when there is time for it, else an hour before, else none."""
    for lead in (timedelta(days=1), timedelta(hours=1)):
        if starts_at - lead >= now + timedelta(minutes=5):
            return starts_at - lead
    return None


async def _open_meetings(session: AsyncSession, pair_id: int) -> list[ChemistryMeeting]:
    return list(
        await session.scalars(
            select(ChemistryMeeting).where(
                ChemistryMeeting.pair_id == pair_id,
                ChemistryMeeting.status.in_((MeetingStatus.OPEN, MeetingStatus.ACCEPTED)),
            )
        )
    )


async def _awaiting_chemistry(
    session: AsyncSession, *, team_id: str, pair_id: int, user_id: str, now: datetime
) -> tuple[Pair, PairFacts, Member]:
    """The pair, locked, with the person acting, while it waits for its chemistry meeting."""
    pair, info = await pair_for_member(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    if info.status != PairStatus.INTRODUCED:
        raise PairError(state_words(info))
    me = info.member(user_id)
    assert me is not None
    return pair, info, me


async def times_form(
    session: AsyncSession, *, team_id: str, pair_id: int, user_id: str, now: datetime
) -> TimesForm:
    """The pair, if this person may propose times, with times from tomorrow that suit both."""
    _, info, _ = await _awaiting_chemistry(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    suggested = await calendar.free_slots(
        session,
        pair=info,
        minutes=MEETING_MINUTES,
        earliest=now.date() + timedelta(days=1),
        now=now,
    )
    return TimesForm(info, tuple(suggested))


async def propose(
    session: AsyncSession,
    *,
    team_id: str,
    pair_id: int,
    user_id: str,
    options: Sequence[datetime],
    note: str,
    now: datetime,
) -> Proposal:
    """New times for the pair's chemistry meeting; they replace any earlier proposal."""
    _, info, me = await _awaiting_chemistry(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    await check_ready(session, info=info, user_id=user_id)
    older = await _open_meetings(session, pair_id)
    for meeting in older:
        meeting.status = MeetingStatus.SUPERSEDED
        meeting.decided_at = now
    cancelled = await cancel_scheduled(session, meeting_ids=[m.id for m in older], now=now)
    meeting = ChemistryMeeting(
        pair_id=pair_id,
        proposed_by=me.participant_id,
        options=[int(at.timestamp()) for at in options[:MAX_OPTIONS]],
        note=note,
        status=MeetingStatus.OPEN,
        created_at=now,
    )
    session.add(meeting)
    await session.flush()
    return Proposal(
        meeting_id=meeting.id,
        pair=info,
        proposer=me,
        options=tuple(datetime.fromtimestamp(t, UTC) for t in meeting.options),
        note=note,
        replaced_ts=tuple(m.message_ts for m in older if m.message_ts),
        cancelled=cancelled,
    )


async def set_message(session: AsyncSession, *, meeting_id: int, ts: str) -> None:
    await session.execute(
        update(ChemistryMeeting).where(ChemistryMeeting.id == meeting_id).values(message_ts=ts)
    )


async def _meeting_pair_id(session: AsyncSession, meeting_id: int) -> int:
    pair_id = await session.scalar(
        select(ChemistryMeeting.pair_id).where(ChemistryMeeting.id == meeting_id)
    )
    if pair_id is None:
        raise PairError("Those times are no longer on offer.")
    return pair_id


async def accept(
    session: AsyncSession,
    *,
    team_id: str,
    meeting_id: int,
    option: int,
    user_id: str,
    now: datetime,
) -> Agreement:
    """The other person picks one proposed time; reminders and the private question follow."""
    pair_id = await _meeting_pair_id(session, meeting_id)
    _, info, me = await _awaiting_chemistry(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    # Read after the pair's lock: a click a moment ago may have changed it.
    meeting = await session.get(ChemistryMeeting, meeting_id, populate_existing=True)
    assert meeting is not None
    if meeting.status == MeetingStatus.ACCEPTED and meeting.starts_at:
        raise MeetingAgreed(meeting.starts_at)
    if meeting.status != MeetingStatus.OPEN:
        raise PairError("Newer times were proposed since; pick from the newest message.")
    other = info.other(user_id)
    if meeting.proposed_by == me.participant_id:
        raise PairError(f"You proposed these times, so {other.name} picks one.")
    if not 0 <= option < len(meeting.options):
        raise PairError("That time is not one of the proposed ones.")
    starts_at = datetime.fromtimestamp(meeting.options[option], UTC)
    if starts_at <= now:
        raise PairError("That time has passed. Propose new times instead.")
    meeting.status = MeetingStatus.ACCEPTED
    meeting.starts_at = starts_at
    meeting.decided_at = now
    rows = []
    remind = reminder_at(starts_at, now)
    if remind and info.conversation_id:
        rows.append(
            ScheduledMessage(
                meeting_id=meeting.id,
                kind=ScheduledKind.REMINDER,
                channel_id=info.conversation_id,
                post_at=remind,
            )
        )
    for member in info.members:
        rows.append(
            ScheduledMessage(
                meeting_id=meeting.id,
                kind=ScheduledKind.DECISION,
                channel_id=member.user_id,
                post_at=starts_at + MEETING_LENGTH,
            )
        )
    session.add_all(rows)
    await session.flush()
    entry = await calendar.book(
        session,
        pair=info,
        kind=CalendarKind.CHEMISTRY,
        starts_at=starts_at,
        minutes=MEETING_MINUTES,
        now=now,
        where=meeting.note,
    )
    return Agreement(
        meeting_id=meeting.id,
        pair=info,
        proposer=other,
        starts_at=starts_at,
        note=meeting.note,
        message_ts=meeting.message_ts,
        planned=tuple(Planned.of(r) for r in rows),
        calendar=entry,
    )


async def _check_decision(
    session: AsyncSession, *, team_id: str, pair_id: int, user_id: str, now: datetime
) -> tuple[Pair, PairFacts, Member]:
    pair, info, me = await _awaiting_chemistry(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    answered = await session.scalar(
        select(ChemistryDecision.decision).where(
            ChemistryDecision.pair_id == pair_id,
            ChemistryDecision.participant_id == me.participant_id,
        )
    )
    if answered is not None:
        word = "go" if answered == Decision.GO else "not for me"
        raise PairError(f"You already answered “{word}”. Thank you!")
    met = await session.scalar(
        select(ChemistryMeeting.id).where(
            ChemistryMeeting.pair_id == pair_id,
            ChemistryMeeting.status == MeetingStatus.ACCEPTED,
            ChemistryMeeting.starts_at <= now,
        )
    )
    if met is None:
        raise PairError("You can answer once your chemistry meeting has started.")
    return pair, info, me


check_can_decide = _check(_check_decision, "The pair, if this person may still answer for it.")


async def decide(
    session: AsyncSession,
    *,
    team_id: str,
    pair_id: int,
    user_id: str,
    decision: Decision,
    reason: str,
    now: datetime,
) -> Outcome:
    """One person's private answer. Both "go": confirmed. Any "not for me": dissolved."""
    pair, info, me = await _check_decision(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    reason = reason.strip()[:MAX_NOTE]
    session.add(
        ChemistryDecision(
            pair_id=pair_id,
            participant_id=me.participant_id,
            decision=decision,
            reason=reason,
            decided_at=now,
        )
    )
    if decision == Decision.NOT_FOR_ME:
        ending = await end_pair(session, pair, info, by=PairEnd.NOT_FOR_ME, now=now)
        return Outcome(ending.pair, me, decision, reason, ending)
    await session.flush()
    both = await session.scalar(
        select(ChemistryDecision.id).where(
            ChemistryDecision.pair_id == pair_id,
            ChemistryDecision.decision == Decision.GO,
            ChemistryDecision.participant_id == info.other(user_id).participant_id,
        )
    )
    if both is not None:
        pair.status = PairStatus.CONFIRMED
        pair.confirmed_at = now
        pair.updated_at = now
    return Outcome(facts(pair, info.programme_name), me, decision)
