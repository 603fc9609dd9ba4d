"""Kick-off and social moments: a lead announces a kick-off, a mid-point get-together, a
closing celebration or another social to the programme's mentors, mentees or both; each
person invited answers going or not (and may change their mind); those going hear again the
day before. An event keeps one calendar UID for its life: a change raises its SEQUENCE, a
cancellation says so once. Leads see answers only as counts, and the split between going and
not going only once enough people have answered (the programme's minimum group size).
Plain values in and out; no Slack."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ids import Field
from bot.models import (
    Audience,
    Participant,
    ParticipantStatus,
    Programme,
    ProgrammeStatus,
    Role,
    Rsvp,
    SocialEvent,
    SocialInvite,
    SocialKind,
    Sweep,
)
from bot.services import outbox, sweeping
from bot.services.calendar import calendar_uid
from bot.services.errors import Refused
from bot.services.links import link_problem
from bot.services.outbox import Kind, Message, Quiet
from bot.services.workspaces import installed

TITLES = {
    SocialKind.KICK_OFF: "Programme kick-off",
    SocialKind.MIDPOINT: "Mid-point get-together",
    SocialKind.CLOSING: "Closing celebration",
    SocialKind.OTHER: "Get-together",
}
ROLES = {
    Audience.EVERYONE: (Role.MENTOR, Role.MENTEE),
    Audience.MENTORS: (Role.MENTOR,),
    Audience.MENTEES: (Role.MENTEE,),
}
# Programmes with people to invite: from enrolment until the programme closes.
ANNOUNCING = (
    ProgrammeStatus.ENROLLING,
    ProgrammeStatus.MATCHING,
    ProgrammeStatus.RUNNING,
    ProgrammeStatus.REVIEWING,
)
MAX_TITLE = 150
MAX_PLACE = 300
SHORTEST, LONGEST = 15, 8 * 60  # minutes
DEFAULT_MINUTES = 60
FURTHEST = timedelta(days=365)
REMIND_BEFORE = timedelta(days=1)
CALENDAR_KIND = "social"  # in the event's calendar UID


class SocialError(Refused):
    """Shown to the person as it is."""


@dataclass(frozen=True)
class SocialInput:
    """A lead's checked form: what, when, where, for whom (None when changing an event,
    whose audience stays the one invited)."""

    kind: SocialKind
    title: str
    starts_at: datetime
    minutes: int
    place: str
    link: str | None
    audience: Audience | None


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def validate(
    values: Mapping[str, Any], *, now: datetime, changing: bool = False
) -> SocialInput | dict[str, str]:
    """Plain form values in; the event, or errors keyed by field."""
    errors: dict[str, str] = {}
    kind = next((k for k in SocialKind if k.value == values.get(Field.SOCIAL_KIND)), None)
    if kind is None:
        errors[Field.SOCIAL_KIND] = "Choose what kind of event it is."
    title = _text(values, Field.SOCIAL_TITLE)
    if len(title) > MAX_TITLE:
        errors[Field.SOCIAL_TITLE] = f"Keep the title to {MAX_TITLE} characters."
    starts_at = None
    try:
        starts_at = datetime.fromtimestamp(int(values.get(Field.SOCIAL_WHEN)), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        errors[Field.SOCIAL_WHEN] = "Pick a date and a time."
    if starts_at is not None and starts_at <= now:
        errors[Field.SOCIAL_WHEN] = "Pick a time in the future."
    elif starts_at is not None and starts_at > now + FURTHEST:
        errors[Field.SOCIAL_WHEN] = "Pick a time within the next year."
    raw_minutes = _text(values, Field.SOCIAL_LENGTH) or str(DEFAULT_MINUTES)
    minutes = int(raw_minutes) if raw_minutes.isdigit() else 0
    if not SHORTEST <= minutes <= LONGEST:
        errors[Field.SOCIAL_LENGTH] = f"Between {SHORTEST} and {LONGEST} minutes."
    place, link = _text(values, Field.SOCIAL_PLACE), _text(values, Field.SOCIAL_LINK) or None
    if len(place) > MAX_PLACE:
        errors[Field.SOCIAL_PLACE] = f"Keep it to {MAX_PLACE} characters."
    elif not place and link is None:
        errors[Field.SOCIAL_PLACE] = "Say where it is, or give a link to join (or both)."
    if link is not None and (problem := link_problem(link)):
        errors[Field.SOCIAL_LINK] = problem
    audience = next((a for a in Audience if a.value == values.get(Field.SOCIAL_AUDIENCE)), None)
    if audience is None and not changing:
        errors[Field.SOCIAL_AUDIENCE] = "Choose who is invited."
    if errors or kind is None or starts_at is None:
        return errors
    return SocialInput(kind, title or TITLES[kind], starts_at, minutes, place, link, audience)


# --- What the views show ---------------------------------------------------------------------


@dataclass(frozen=True)
class EventFacts:
    id: int
    programme_id: int
    programme: str
    team_id: str
    kind: SocialKind
    title: str
    starts_at: datetime
    minutes: int
    place: str
    link: str | None
    audience: Audience
    sequence: int
    cancelled: bool

    def params(self) -> dict[str, Any]:
        """What a queued message about the event shows, as the event stands now."""
        return {
            "event_id": self.id,
            "sequence": self.sequence,
            "programme_id": self.programme_id,
            "programme": self.programme,
            "title": self.title,
            "starts": int(self.starts_at.timestamp()),
            "minutes": self.minutes,
            "place": self.place,
            "link": self.link,
        }


def _facts(event: SocialEvent, programme: Programme) -> EventFacts:
    return EventFacts(
        event.id,
        programme.id,
        programme.name,
        programme.team_id,
        event.kind,
        event.title,
        event.starts_at,
        event.minutes,
        event.place,
        event.link,
        event.audience,
        event.sequence,
        event.cancelled_at is not None,
    )


@dataclass(frozen=True)
class SocialEntry:
    """One version of the event as its .ics file tells it."""

    uid: str
    sequence: int
    starts_at: datetime
    minutes: int
    cancelled: bool
    title: str
    programme: str
    place: str
    link: str | None
    stamp: datetime  # when this version was made


def entry_of(event: EventFacts, now: datetime) -> SocialEntry:
    return SocialEntry(
        uid=calendar_uid(CALENDAR_KIND, event.id, event.team_id),
        sequence=event.sequence,
        starts_at=event.starts_at,
        minutes=event.minutes,
        cancelled=event.cancelled,
        title=event.title,
        programme=event.programme,
        place=event.place,
        link=event.link,
        stamp=now,
    )


@dataclass(frozen=True)
class Counts:
    """Answers as a lead sees them: how many were invited and answered, and the split
    between going and not going only over at least `minimum` answers (else None)."""

    invited: int
    answered: int
    going: int | None
    not_going: int | None
    minimum: int

    @property
    def no_answer(self) -> int:
        return self.invited - self.answered


def shown_counts(*, invited: int, going: int, not_going: int, minimum: int) -> Counts:
    """The k-anonymity rule of the report's survey figures, for answers to an invitation."""
    floor = max(3, minimum)
    answered = going + not_going
    if answered < floor:
        return Counts(invited, answered, None, None, floor)
    return Counts(invited, answered, going, not_going, floor)


