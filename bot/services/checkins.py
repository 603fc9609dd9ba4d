"""Check-ins: the sessions a pair holds, how useful each found them, notes, actions, and the
next session. Notes and actions belong to the pair; private notes to their author alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Base
from bot.models import (
    ActionItem,
    ActionStatus,
    Agreement,
    CalendarKind,
    Medium,
    Pair,
    PairStatus,
    Participant,
    PrivateNote,
    Programme,
    ScheduledKind,
    ScheduledMessage,
    SessionLog,
    SessionRating,
    SessionTopic,
)
from bot.services import balance, calendar, momentum, outbox
from bot.services.agreements import in_force
from bot.services.calendar import CalendarEntry
from bot.services.pairs import (
    Member,
    PairError,
    PairFacts,
    Planned,
    confirmed_pair_for_member,
    facts,
    named_pairs,
    pair_for_member,
)
from bot.services.programme_rules import FormErrors

MAX_TEXT = 2000
MAX_ACTION = 300
ACTION_ROWS = 3
GROW = ("goal", "reality", "options", "will")


@dataclass(frozen=True)
class ActionInput:
    text: str
    owner_is_me: bool
    due_on: date | None
    for_organisation: bool


@dataclass(frozen=True)
class CheckinInput:
    held_on: date
    minutes: int
    medium: Medium
    topics: tuple[str, ...]  # picked from the programme's list
    other_topics: tuple[str, ...]  # typed: the person's own words
    usefulness: int
    grow: Mapping[str, str]
    private_note: str
    actions: tuple[ActionInput, ...]
    next_session_at: datetime | None


@dataclass(frozen=True)
class Logged:
    session_id: int
    created: bool
    pair: PairFacts
    logger: Member
    held_on: date
    minutes: int
    medium: Medium
    topics: tuple[str, ...]
    grow: Mapping[str, str]
    actions: tuple[tuple[str, str, date | None, bool], ...]  # text, owner name, due, for org
    next_session_at: datetime | None
    cancelled: tuple[tuple[str, str], ...]
    planned: tuple[Planned, ...]
    calendar: CalendarEntry | None = None  # the next session, new or moved
    asked: tuple[str, ...] = ()  # the balance questions queued for the pair, to send now


@dataclass(frozen=True)
class ActionView:
    id: int
    text: str
    owner: Member
    due_on: date | None
    for_organisation: bool
    status: ActionStatus

    def overdue(self, today: date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on is not None and self.due_on < today


def action_fields(row: int) -> tuple[str, str, str, str]:
    return (f"action_{row}_text", f"action_{row}_owner", f"action_{row}_due", f"action_{row}_org")


def _date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def validate_checkin(
    values: Mapping[str, Any],
    *,
    now: datetime,
    today: date,
    confirmed_on: date,
    offered_topics: Sequence[str],
) -> CheckinInput | FormErrors:
    errors = FormErrors()
    held_on = _date(values.get("held_on"))
    if held_on is None:
        errors.add("held_on", "Pick the day of the session.")
    elif held_on > today:
        errors.add("held_on", "A session can't be logged before it happens.")
    elif held_on < confirmed_on:
        errors.add(
            "held_on", f"Your pair was confirmed on {confirmed_on:%d %b %Y}; pick a later day."
        )
    raw_minutes = str(values.get("minutes") or "").strip()
    if not raw_minutes.isdigit() or not 5 <= int(raw_minutes) <= 480:
        errors.add("minutes", "Enter the length in minutes, from 5 to 480.")
    try:
        medium = Medium(values.get("medium") or "")
    except ValueError:
        errors.add("medium", "Pick how you met.")
        medium = Medium.ANY
    chosen = [t for t in values.get("topics") or [] if t in offered_topics]
    extra = [t.strip() for t in str(values.get("other_topics") or "").split(",") if t.strip()]
    if any(len(t) > 60 for t in extra):
        errors.add("other_topics", "Keep each topic under 60 characters.")
    typed = [t for t in dict.fromkeys(extra) if t not in offered_topics]
    chosen += [t for t in extra if t in offered_topics]
    raw_useful = str(values.get("usefulness") or "")
    if raw_useful not in {"1", "2", "3", "4", "5"}:
        errors.add("usefulness", "Say how useful the session was.")
    grow = {name: str(values.get(name) or "").strip() for name in GROW}
    private = str(values.get("private_note") or "").strip()
    for name, text in [*grow.items(), ("private_note", private)]:
        if len(text) > MAX_TEXT:
            errors.add(name, f"Keep this under {MAX_TEXT} characters.")
    actions = []
    for row in range(ACTION_ROWS):
        text_field, owner_field, due_field, org_field = action_fields(row)
        text = str(values.get(text_field) or "").strip()
        if not text:
            continue
        if len(text) > MAX_ACTION:
            errors.add(text_field, f"Keep an action under {MAX_ACTION} characters.")
        owner = values.get(owner_field)
        if owner not in ("me", "partner"):
            errors.add(owner_field, "Pick who will do this: you or your partner.")
        due = _date(values.get(due_field))
        if due is not None and held_on is not None and due < held_on:
            errors.add(due_field, "The due date can't be before the session.")
        actions.append(
            ActionInput(text, owner == "me", due, "org" in (values.get(org_field) or []))
        )
    next_at = _next_session(values, now, errors)
    if errors:
        return errors
    assert held_on is not None
    return CheckinInput(
        held_on=held_on,
        minutes=int(raw_minutes),
        medium=medium,
        topics=tuple(dict.fromkeys(chosen)),
        other_topics=tuple(typed),
        usefulness=int(raw_useful),
        grow=grow,
        private_note=private,
        actions=tuple(actions),
        next_session_at=next_at,
    )


def _next_session(values: Mapping[str, Any], now: datetime, errors: FormErrors) -> datetime | None:
    """The next session: a time of one's own if given, else the suggested one picked."""
    field = "next_session" if values.get("next_session") else "suggested_session"
    raw = values.get(field)
    if not raw:
        return None
    try:
        at = datetime.fromtimestamp(int(raw), UTC)
    except (TypeError, ValueError, OverflowError):
        errors.add(field, "Pick a date and a time.")
        return None
    if at <= now:
        errors.add(field, "The next session must be in the future.")
    return at


