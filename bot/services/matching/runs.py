"""Match runs: the engine's result saved as a preview, the lead's pins and exclusions, approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import rowcount
from bot.models import (
    ConstraintKind,
    MatchRun,
    MatchRunStatus,
    Pair,
    PairConstraint,
    PairStatus,
    Participant,
    ParticipantStatus,
    Programme,
    ProgrammeStatus,
    Role,
)
from bot.services import outbox
from bot.services.matching.model import DEFAULT_WEIGHTS, MatchInput, MatchResult
from bot.services.outbox import Kind, Message
from bot.services.pairs import APPROVED, PairFacts, facts, with_people
from bot.services.programmes import ProgrammeError, find_programmes

MATCHABLE = (ProgrammeStatus.MATCHING, ProgrammeStatus.RUNNING)


class RunError(ProgrammeError):
    """A stale or refused step on a preview, worded for the lead."""


class NotInRole(RunError):
    """A pin or forbid named someone who is not signed up on that side of the programme."""

    def __init__(self, *, user_id: str, role: Role) -> None:
        super().__init__(f"That person is not a {role.value} in this programme.")
        self.user_id = user_id
        self.role = role


@dataclass(frozen=True)
class PreviewPair:
    pair_id: int
    mentor_id: str
    mentor_name: str
    mentee_id: str
    mentee_name: str
    score: float
    explanation: str
    pinned: bool


@dataclass(frozen=True)
class PreviewUnmatched:
    user_id: str
    name: str
    role: str
    reason: str


@dataclass(frozen=True)
class Preview:
    run_id: int
    programme_id: int
    programme_name: str
    status: MatchRunStatus
    pairs: tuple[PreviewPair, ...]
    unmatched: tuple[PreviewUnmatched, ...]
    mentor_count: int
    mentee_count: int
    best_score: float  # the most one pair can score under the programme's weights

    @property
    def mean_score(self) -> float:
        return sum(p.score for p in self.pairs) / len(self.pairs) if self.pairs else 0.0

    @property
    def share_matched(self) -> float:
        """Mentees in the pool who got a mentor."""
        return len(self.pairs) / self.mentee_count if self.mentee_count else 0.0


@dataclass(frozen=True)
class Approval:
    programme_name: str
    pairs: tuple[PairFacts, ...]
    unmatched_user_ids: tuple[str, ...]
    keys: tuple[str, ...] = ()  # the introductions it queued in the outbox


def intro_key(pair_id: int) -> str:
    return f"intro:{pair_id}"


def introduction(team_id: str, pair_id: int) -> Message:
    """The pair's introduction: the sender opens their group DM, then posts it there."""
    return Message(
        key=intro_key(pair_id),
        kind=Kind.INTRO,
        team_id=team_id,
        channel_id="",  # the group DM's id, once opened
        params={"pair_id": pair_id},
        pair_id=pair_id,
    )


async def matchable_programmes(
    session: AsyncSession, *, team_id: str, name: str | None = None, lead_id: str | None = None
) -> list[Programme]:
    return await find_programmes(
        session, team_id=team_id, statuses=MATCHABLE, name=name, lead_id=lead_id
    )


def best_score(programme: Programme) -> float:
    return sum({**DEFAULT_WEIGHTS, **(programme.matching_weights or {})}.values())


async def _participants_by_user(session: AsyncSession, programme_id: int) -> dict[str, Participant]:
    people = await session.scalars(
        select(Participant).where(Participant.programme_id == programme_id)
    )
    return {p.user_id: p for p in people}


async def _retire_previews(session: AsyncSession, *, programme_id: int, now: datetime) -> None:
    """Older previews give way: their proposed pairs go, their buttons go stale."""
    await session.execute(
        delete(Pair).where(Pair.programme_id == programme_id, Pair.status == PairStatus.PROPOSED)
    )
    await session.execute(
        update(MatchRun)
        .where(MatchRun.programme_id == programme_id, MatchRun.status == MatchRunStatus.PREVIEWING)
        .values(status=MatchRunStatus.SUPERSEDED, decided_at=now)
    )


