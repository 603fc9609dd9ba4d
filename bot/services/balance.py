"""Balance: after each logged session each of the pair says, privately, who did most of the
teaching. A session leans the wrong way when either of them says the mentee did (reverse
mentoring means the junior mentor teaches); two logged sessions in a row that lean so are a
drift back to the hierarchy, and then the mentor gets a coaching tip and the mentee a reminder
of the reverse roles, each in their own DM, once per drift. Nobody else ever sees an answer:
not the partner, not a lead, who gets only a count of pairs drifting, over enough pairs.
Plain values; no Slack."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    BalanceAnswer,
    Programme,
    ProgrammeStatus,
    Role,
    SessionLog,
    Taught,
)
from bot.services import outbox
from bot.services.outbox import Kind, Message, Quiet
from bot.services.pairs import Member, PairError, PairFacts, confirmed_pair_for_member

DRIFT_KINDS = (Kind.DRIFT_TIP, Kind.DRIFT_ROLES)
CLOSED = "This question has closed: your next session is logged already."


@dataclass(frozen=True)
class Held:
    """One logged session of a pair, and the balance answers given for it so far."""

    session_id: int
    held_on: date
    answers: tuple[Taught, ...]

    @property
    def leans_wrong(self) -> bool:
        """Either of the pair says the mentee did most of the teaching."""
        return Taught.MENTEE in self.answers


def drift_start(sessions: Sequence[Held]) -> int | None:
    """The first session of the drift the pair is in now: its latest sessions, two or more in
    a row, all leaning the wrong way; None when the latest two do not both lean so."""
    run = []
    for held in reversed(sessions):
        if not held.leans_wrong:
            break
        run.append(held)
    return run[-1].session_id if len(run) >= 2 else None


def drifted_from(sessions: Sequence[Held], start: int) -> bool:
    """Whether the drift that began at session `start` still stands: that session and the next
    one both lean the wrong way (answers may change until a later session is logged)."""
    ids = [h.session_id for h in sessions]
    if start not in ids:
        return False
    at = ids.index(start)
    return len(sessions) > at + 1 and all(h.leans_wrong for h in sessions[at : at + 2])


def assessed(sessions: Sequence[Held]) -> bool:
    """Whether the pair's latest two sessions are both answered: only then can it be said
    whether it drifts."""
    return len(sessions) >= 2 and all(h.answers for h in sessions[-2:])


async def sessions_of(session: AsyncSession, pair_ids: Iterable[int]) -> dict[int, list[Held]]:
    """Each pair's sessions in the order they were held, with their answers (one query)."""
    ids = sorted(set(pair_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(SessionLog.pair_id, SessionLog.id, SessionLog.held_on, BalanceAnswer.taught)
        .outerjoin(BalanceAnswer, BalanceAnswer.session_id == SessionLog.id)
        .where(SessionLog.pair_id.in_(ids))
        .order_by(SessionLog.pair_id, SessionLog.held_on, BalanceAnswer.id)
    )
    answers: dict[tuple[int, int, date], list[Taught]] = defaultdict(list)
    for pair_id, session_id, held_on, taught in rows:
        given = answers[(pair_id, session_id, held_on)]
        if taught is not None:
            given.append(taught)
    found: dict[int, list[Held]] = defaultdict(list)
    for (pair_id, session_id, held_on), given in answers.items():
        found[pair_id].append(Held(session_id, held_on, tuple(given)))
    return dict(found)


# --- Asking, after a session is logged -----------------------------------------------------


def question_key(session_id: int, participant_id: int) -> str:
    return f"balance:{session_id}:{participant_id}"


async def ask(
    session: AsyncSession,
    *,
    team_id: str,
    pair: PairFacts,
    session_id: int,
    held_on: date,
    now: datetime,
) -> tuple[str, ...]:
    """Queue the question to each of the pair, in their own DM, once per session (whoever
    logs it, however often); the keys of the messages queued."""
    messages = [
        Message(
            key=question_key(session_id, me.participant_id),
            kind=Kind.BALANCE_QUESTION,
            team_id=team_id,
            channel_id=me.user_id,
            params={
                "session_id": session_id,
                "participant_id": me.participant_id,
                "pair_id": pair.id,
                "role": me.role.value,
                "partner": partner.name,
                "held_on": held_on.isoformat(),
                "programme": pair.programme_name,
            },
            pair_id=pair.id,
            participant_id=me.participant_id,
        )
        for me, partner in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor))
    ]
    await outbox.enqueue(session, messages, now=now)
    return tuple(m.key for m in messages)