async def next_session_times(
    session: AsyncSession, *, pair: PairFacts, now: datetime
) -> list[datetime]:
    """Times for the next session that suit both: as long as their sessions, and a cadence
    (as agreed, else the programme's) after today's."""
    row = await session.get(Pair, pair.id)
    assert row is not None
    agreed = await in_force(session, pair_id=pair.id)
    if agreed is not None:
        cadence = agreed.cadence_days
    else:
        programme = await session.get(Programme, pair.programme_id)
        assert programme is not None
        cadence = programme.cadence_days
    return await calendar.free_slots(
        session,
        pair=pair,
        minutes=await session_minutes(session, row),
        earliest=now.date() + timedelta(days=cadence),
        now=now,
    )


async def live_pairs_for(session: AsyncSession, *, team_id: str, user_id: str) -> list[PairFacts]:
    """The person's confirmed pairs, across programmes, newest first."""
    rows = await session.execute(_live_pairs_for(), {"team_id": team_id, "user_id": user_id})
    return [facts(pair, name) for pair, name in rows]


@cache
def _live_pairs_for() -> Select[Pair, str]:
    """Built once: every Home asks."""
    return (
        named_pairs()
        .join(
            Participant,
            or_(Participant.id == Pair.mentor_id, Participant.id == Pair.mentee_id),
        )
        .where(
            Programme.team_id == bindparam("team_id"),
            Participant.user_id == bindparam("user_id"),
            Pair.status == PairStatus.CONFIRMED,
        )
        .order_by(Pair.id.desc())
    )