async def save_run(
    session: AsyncSession,
    *,
    programme: Programme,
    data: MatchInput,
    result: MatchResult,
    lead_id: str,
    now: datetime,
) -> MatchRun:
    """Store a result as the programme's one current preview."""
    await _retire_previews(session, programme_id=programme.id, now=now)
    people = await _participants_by_user(session, programme.id)
    run = MatchRun(
        programme_id=programme.id,
        status=MatchRunStatus.PREVIEWING,
        mentor_count=len(data.mentors),
        mentee_count=len(data.mentees),
        unmatched=[
            {"user_id": u.person_id, "role": u.role, "reason": u.reason} for u in result.unmatched
        ],
        created_by=lead_id,
        created_at=now,
    )
    session.add(run)
    await session.flush()
    session.add_all(
        Pair(
            programme_id=programme.id,
            match_run_id=run.id,
            mentor_id=people[p.mentor_id].id,
            mentee_id=people[p.mentee_id].id,
            status=PairStatus.PROPOSED,
            score=round(p.score, 3),
            explanation=p.explanation,
            pinned=p.pinned,
            created_at=now,
            updated_at=now,
        )
        for p in result.pairs
    )
    return run


async def set_preview_message(
    session: AsyncSession, *, run_id: int, channel_id: str, ts: str
) -> None:
    await session.execute(
        update(MatchRun)
        .where(MatchRun.id == run_id)
        .values(preview_channel_id=channel_id, preview_ts=ts)
    )


async def load_preview(session: AsyncSession, *, team_id: str, run_id: int) -> Preview | None:
    row = (
        await session.execute(
            select(MatchRun, Programme)
            .join(Programme, Programme.id == MatchRun.programme_id)
            .where(MatchRun.id == run_id, Programme.team_id == team_id)
        )
    ).first()
    if row is None:
        return None
    run, programme = row
    pairs = await session.scalars(
        select(Pair).where(Pair.match_run_id == run.id).options(*with_people())
    )
    names = {
        user: name
        for user, name in await session.execute(
            select(Participant.user_id, Participant.display_name).where(
                Participant.programme_id == programme.id
            )
        )
    }
    return Preview(
        run_id=run.id,
        programme_id=programme.id,
        programme_name=programme.name,
        status=run.status,
        pairs=tuple(
            sorted(
                (
                    PreviewPair(
                        pair_id=p.id,
                        mentor_id=p.mentor.user_id,
                        mentor_name=p.mentor.display_name or p.mentor.user_id,
                        mentee_id=p.mentee.user_id,
                        mentee_name=p.mentee.display_name or p.mentee.user_id,
                        score=p.score,
                        explanation=p.explanation,
                        pinned=p.pinned,
                    )
                    for p in pairs
                ),
                # Weakest first: those are the pairs a lead should look at.
                key=lambda p: (p.score, p.mentee_name, p.pair_id),
            )
        ),
        unmatched=tuple(
            PreviewUnmatched(
                u["user_id"], names.get(u["user_id"]) or u["user_id"], u["role"], u["reason"]
            )
            for u in run.unmatched
        ),
        mentor_count=run.mentor_count,
        mentee_count=run.mentee_count,
        best_score=best_score(programme),
    )


async def current_run(session: AsyncSession, *, team_id: str, run_id: int) -> MatchRun:
    """The run, if it is still the preview to act on; otherwise why not."""
    run = await session.scalar(
        select(MatchRun)
        .join(Programme, Programme.id == MatchRun.programme_id)
        .where(MatchRun.id == run_id, Programme.team_id == team_id)
    )
    if run is None:
        raise RunError("That preview no longer exists.")
    if run.status == MatchRunStatus.SUPERSEDED:
        raise RunError("This preview was replaced by a newer one; use the newest preview.")
    if run.status == MatchRunStatus.APPROVED:
        raise RunError(f"This preview was already approved on {run.decided_at:%d %b %Y %H:%M} UTC.")
    if run.status == MatchRunStatus.DISCARDED:
        raise RunError("This preview was discarded. Run /mentoring-admin match again.")
    return run


async def add_constraint(
    session: AsyncSession,
    *,
    programme_id: int,
    mentor_user: str,
    mentee_user: str,
    kind: ConstraintKind,
    lead_id: str,
    now: datetime,
) -> None:
    """Pin or forbid a pair for the next run; a pin and a forbid of one pair cancel out."""
    people = await _participants_by_user(session, programme_id)
    mentor, mentee = people.get(mentor_user), people.get(mentee_user)
    if mentor is None or mentor.role != Role.MENTOR or mentor.status != ParticipantStatus.SIGNED_UP:
        raise NotInRole(user_id=mentor_user, role=Role.MENTOR)
    if mentee is None or mentee.role != Role.MENTEE or mentee.status != ParticipantStatus.SIGNED_UP:
        raise NotInRole(user_id=mentee_user, role=Role.MENTEE)
    opposite = ConstraintKind.FORBID if kind == ConstraintKind.PIN else ConstraintKind.PIN
    await session.execute(
        delete(PairConstraint).where(
            PairConstraint.programme_id == programme_id,
            PairConstraint.mentor_id == mentor.id,
            PairConstraint.mentee_id == mentee.id,
            PairConstraint.kind.in_((opposite, kind)),
        )
    )
    if kind == ConstraintKind.PIN:
        # One pin per mentee: the newest wins.
        await session.execute(
            delete(PairConstraint).where(
                PairConstraint.programme_id == programme_id,
                PairConstraint.mentee_id == mentee.id,
                PairConstraint.kind == ConstraintKind.PIN,
            )
        )
    session.add(
        PairConstraint(
            programme_id=programme_id,
            mentor_id=mentor.id,
            mentee_id=mentee.id,
            kind=kind,
            created_by=lead_id,
            created_at=now,
        )
    )