async def counts_of(session: AsyncSession, *, event_ids: Sequence[int]) -> dict[int, Counts]:
    """Each event's answers, as leads may see them."""
    if not event_ids:
        return {}
    rows = await session.execute(
        select(
            SocialInvite.event_id,
            Programme.min_survey_respondents,
            func.count(),
            func.count().filter(SocialInvite.answer == Rsvp.GOING),
            func.count().filter(SocialInvite.answer == Rsvp.NOT_GOING),
        )
        .join(SocialEvent, SocialEvent.id == SocialInvite.event_id)
        .join(Programme, Programme.id == SocialEvent.programme_id)
        .where(SocialInvite.event_id.in_(list(event_ids)))
        .group_by(SocialInvite.event_id, Programme.min_survey_respondents)
    )
    return {
        event_id: shown_counts(invited=invited, going=going, not_going=not_going, minimum=k)
        for event_id, k, invited, going, not_going in rows
    }


@dataclass(frozen=True)
class SocialLine:
    """One event in the programme's report."""

    event: EventFacts
    counts: Counts


async def report_lines(session: AsyncSession, *, programme: Programme) -> list[SocialLine]:
    """The programme's events, earliest first, with their answers as counts."""
    events = list(
        await session.scalars(
            select(SocialEvent)
            .where(SocialEvent.programme_id == programme.id)
            .order_by(SocialEvent.starts_at, SocialEvent.id)
        )
    )
    counted = await counts_of(session, event_ids=[e.id for e in events])
    empty = shown_counts(invited=0, going=0, not_going=0, minimum=programme.min_survey_respondents)
    return [SocialLine(_facts(e, programme), counted.get(e.id, empty)) for e in events]


