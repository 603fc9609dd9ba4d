"""The outbox: messages the scheduler decided to send, queued in the same transaction as the
state change that caused them and claimed by one sender at a time.

Every message has a unique key (for example pair, kind and period), so a second sweep, a second
replica or a re-run after a crash queues nothing twice. Claims take row locks that other
replicas skip (PostgreSQL) or the database's write lock (SQLite, BEGIN IMMEDIATE).
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    ColumnElement,
    Insert,
    Integer,
    String,
    Update,
    bindparam,
    case,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from bot.bulk import insert_new
from bot.db import UTCDateTime, rowcount
from bot.models import OUTBOX_CLAIMABLE, Outbox, OutboxStatus, Programme
from bot.services.quiet import BUDGET_WINDOW, after_budget, after_quiet_hours


class Kind(enum.StrEnum):
    """What a queued message is; views/outbound.py renders each."""

    NUDGE_PAIR = "nudge_pair"  # the ladder's first rung, to each of the pair
    NUDGE_MENTEE = "nudge_mentee"  # the second, to the mentee alone
    LEAD_ALERT = "lead_alert"  # the third, to the leads, metadata only
    CHEMISTRY_REQUEST = "chemistry_request"  # introduced, no times proposed yet
    CHEMISTRY_ANSWER = "chemistry_answer"  # times proposed, not answered
    DECISION = "decision"  # met, "go / not for me" not answered
    AGREEMENT_NONE = "agreement_none"  # confirmed, no agreement proposed
    AGREEMENT_UNSIGNED = "agreement_unsigned"  # an agreement waits for the other's confirmation
    SURVEY = "survey"
    SURVEY_REMINDER = "survey_reminder"
    REVIEW_SUMMARY = "review_summary"  # to the leads on the end date
    PROGRAMME_CLOSED = "programme_closed"  # to the leads when the end review closes
    RESOURCE = "resource"  # a resource from the library, to a safe space
    STARTER_SET = "starter_set"  # ground rules and GROW prompts, to a newcomer
    LESSON = "lesson"  # the next lesson of a participant's preparation track
    PREPARATION_REMINDER = "preparation_reminder"  # a partner waits for this one's preparation
    PAUSE_OVER = "pause_over"  # a pause one of the pair asked for has ended
    CHOOSE = "choose"  # a mentee may choose their mentor (again, after a request lapsed)
    MENTOR_REQUEST = "mentor_request"  # a mentee asks this mentor, who accepts or declines
    CHOICE_ACCEPTED = "choice_accepted"  # to the mentee: the mentor said yes
    CHOOSING_CLOSED = "choosing_closed"  # to a mentee still waiting when the lead closed it
    STILL_CHOOSING = "still_choosing"  # to the leads: who is still without a partner
    SPONSOR_DIGEST = "sponsor_digest"  # the month's figures, to the programme's sponsor
    SPONSOR_SUMMARY = "sponsor_summary"  # the final figures, to the sponsor as it closes
    SPONSOR_ASKED = "sponsor_asked"  # to the leads: the sponsor would like more
    INTRO = "intro"  # an approved pair's group DM, opened, and their introduction in it
    HOME = "home"  # a person's App Home, built afresh when it goes (one row per person)
    BALANCE_QUESTION = "balance_question"  # after a session: who did most of the teaching?
    DRIFT_TIP = "drift_tip"  # to the mentor of a pair drifting back to the hierarchy
    DRIFT_ROLES = "drift_roles"  # to its mentee: a reminder of the reverse roles
    SOCIAL_INVITE = "social_invite"  # a lead's kick-off or social, with Going / Not going
    SOCIAL_CHANGED = "social_changed"  # it changed: to those not going (those going get a file)
    SOCIAL_CANCELLED = "social_cancelled"  # it is off: to those not going, likewise
    SOCIAL_REMINDER = "social_reminder"  # the day before, to those going


CLAIMABLE = (OutboxStatus.PENDING, OutboxStatus.SENDING)
# A sender that claimed a message and vanished loses it to another sender after this long.
LEASE = timedelta(minutes=2)
# Transient failures are retried this many times, backing off, before the message is failed.
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Quiet:
    """Whose quiet hours and weekly budget a message must respect."""

    user_id: str
    tz: str | None
    start: int
    end: int
    weekly_budget: int | None  # None: a direct answer or a lead's alert, not counted

    @classmethod
    def of(
        cls, programme: Programme, user_id: str, tz: str | None, *, budgeted: bool = True
    ) -> Quiet:
        """The programme's quiet hours for this person; a `budgeted` message (the bot's own
        nudge) also counts in their weekly budget, an answer or invitation does not."""
        budget = programme.weekly_message_budget if budgeted else None
        return cls(user_id, tz, programme.quiet_hours_start, programme.quiet_hours_end, budget)


@dataclass(frozen=True)
class Message:
    key: str
    kind: str
    team_id: str
    channel_id: str
    params: dict[str, Any] = field(default_factory=dict)
    quiet: Quiet | None = None
    pair_id: int | None = None
    participant_id: int | None = None
    expires_at: datetime | None = None


async def begin_claim(session: AsyncSession) -> None:
    """Start a claiming transaction: on SQLite take the write lock before reading, so two
    sweepers read and update one after the other (PostgreSQL uses row locks instead)."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("BEGIN IMMEDIATE"))