# --- Answering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    session_id: int
    participant_id: int
    role: Role
    partner: str
    held_on: date
    taught: Taught
    programme: str
    queued: tuple[str, ...]  # the drift messages queued by this answer, to send now


async def answer(
    session: AsyncSession,
    *,
    team_id: str,
    user_id: str,
    session_id: int,
    participant_id: int,
    taught: Taught,
    now: datetime,
) -> Answered:
    """Record (or change) the person's answer for a session of their pair: only the person the
    question was for, only while no later session of the pair is logged. Two sessions in a row
    leaning the wrong way queue the drift messages, once per drift."""
    log = await session.get(SessionLog, session_id)
    if log is None:
        raise PairError("That session is no longer there.")
    pair, info = await confirmed_pair_for_member(
        session,
        team_id=team_id,
        pair_id=log.pair_id,
        user_id=user_id,
        now=now,
        too_early="This pair is not confirmed.",
    )
    me = info.member(user_id)
    assert me is not None
    if me.participant_id != participant_id:
        raise PairError("This question was for your partner, so your answer was not saved.")
    status = await session.scalar(select(Programme.status).where(Programme.id == pair.programme_id))
    if status == ProgrammeStatus.CLOSED:
        raise PairError(f"“{info.programme_name}” is closed, so this question has closed too.")
    sessions = (await sessions_of(session, [pair.id])).get(pair.id, [])
    if sessions and sessions[-1].session_id != session_id:
        raise PairError(CLOSED)
    await _save(
        session, session_id=session_id, participant_id=participant_id, taught=taught, now=now
    )
    sessions = (await sessions_of(session, [pair.id]))[pair.id]
    start = drift_start(sessions)
    queued = () if start is None else await _drifting(session, team_id, info, start, now)
    return Answered(
        session_id,
        participant_id,
        me.role,
        info.other(user_id).name,
        log.held_on,
        taught,
        info.programme_name,
        queued,
    )


async def _save(
    session: AsyncSession, *, session_id: int, participant_id: int, taught: Taught, now: datetime
) -> None:
    row = await session.scalar(
        select(BalanceAnswer).where(
            BalanceAnswer.session_id == session_id, BalanceAnswer.participant_id == participant_id
        )
    )
    if row is None:
        session.add(
            BalanceAnswer(
                session_id=session_id,
                participant_id=participant_id,
                taught=taught,
                answered_at=now,
            )
        )
    elif row.taught != taught:
        row.taught, row.answered_at = taught, now
    await session.flush()


async def _drifting(
    session: AsyncSession, team_id: str, pair: PairFacts, start: int, now: datetime
) -> tuple[str, ...]:
    """The tip to the mentor and the reminder to the mentee, keyed by the drift's first
    session: a third session in a row is the same drift and queues nothing new. They wait for
    the end of each one's quiet hours (the answer that caused them may not be theirs)."""
    programme = await session.get(Programme, pair.programme_id)
    assert programme is not None

    def message(kind: Kind, key: str, me: Member, partner: Member) -> Message:
        return Message(
            key=f"{key}:{pair.id}:{start}",
            kind=kind,
            team_id=team_id,
            channel_id=me.user_id,
            params={
                "pair_id": pair.id,
                "since_session_id": start,
                "partner": partner.name,
                "programme": pair.programme_name,
            },
            quiet=Quiet.of(programme, me.user_id, me.tz, budgeted=False),
            pair_id=pair.id,
            participant_id=me.participant_id,
        )

    messages = [
        message(Kind.DRIFT_TIP, "drift-tip", pair.mentor, pair.mentee),
        message(Kind.DRIFT_ROLES, "drift-roles", pair.mentee, pair.mentor),
    ]
    await outbox.enqueue(session, messages, now=now)
    return tuple(m.key for m in messages)