async def confirmed_pair(
    session: AsyncSession, *, team_id: str, pair_id: int, user_id: str, now: datetime
) -> tuple[Pair, PairFacts]:
    return await confirmed_pair_for_member(
        session,
        team_id=team_id,
        pair_id=pair_id,
        user_id=user_id,
        now=now,
        too_early="Sessions are logged once your pair is confirmed.",
    )


async def form_start(
    session: AsyncSession, *, team_id: str, pair_id: int, user_id: str, now: datetime
) -> tuple[PairFacts, list[str], date]:
    """The pair, the programme's topics and the first day a session may be logged for."""
    pair, info = await confirmed_pair(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    programme = await session.get(Programme, pair.programme_id)
    assert programme is not None and pair.confirmed_at is not None
    return info, list(programme.topics), pair.confirmed_at.date()


async def log_session(
    session: AsyncSession,
    *,
    team_id: str,
    pair_id: int,
    user_id: str,
    data: CheckinInput,
    now: datetime,
) -> Logged:
    """Record a session; the same pair and day again updates it, whoever logs it."""
    pair, info = await confirmed_pair(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    me = info.member(user_id)
    assert me is not None
    log, created = await _write_log(session, pair_id=pair_id, data=data, author=me, now=now)
    await _upsert_rating(session, log.id, me.participant_id, data.usefulness)
    await _add_typed_topics(session, log.id, me.participant_id, data.other_topics)
    if data.private_note:
        keys = {"session_id": log.id, "author_id": me.participant_id}
        await _upsert(session, PrivateNote, keys, text=data.private_note)
    added = _add_actions(session, data.actions, log=log, me=me, other=info.other(user_id), now=now)
    # A session (or one booked) answers every nudge: the ladder starts again from it.
    momentum.restart(pair, on=min(data.held_on, now.date()), now=now)
    await outbox.cancel(session, now=now, pair_id=pair_id, kinds=momentum.NUDGES)
    cancelled: tuple[tuple[str, str], ...] = ()
    planned: list[Planned] = []
    booked = None
    if data.next_session_at is not None:
        pair.next_session_at = data.next_session_at
        cancelled, planned = await _plan_reminders(session, info, data.next_session_at, now)
        booked = await _book_in_calendars(session, pair, info, data.next_session_at, now)
    # Each of the pair is asked, once per session, who did most of the teaching.
    asked = await balance.ask(
        session, team_id=team_id, pair=info, session_id=log.id, held_on=log.held_on, now=now
    )
    await session.flush()
    grow = {name: getattr(log, name) for name in GROW}
    return Logged(
        log.id,
        created,
        info,
        me,
        log.held_on,
        log.minutes,
        log.medium,
        tuple(await session_topics(session, log=log)),
        grow,
        tuple(added),
        pair.next_session_at,
        cancelled,
        tuple(planned),
        booked,
        asked,
    )


async def session_minutes(session: AsyncSession, pair: Pair) -> int:
    """How long the pair's sessions are: as agreed, else the programme's default."""
    agreed = await in_force(session, pair_id=pair.id)
    if agreed is not None:
        return agreed.session_minutes
    minutes = await session.scalar(
        select(Programme.session_minutes).where(Programme.id == pair.programme_id)
    )
    assert minutes is not None
    return minutes


async def _book_in_calendars(
    session: AsyncSession, pair: Pair, info: PairFacts, starts_at: datetime, now: datetime
) -> CalendarEntry | None:
    """The next session for the pair's calendars: a new one, or the booked one moved."""
    return await calendar.book(
        session,
        pair=info,
        kind=CalendarKind.SESSION,
        starts_at=starts_at,
        minutes=await session_minutes(session, pair),
        now=now,
    )


async def _write_log(
    session: AsyncSession, *, pair_id: int, data: CheckinInput, author: Member, now: datetime
) -> tuple[SessionLog, bool]:
    """The pair's log of that day, new or updated with this person's answers, and whether
    it is new."""
    log = await session.scalar(
        select(SessionLog).where(SessionLog.pair_id == pair_id, SessionLog.held_on == data.held_on)
    )
    created = log is None
    if log is None:
        log = SessionLog(
            pair_id=pair_id, held_on=data.held_on, logged_by=author.participant_id, created_at=now
        )
        session.add(log)
    log.minutes = data.minutes
    log.medium = data.medium
    log.topics = list(dict.fromkeys([*(log.topics or []), *data.topics]))
    for name, text in data.grow.items():
        if text:  # the second person's notes add to the first's, never wipe them
            setattr(log, name, text)
            setattr(log, f"{name}_by", author.participant_id)
        elif getattr(log, name, None) is None:
            setattr(log, name, "")
    log.updated_at = now
    await session.flush()
    return log, created


def _add_actions(
    session: AsyncSession,
    actions: Sequence[ActionInput],
    *,
    log: SessionLog,
    me: Member,
    other: Member,
    now: datetime,
) -> list[tuple[str, str, date | None, bool]]:
    """Add the session's actions; each as (text, owner's name, due day, for the organisation)."""
    added = []
    for action in actions:
        owner = me if action.owner_is_me else other
        session.add(
            ActionItem(
                pair_id=log.pair_id,
                session_id=log.id,
                text=action.text,
                owner_id=owner.participant_id,
                due_on=action.due_on,
                for_organisation=action.for_organisation,
                status=ActionStatus.OPEN,
                created_by=me.participant_id,
                created_at=now,
            )
        )
        added.append((action.text, owner.name, action.due_on, action.for_organisation))
    return added


async def _add_typed_topics(
    session: AsyncSession, session_id: int, participant_id: int, topics: Sequence[str]
) -> None:
    known = set(
        await session.scalars(
            select(SessionTopic.topic).where(
                SessionTopic.session_id == session_id, SessionTopic.added_by == participant_id
            )
        )
    )
    session.add_all(
        SessionTopic(session_id=session_id, added_by=participant_id, topic=topic)
        for topic in topics
        if topic not in known
    )
    await session.flush()


async def session_topics(session: AsyncSession, *, log: SessionLog) -> list[str]:
    """The session's topics: those picked from the programme's list, then those typed."""
    typed = await session.scalars(
        select(SessionTopic.topic)
        .where(SessionTopic.session_id == log.id)
        .order_by(SessionTopic.id)
    )
    return list(dict.fromkeys([*(log.topics or []), *typed]))


async def _upsert(
    session: AsyncSession, model: type[Base], keys: Mapping[str, Any], **values: Any
) -> None:
    """The row these keys find takes these values; with none yet, a new row has both."""
    row = await session.scalar(select(model).filter_by(**keys))
    if row is None:
        session.add(model(**keys, **values))
        return
    for name, value in values.items():
        setattr(row, name, value)


async def _upsert_rating(
    session: AsyncSession, session_id: int, participant_id: int, rating: int
) -> None:
    keys = {"session_id": session_id, "participant_id": participant_id}
    await _upsert(session, SessionRating, keys, rating=rating)


async def _plan_reminders(
    session: AsyncSession, pair: PairFacts, starts_at: datetime, now: datetime
) -> tuple[tuple[tuple[str, str], ...], list[Planned]]:
    """Withdraw reminders of an earlier next session; a reminder to each the day before."""
    earlier = list(
        await session.scalars(
            select(ScheduledMessage).where(
                ScheduledMessage.pair_id == pair.id,
                ScheduledMessage.kind == ScheduledKind.NEXT_SESSION,
                ScheduledMessage.cancelled_at.is_(None),
            )
        )
    )
    post_at = starts_at - timedelta(days=1)
    if earlier and all(r.post_at == post_at for r in earlier):
        return (), []  # the same session again: Slack already holds its reminders
    for row in earlier:
        row.cancelled_at = now
    cancelled = tuple((r.channel_id, r.slack_id) for r in earlier if r.slack_id and r.post_at > now)
    if post_at < now + timedelta(minutes=5):
        return cancelled, []
    rows = [
        ScheduledMessage(
            pair_id=pair.id,
            kind=ScheduledKind.NEXT_SESSION,
            channel_id=m.user_id,
            post_at=post_at,
        )
        for m in pair.members
    ]
    session.add_all(rows)
    await session.flush()
    return cancelled, [Planned.of(r) for r in rows]


async def rate(
    session: AsyncSession,
    *,
    team_id: str,
    session_id: int,
    user_id: str,
    rating: int,
    now: datetime,
) -> date:
    pair_id = await session.scalar(select(SessionLog.pair_id).where(SessionLog.id == session_id))
    if pair_id is None or rating not in range(1, 6):
        raise PairError("That session is no longer there.")
    _, info = await confirmed_pair(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    me = info.member(user_id)
    assert me is not None
    await _upsert_rating(session, session_id, me.participant_id, rating)
    held_on = await session.scalar(select(SessionLog.held_on).where(SessionLog.id == session_id))
    assert held_on is not None
    return held_on


async def actions_of(
    session: AsyncSession, pair: PairFacts, *, open_only: bool = True
) -> list[ActionView]:
    query = select(ActionItem).where(ActionItem.pair_id == pair.id)
    if open_only:
        query = query.where(ActionItem.status == ActionStatus.OPEN)
    rows = await session.scalars(
        query.order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
    )
    members = {m.participant_id: m for m in pair.members}
    return [
        ActionView(a.id, a.text, members[a.owner_id], a.due_on, a.for_organisation, a.status)
        for a in rows
    ]


async def close_action(
    session: AsyncSession,
    *,
    team_id: str,
    action_id: int,
    user_id: str,
    done: bool,
    now: datetime,
) -> ActionView:
    """The owner marks their action done or drops it; nobody else can."""
    action = await session.get(ActionItem, action_id)
    if action is None:
        raise PairError("That action is no longer there.")
    _, info = await pair_for_member(
        session, team_id=team_id, pair_id=action.pair_id, user_id=user_id, now=now
    )
    me = info.member(user_id)
    assert me is not None
    if action.owner_id != me.participant_id:
        raise PairError(f"This is {info.other(user_id).name}'s action; only they can close it.")
    if action.status != ActionStatus.OPEN:
        raise PairError(f"This action is already {action.status.value}.")
    action.status = ActionStatus.DONE if done else ActionStatus.DROPPED
    action.closed_at = now
    return ActionView(
        action.id, action.text, me, action.due_on, action.for_organisation, action.status
    )


@dataclass(frozen=True)
class PairProgress:
    """What the pair's Home shows: sessions against the plan, the last and the next."""

    held: int
    planned: int | None
    last_on: date | None
    next_at: datetime | None


async def progress(session: AsyncSession, *, pair_id: int, planned: int | None) -> PairProgress:
    held, last_on = (
        await session.execute(
            select(func.count(SessionLog.id), func.max(SessionLog.held_on)).where(
                SessionLog.pair_id == pair_id
            )
        )
    ).one()
    next_at = await session.scalar(select(Pair.next_session_at).where(Pair.id == pair_id))
    return PairProgress(held, planned, last_on, next_at)


@dataclass(frozen=True)
class PairHome:
    """Everything a person's Home shows about one of their pairs."""

    pair: PairFacts
    since: date | None
    agreement: Agreement | None  # the version in force
    progress: PairProgress
    actions: tuple[ActionView, ...]


async def pair_homes(session: AsyncSession, *, team_id: str, user_id: str) -> list[PairHome]:
    homes = []
    for pair in await live_pairs_for(session, team_id=team_id, user_id=user_id):
        agreed = await in_force(session, pair_id=pair.id)
        confirmed_at = await session.scalar(select(Pair.confirmed_at).where(Pair.id == pair.id))
        homes.append(
            PairHome(
                pair=pair,
                since=confirmed_at.date() if confirmed_at else None,
                agreement=agreed,
                progress=await progress(
                    session, pair_id=pair.id, planned=agreed.sessions_planned if agreed else None
                ),
                actions=tuple(await actions_of(session, pair)),
            )
        )
    return homes