def dialect_insert(session: AsyncSession) -> Any:
    """The insert construct with ON CONFLICT for the session's database."""
    return insert_for(session.get_bind().dialect)


def insert_for(dialect: Dialect) -> Any:
    """The insert construct with ON CONFLICT for `dialect`, for statements built once per
    engine."""
    return sqlite.insert if dialect.name == "sqlite" else postgresql.insert


# The columns a queued message sets, in _row's order; the rest are the same for a whole batch.
_QUEUED: dict[str, TypeEngine[Any]] = {
    "key": String(),
    "kind": String(),
    "team_id": String(),
    "channel_id": String(),
    "params": JSON(),
    "recipient_id": String(),
    "recipient_tz": String(),
    "quiet_start": Integer(),
    "quiet_end": Integer(),
    "weekly_budget": Integer(),
    "pair_id": Integer(),
    "participant_id": Integer(),
    "expires_at": UTCDateTime(),
}


async def enqueue(session: AsyncSession, messages: Sequence[Message], *, now: datetime) -> int:
    """Queue messages whose keys are new; returns how many were queued."""
    return await insert_new(
        session,
        Outbox.__table__,
        [_row(m) for m in messages],
        columns=_QUEUED,
        constants={
            "status": (OutboxStatus.PENDING.value, String()),
            "due_at": (now, UTCDateTime()),
            "attempts": (0, Integer()),
            "created_at": (now, UTCDateTime()),
        },
        key="key",
    )


async def queue_again(session: AsyncSession, messages: Sequence[Message], *, now: datetime) -> None:
    """Queue messages that are the same each time they are asked for (a person's Home, built
    when it goes): a new key is queued; one already waiting stays as it is, with these params;
    one sent (or being sent, or failed) is queued once more, due now."""
    if not messages:
        return
    rows = [{**dict(zip(_QUEUED, _row(m), strict=True)), "now": now} for m in messages]
    await session.execute(_queue_again(session.get_bind().dialect), rows)


@lru_cache(maxsize=8)
def _queue_again(dialect: Dialect) -> Insert:
    """queue_again's statement, built once per engine from bind parameters: one built with
    its values each time cannot be cached, so it was compiled again on every call."""
    outbox = Outbox.__table__
    now = bindparam("now", type_=UTCDateTime())
    statement = insert_for(dialect)(outbox).values(
        {
            **{name: bindparam(name, type_=type_) for name, type_ in _QUEUED.items()},
            "status": OutboxStatus.PENDING.value,
            "due_at": now,
            "attempts": 0,
            "created_at": now,
        }
    )
    waiting = outbox.c.status == OutboxStatus.PENDING.value
    return statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "params": statement.excluded.params,
            "status": OutboxStatus.PENDING.value,
            "due_at": case((waiting, outbox.c.due_at), else_=now),
            "slot_at": case((waiting, outbox.c.slot_at), else_=None),
            "attempts": case((waiting, outbox.c.attempts), else_=0),
            "last_error": case((waiting, outbox.c.last_error), else_=None),
        },
    )


_NO_RECIPIENT = (None,) * 5


def _row(m: Message) -> tuple[Any, ...]:
    """The message's values in the order of _QUEUED."""
    q = m.quiet
    recipient = (q.user_id, q.tz, q.start, q.end, q.weekly_budget) if q else _NO_RECIPIENT
    return (
        m.key,
        m.kind,
        m.team_id,
        m.channel_id,
        m.params,
        *recipient,
        m.pair_id,
        m.participant_id,
        m.expires_at,
    )