async def proposed_pair_people(
    session: AsyncSession, *, run_id: int, pair_id: int
) -> tuple[str, str, int]:
    """(mentor user, mentee user, programme id) of a pair in a preview."""
    pair = await session.scalar(
        select(Pair).where(Pair.id == pair_id, Pair.match_run_id == run_id).options(*with_people())
    )
    if pair is None:
        raise RunError("That pair is no longer in the preview.")
    return pair.mentor.user_id, pair.mentee.user_id, pair.programme_id


async def approve(session: AsyncSession, *, team_id: str, run_id: int, now: datetime) -> Approval:
    """Approve a preview once: its pairs are introduced, the programme is running."""
    await current_run(session, team_id=team_id, run_id=run_id)
    claimed = await session.execute(
        update(MatchRun)
        .where(MatchRun.id == run_id, MatchRun.status == MatchRunStatus.PREVIEWING)
        .values(status=MatchRunStatus.APPROVED, decided_at=now)
    )
    if rowcount(claimed) != 1:  # another click got there first
        raise RunError("This preview was already approved.")
    run = await session.get(MatchRun, run_id)
    assert run is not None
    programme = await session.get(Programme, run.programme_id)
    assert programme is not None
    if programme.status == ProgrammeStatus.MATCHING:
        programme.status = ProgrammeStatus.RUNNING
        programme.updated_at = now
    proposed = list(
        await session.scalars(
            select(Pair)
            .where(Pair.match_run_id == run_id, Pair.status == PairStatus.PROPOSED)
            .options(*with_people())
            .order_by(Pair.id)  # the preview's order, whichever plan reads the pairs
        )
    )
    introduced = []
    for pair in proposed:
        if ParticipantStatus.WITHDRAWN in (pair.mentor.status, pair.mentee.status):
            await session.delete(pair)  # left after the preview was made
            continue
        pair.status = PairStatus.INTRODUCED
        pair.introduced_at = now
        pair.updated_at = now
        introduced.append(facts(pair, programme.name))
    people = await _participants_by_user(session, programme.id)
    # Someone left over in an earlier round already knows; nobody hears it twice.
    told = {
        u["user_id"]
        for earlier in await session.scalars(
            select(MatchRun.unmatched).where(
                MatchRun.programme_id == programme.id,
                MatchRun.status == MatchRunStatus.APPROVED,
                MatchRun.id != run_id,
            )
        )
        for u in earlier
    }
    still_waiting = tuple(
        u["user_id"]
        for u in run.unmatched
        if u["user_id"] not in told
        and u["user_id"] in people
        and people[u["user_id"]].status == ParticipantStatus.SIGNED_UP
    )
    messages = [introduction(programme.team_id, pair.id) for pair in introduced]
    await outbox.enqueue(session, messages, now=now)
    keys = tuple(m.key for m in messages)
    return Approval(programme.name, tuple(introduced), still_waiting, keys)


async def discard(session: AsyncSession, *, team_id: str, run_id: int, now: datetime) -> None:
    run = await current_run(session, team_id=team_id, run_id=run_id)
    await session.execute(delete(Pair).where(Pair.match_run_id == run.id))
    run.status = MatchRunStatus.DISCARDED
    run.decided_at = now


async def queue_pending_intros(
    session: AsyncSession, *, programme_id: int, now: datetime
) -> list[str]:
    """Approved pairs whose introduction has not reached Slack get it queued (if it never was)
    or tried again (if Slack refused it for good); the keys of their introductions."""
    rows = await session.execute(
        select(Pair.id, Programme.team_id)
        .join(Programme, Programme.id == Pair.programme_id)
        .where(
            Pair.programme_id == programme_id,
            Pair.status.in_(APPROVED),
            Pair.intro_ts.is_(None),
        )
        .order_by(Pair.id)
    )
    messages = [introduction(team_id, pair_id) for pair_id, team_id in rows]
    await outbox.enqueue(session, messages, now=now)
    keys = [m.key for m in messages]
    await outbox.requeue_failed(session, keys, now=now)
    return keys