# --- Announcing, changing, cancelling (leads) -------------------------------------------------


def _quiet(programme: Programme, person: Participant) -> Quiet:
    # Quiet hours, but not the weekly budget: the programme's own invitation, and a reminder
    # the person asked for by saying yes, are not the bot's nudges.
    return Quiet.of(programme, person.user_id, person.tz, budgeted=False)


def _message(
    kind: Kind, key: str, event: EventFacts, programme: Programme, person: Participant
) -> Message:
    return Message(
        key=key,
        kind=kind,
        team_id=programme.team_id,
        channel_id=person.user_id,
        params=event.params(),
        quiet=_quiet(programme, person),
        participant_id=person.id,
        expires_at=event.starts_at,
    )


def invitation_key(event_id: int, participant_id: int) -> str:
    return f"social:{event_id}:{participant_id}"


def reminder_key(event_id: int, participant_id: int, sequence: int) -> str:
    return f"social-reminder:{event_id}:{participant_id}:{sequence}"


@dataclass(frozen=True)
class Announced:
    event: EventFacts
    counts: Counts
    keys: list[str]  # the invitations, queued


async def announce(
    session: AsyncSession,
    *,
    team_id: str,
    programme_id: int,
    lead_id: str,
    data: SocialInput,
    now: datetime,
) -> Announced:
    """The event, an invite for each signed-up person of the audience, and their invitations
    queued (one per event and person)."""
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.team_id != team_id:
        raise SocialError("That programme is no longer there.")
    if programme.status not in ANNOUNCING:
        raise SocialError(
            f"“{programme.name}” is {programme.status.value}: announce events from the "
            "moment enrolment opens until the programme closes."
        )
    assert data.audience is not None  # a new event's form asks for it
    people = list(
        await session.scalars(
            select(Participant)
            .where(
                Participant.programme_id == programme.id,
                Participant.status == ParticipantStatus.SIGNED_UP,
                Participant.role.in_(ROLES[data.audience]),
            )
            .order_by(Participant.id)
        )
    )
    if not people:
        raise SocialError("Nobody of that audience has signed up yet: there is no one to invite.")
    event = SocialEvent(
        programme_id=programme.id,
        kind=data.kind,
        title=data.title,
        starts_at=data.starts_at,
        minutes=data.minutes,
        place=data.place,
        link=data.link,
        audience=data.audience,
        sequence=0,
        created_by=lead_id,
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    await session.flush()
    session.add_all(
        SocialInvite(event_id=event.id, participant_id=p.id, invited_at=now) for p in people
    )
    facts = _facts(event, programme)
    messages = [
        _message(Kind.SOCIAL_INVITE, invitation_key(event.id, p.id), facts, programme, p)
        for p in people
    ]
    await outbox.enqueue(session, messages, now=now)
    counts = shown_counts(
        invited=len(people), going=0, not_going=0, minimum=programme.min_survey_respondents
    )
    return Announced(facts, counts, [m.key for m in messages])


async def _led_event(
    session: AsyncSession, *, team_id: str, event_id: int
) -> tuple[SocialEvent, Programme]:
    """The event, locked for this change, in this workspace."""
    row = (
        await session.execute(
            select(SocialEvent, Programme)
            .join(Programme, Programme.id == SocialEvent.programme_id)
            .where(SocialEvent.id == event_id, Programme.team_id == team_id)
            .with_for_update(of=SocialEvent)
        )
    ).first()
    if row is None:
        raise SocialError("That event is no longer there.")
    return row[0], row[1]


async def event_facts(session: AsyncSession, *, team_id: str, event_id: int) -> EventFacts:
    event, programme = await _led_event(session, team_id=team_id, event_id=event_id)
    return _facts(event, programme)


async def _counts(session: AsyncSession, event: SocialEvent, programme: Programme) -> Counts:
    empty = shown_counts(invited=0, going=0, not_going=0, minimum=programme.min_survey_respondents)
    return (await counts_of(session, event_ids=[event.id])).get(event.id, empty)


@dataclass(frozen=True)
class Standing:
    """An event and its answers, as its leads see them."""

    event: EventFacts
    counts: Counts


async def standing(session: AsyncSession, *, team_id: str, event_id: int) -> Standing:
    event, programme = await _led_event(session, team_id=team_id, event_id=event_id)
    return Standing(_facts(event, programme), await _counts(session, event, programme))


@dataclass(frozen=True)
class Changed:
    """An event changed or cancelled: what the lead sees, the notices queued for those not
    going, and the people going, whose calendars get the new version of the file."""

    event: EventFacts
    counts: Counts
    keys: list[str]
    going: list[str]  # their Slack ids
    changed: bool  # False: the form changed nothing (or it was cancelled already)


async def _invited(session: AsyncSession, event_id: int) -> list[tuple[SocialInvite, Participant]]:
    rows = await session.execute(
        select(SocialInvite, Participant)
        .join(Participant, Participant.id == SocialInvite.participant_id)
        .where(
            SocialInvite.event_id == event_id,
            Participant.status == ParticipantStatus.SIGNED_UP,
        )
        .order_by(Participant.id)
    )
    return [(invite, person) for invite, person in rows]


async def _tell(
    session: AsyncSession,
    event: SocialEvent,
    programme: Programme,
    *,
    kind: Kind,
    prefix: str,
    now: datetime,
) -> Changed:
    """After a change: notices to those not going, files for those going, reminders anew."""
    facts = _facts(event, programme)
    going, messages = [], []
    for invite, person in await _invited(session, event.id):
        invite.reminded_at = None  # a moved event is reminded of at its new time
        if invite.answer == Rsvp.GOING:
            going.append(person.user_id)
        else:
            key = f"{prefix}:{event.id}:{person.id}:{event.sequence}"
            messages.append(_message(kind, key, facts, programme, person))
    await outbox.enqueue(session, messages, now=now)
    counts = await _counts(session, event, programme)
    return Changed(facts, counts, [m.key for m in messages], going, changed=True)


async def change(
    session: AsyncSession, *, team_id: str, event_id: int, data: SocialInput, now: datetime
) -> Changed:
    """A lead's changes: SEQUENCE raised once per change that calendars would show."""
    event, programme = await _led_event(session, team_id=team_id, event_id=event_id)
    if event.cancelled_at is not None:
        raise SocialError("That event is cancelled: announce a new one instead.")
    if event.starts_at <= now:
        raise SocialError("That event has started already, so it can no longer change.")
    wanted = (data.kind, data.title, data.starts_at, data.minutes, data.place, data.link)
    if wanted == (event.kind, event.title, event.starts_at, event.minutes, event.place, event.link):
        counts = await _counts(session, event, programme)
        return Changed(_facts(event, programme), counts, [], [], changed=False)
    event.kind, event.title, event.starts_at = data.kind, data.title, data.starts_at
    event.minutes, event.place, event.link = data.minutes, data.place, data.link
    event.sequence += 1
    event.updated_at = now
    await session.flush()
    return await _tell(
        session, event, programme, kind=Kind.SOCIAL_CHANGED, prefix="social-changed", now=now
    )


async def cancel(session: AsyncSession, *, team_id: str, event_id: int, now: datetime) -> Changed:
    """Call the event off, once: a second press changes nothing."""
    event, programme = await _led_event(session, team_id=team_id, event_id=event_id)
    if event.cancelled_at is not None:
        counts = await _counts(session, event, programme)
        return Changed(_facts(event, programme), counts, [], [], changed=False)
    if event.starts_at <= now:
        raise SocialError("That event has started already, so it can no longer be cancelled.")
    event.cancelled_at = now
    event.sequence += 1
    event.updated_at = now
    await session.flush()
    return await _tell(
        session, event, programme, kind=Kind.SOCIAL_CANCELLED, prefix="social-cancelled", now=now
    )


# --- Answering (the people invited) -----------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    event: EventFacts
    answer: Rsvp
    changed: bool  # False: they had given this answer already


async def answer(
    session: AsyncSession,
    *,
    team_id: str,
    user_id: str,
    event_id: int,
    answer: Rsvp,
    now: datetime,
) -> Answered:
    """The person's answer, for an event of their programme they were invited to; as often
    as they change their mind, and the same answer again changes nothing."""
    row = (
        await session.execute(
            select(SocialEvent, Programme, SocialInvite, Participant)
            .join(Programme, Programme.id == SocialEvent.programme_id)
            .join(SocialInvite, SocialInvite.event_id == SocialEvent.id)
            .join(Participant, Participant.id == SocialInvite.participant_id)
            .where(
                SocialEvent.id == event_id,
                Programme.team_id == team_id,
                Participant.programme_id == Programme.id,
                Participant.user_id == user_id,
            )
            .with_for_update(of=SocialInvite)
        )
    ).first()
    if row is None:
        raise SocialError(
            "This invitation was sent to someone else, so there is nothing to answer."
        )
    event, programme, invite, person = row
    if person.status != ParticipantStatus.SIGNED_UP:
        raise SocialError(f"You have left “{programme.name}”, so this invitation is closed.")
    if event.cancelled_at is not None:
        raise SocialError(f"“{event.title}” is cancelled, so there is nothing to answer.")
    if event.starts_at <= now:
        raise SocialError(f"“{event.title}” has started already.")
    facts = _facts(event, programme)
    if invite.answer == answer:
        return Answered(facts, answer, changed=False)
    invite.answer, invite.answered_at = answer, now
    if answer == Rsvp.NOT_GOING:
        keys = [reminder_key(event.id, person.id, event.sequence)]
        await outbox.cancel(session, now=now, keys=keys)
    return Answered(facts, answer, changed=True)


# --- The day-before reminder (the reminders sweep) --------------------------------------------

_Due = Row[int, SocialInvite, SocialEvent, Participant, Programme]


async def remind(session: AsyncSession, *, now: datetime) -> sweeping.Queued:
    """Those going hear once, a day before; someone who said yes within that day has just
    answered and is not reminded. Invites are claimed, so replicas share them out."""
    await outbox.begin_claim(session)
    query = (
        select(SocialInvite.id, SocialInvite, SocialEvent, Participant, Programme)
        .join(SocialEvent, SocialEvent.id == SocialInvite.event_id)
        .join(Participant, Participant.id == SocialInvite.participant_id)
        .join(Programme, Programme.id == SocialEvent.programme_id)
        .where(
            SocialInvite.answer == Rsvp.GOING,
            SocialInvite.reminded_at.is_(None),
            SocialEvent.cancelled_at.is_(None),
            SocialEvent.starts_at > now,
            SocialEvent.starts_at <= now + REMIND_BEFORE,
            Participant.status == ParticipantStatus.SIGNED_UP,
            Programme.status != ProgrammeStatus.CLOSED,
            installed(Programme.team_id),
        )
    )
    due = await sweeping.claimed(
        session, query, sweep=Sweep.SOCIAL_REMINDERS, item_id=SocialInvite.id, now=now
    )

    async def queue(batch: Sequence[_Due]) -> int:
        messages = []
        for _, invite, event, person, programme in batch:
            invite.reminded_at = now
            answered = invite.answered_at or invite.invited_at
            if answered <= event.starts_at - REMIND_BEFORE:
                key = reminder_key(event.id, person.id, event.sequence)
                facts = _facts(event, programme)
                messages.append(_message(Kind.SOCIAL_REMINDER, key, facts, programme, person))
        return await outbox.enqueue(session, messages, now=now)

    done = await sweeping.together(
        session, items=due, step=queue, sweep=Sweep.SOCIAL_REMINDERS, key=lambda r: r[0], now=now
    )
    return sweeping.Queued.of(done)