async def cancel(
    session: AsyncSession,
    *,
    now: datetime,
    pair_id: int | None = None,
    participant_ids: Iterable[int] = (),
    kinds: Iterable[str] | None = None,
    keys: Iterable[str] = (),
) -> int:
    """Withdraw messages not yet sent: of a pair, for people (optionally only some kinds),
    or by key."""
    people = list(participant_ids)
    scope: list[ColumnElement[bool]] = []
    if keys:
        scope.append(Outbox.key.in_(list(keys)))
    if pair_id is not None:
        scope.append(Outbox.pair_id == pair_id)
    if people:
        scope.append(Outbox.participant_id.in_(people))
    if not scope:
        return 0
    statement = (
        update(Outbox)
        .where(or_(*scope), Outbox.status.in_(CLAIMABLE))
        .values(status=OutboxStatus.CANCELLED, due_at=now)
    )
    if kinds is not None:
        statement = statement.where(Outbox.kind.in_(list(kinds)))
    result = await session.execute(statement)
    return rowcount(result) or 0


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    kind: str
    team_id: str
    channel_id: str
    params: dict[str, Any]
    attempts: int
    slot_at: datetime | None = None  # the slot it holds for its next call, if any


class Vet(Protocol):
    """Why each message of a batch no longer makes sense, by id (outbox_rules.stale). The
    sender passes it in: the rules read what the queueing services define, and they import
    this module."""

    def __call__(
        self, session: AsyncSession, rows: Sequence[Outbox], *, now: datetime
    ) -> Awaitable[dict[int, str]]: ...


async def claim(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    vet: Vet,
    keys: Sequence[str] | None = None,
) -> list[Claimed]:
    """Claim due messages for this sender (only those with `keys`, when given). Expired ones
    are closed; ones `vet` says no longer make sense are withdrawn with its reason; those it
    may not send yet (quiet hours, weekly budget) are put back with the time they may go."""
    await begin_claim(session)
    due = select(Outbox).where(Outbox.status.in_(CLAIMABLE), Outbox.due_at <= now)
    if keys is not None:
        due = due.where(Outbox.key.in_(list(keys)))
    rows = list(
        await session.scalars(
            due.order_by(Outbox.due_at, Outbox.id).limit(limit).with_for_update(skip_locked=True)
        )
    )
    live = []
    for row in rows:
        if row.expires_at is not None and row.expires_at <= now:
            row.status = OutboxStatus.EXPIRED
        else:
            live.append(row)
    # Before quiet hours and the budget: a moot message neither waits nor spends the budget.
    withdrawn = await vet(session, live, now=now)
    for row in live:
        if row.id in withdrawn:
            row.status, row.due_at = OutboxStatus.CANCELLED, now
            row.last_error = withdrawn[row.id][:200]
    live = [r for r in live if r.id not in withdrawn]
    budgeted = sorted({r.recipient_id for r in live if r.recipient_id and r.weekly_budget})
    spent = await _budget_spent(session, budgeted, now)
    claimed = []
    for row in live:
        when = now
        if row.recipient_id and row.quiet_start is not None and row.quiet_end is not None:
            when = after_quiet_hours(now, row.recipient_tz, row.quiet_start, row.quiet_end)
        if when <= now and row.recipient_id and row.weekly_budget:
            when = after_budget(spent[row.recipient_id], row.weekly_budget, now)
            if when <= now:
                spent[row.recipient_id].append(now)  # a later row in this batch sees it
        if when > now:
            row.status = OutboxStatus.PENDING
            row.due_at = when
            continue
        row.status = OutboxStatus.SENDING
        row.due_at = now + LEASE
        row.attempts += 1
        claimed.append(
            Claimed(
                row.id,
                row.key,
                row.kind,
                row.team_id,
                row.channel_id,
                row.params,
                row.attempts,
                row.slot_at,
            )
        )
        row.slot_at = None  # the sender keeps it, or gives it back with the message
    return claimed


async def _budget_spent(
    session: AsyncSession, recipients: list[str], now: datetime
) -> dict[str, list[datetime]]:
    """Budgeted messages each recipient got in the window, or is being sent right now.

    On PostgreSQL a per-recipient advisory lock (taken in a fixed order) makes two senders
    count one person's budget one after the other."""
    spent: dict[str, list[datetime]] = {r: [] for r in recipients}
    if not recipients:
        return spent
    if session.get_bind().dialect.name == "postgresql":
        for recipient in recipients:
            await session.execute(
                select(func.pg_advisory_xact_lock(func.hashtext("outbox:" + recipient)))
            )
    rows = await session.execute(
        select(Outbox.recipient_id, Outbox.sent_at, Outbox.due_at).where(
            Outbox.recipient_id.in_(recipients),
            Outbox.weekly_budget.is_not(None),
            or_(
                Outbox.sent_at > now - BUDGET_WINDOW,
                (Outbox.status == OutboxStatus.SENDING) & (Outbox.due_at > now),
            ),
        )
    )
    for recipient_id, sent_at, _ in rows:
        assert recipient_id is not None  # only recipients IN the list above
        spent[recipient_id].append(sent_at or now)
    return spent


@dataclass(frozen=True)
class Backlog:
    depth: int  # messages waiting or being sent
    oldest_due: datetime | None  # the due time of the oldest that may go now


async def backlog(session: AsyncSession, *, now: datetime) -> Backlog:
    """The outbox's backlog, for monitoring: two reads of the claimable rows' partial index
    (its predicate written out, so PostgreSQL's planner can match it), not of the table."""
    claimable = text(OUTBOX_CLAIMABLE)
    depth = await session.scalar(select(func.count()).select_from(Outbox).where(claimable))
    oldest = await session.scalar(
        select(func.min(Outbox.due_at)).where(claimable, Outbox.due_at <= now)
    )
    return Backlog(depth or 0, oldest)


async def set_channel(session: AsyncSession, *, outbox_id: int, channel_id: str) -> None:
    """Where the message goes, learnt on the way (a conversation its sender opened)."""
    await session.execute(
        update(Outbox).where(Outbox.id == outbox_id).values(channel_id=channel_id)
    )


async def statuses(session: AsyncSession, keys: Iterable[str]) -> dict[str, OutboxStatus]:
    """Where each of these messages stands, by key."""
    found = await session.execute(
        select(Outbox.key, Outbox.status).where(Outbox.key.in_(list(keys)))
    )
    return {key: status for key, status in found}


async def requeue_failed(session: AsyncSession, keys: Iterable[str], *, now: datetime) -> int:
    """Messages with these keys that failed for good are tried again from the start."""
    result = await session.execute(
        update(Outbox)
        .where(Outbox.key.in_(list(keys)), Outbox.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, due_at=now, attempts=0, slot_at=None)
    )
    return rowcount(result) or 0


def retry_delay(attempts: int) -> timedelta:
    """Back off 30 s, 1 min, 2 min, ... up to an hour."""
    return timedelta(seconds=min(30 * 2 ** max(0, attempts - 1), 3600))


async def mark_sent(
    session: AsyncSession, *, outbox_id: int, ts: str | None, now: datetime
) -> bool:
    """Sent; unless it was queued again while it went (`queue_again`): then it goes again,
    and this says False."""
    result = await session.execute(_mark_sent(), {"outbox_id": outbox_id, "ts": ts, "now": now})
    return rowcount(result) == 1


@cache
def _mark_sent() -> Update:
    """mark_sent's statement, built once (every message sent runs it)."""
    outbox = Outbox.__table__
    return (
        update(outbox)
        .where(outbox.c.id == bindparam("outbox_id"), outbox.c.status != OutboxStatus.PENDING)
        .values(
            status=OutboxStatus.SENT,
            slack_ts=bindparam("ts", type_=outbox.c.slack_ts.type),
            sent_at=bindparam("now", type_=outbox.c.sent_at.type),
            last_error=None,
        )
    )


async def mark_failed(session: AsyncSession, *, outbox_id: int, error: str, now: datetime) -> None:
    await session.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id)
        .values(status=OutboxStatus.FAILED, last_error=error[:200], due_at=now)
    )


@dataclass(frozen=True)
class Wait:
    """A claimed message put back to wait for its slot, which it keeps."""

    outbox_id: int
    attempts: int  # as before this claim
    due_at: datetime  # when a sender should pick it up again
    slot_at: datetime


async def wait_for_slots(session: AsyncSession, waits: Sequence[Wait]) -> None:
    """Put claimed messages back, each holding its slot, all in one statement."""
    if waits:
        await session.flush()  # the claim's own changes first, then these over them
        await session.execute(
            update(Outbox),
            [
                {
                    "id": w.outbox_id,
                    "status": OutboxStatus.PENDING,
                    "due_at": w.due_at,
                    "slot_at": w.slot_at,
                    "attempts": w.attempts,
                }
                for w in waits
            ],
        )


async def release(
    session: AsyncSession,
    *,
    outbox_id: int,
    due_at: datetime,
    error: str | None = None,
    undo_attempt: bool = False,
    slot_at: datetime | None = None,
) -> None:
    """Put a claimed message back to go at `due_at` (a retry, a rate limit, the pace), holding
    the slot `slot_at` for its next call when given."""
    values: dict[str, Any] = {"status": OutboxStatus.PENDING, "due_at": due_at, "slot_at": slot_at}
    if error is not None:
        values["last_error"] = error[:200]
    if undo_attempt:
        values["attempts"] = Outbox.attempts - 1
    await session.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id, Outbox.status == OutboxStatus.SENDING)
        .values(**values)
    )
