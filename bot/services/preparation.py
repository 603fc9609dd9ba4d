"""Preparation tracks: each side's lessons (resources of the library with a place in the
track), delivered to each participant's DM one at a time from sign-up until their pair's first
session, each marked done with one tap. The programme may make the chemistry meeting wait
until both of a pair have finished; leads see only how many of each side have. Plain values
in and out; no Slack."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    LessonProgress,
    Pair,
    Participant,
    ParticipantStatus,
    Programme,
    Resource,
    Role,
    SessionLog,
    Sweep,
)
from bot.services import outbox, sweeping
from bot.services.errors import Refused
from bot.services.outbox import Kind, Message, Quiet
from bot.services.resources import AUDIENCES, POSTING
from bot.services.workspaces import installed

SIDE_WORDS = {Role.MENTOR: "mentors", Role.MENTEE: "mentees"}
# A lesson shown beside others (what is left) shows this much of its text.
EXCERPT = 300


class LessonError(Refused):
    pass


@dataclass(frozen=True)
class Lesson:
    """One lesson as a person gets it: where it stands in their track and whether it is done."""

    progress_id: int
    resource_id: int
    title: str
    url: str | None
    body: str
    number: int
    of: int
    done: bool


@dataclass(frozen=True)
class Marked:
    """A lesson marked done, and how many of the person's track are left."""

    lesson: Lesson
    programme: str
    left: int


@dataclass(frozen=True)
class SideCount:
    """How many of one side have finished their track; `shown` is False under the
    programme's minimum group size, when the count would point at people."""

    side: str
    finished: int
    people: int
    shown: bool


async def track(session: AsyncSession, *, programme_id: int, side: Role) -> list[Resource]:
    """A side's lessons (theirs and both sides'), in the order they are sent."""
    audiences = [a for a, sides in AUDIENCES.items() if side in sides]
    return list(
        await session.scalars(
            select(Resource)
            .where(
                Resource.programme_id == programme_id,
                Resource.removed_at.is_(None),
                Resource.lesson.is_not(None),
                Resource.audience.in_(audiences),
            )
            .order_by(Resource.lesson, Resource.id)
        )
    )


async def tracks(session: AsyncSession, *, programme_id: int) -> dict[Role, list[Resource]]:
    return {side: await track(session, programme_id=programme_id, side=side) for side in Role}


def quiet_for(programme: Programme, person: Participant) -> Quiet:
    return Quiet.of(programme, person.user_id, person.tz)


def lesson_of(progress: LessonProgress, resource: Resource, theirs: Sequence[Resource]) -> Lesson:
    ids = [r.id for r in theirs]
    number = ids.index(resource.id) + 1 if resource.id in ids else len(ids)
    return Lesson(
        progress.id,
        resource.id,
        resource.title,
        resource.url,
        resource.body,
        number,
        max(len(ids), number),
        progress.done_at is not None,
    )


def lesson_message(programme: Programme, person: Participant, lesson: Lesson) -> Message:
    """A lesson for the person's DM; its key sends each lesson to each person once."""
    return Message(
        key=f"lesson:{person.id}:{lesson.resource_id}",
        kind=Kind.LESSON,
        team_id=programme.team_id,
        channel_id=person.user_id,
        params={
            "programme_id": programme.id,
            "programme": programme.name,
            "resource_id": lesson.resource_id,
            "progress_id": lesson.progress_id,
            "title": lesson.title,
            "url": lesson.url,
            "body": lesson.body,
            "number": lesson.number,
            "of": lesson.of,
        },
        quiet=quiet_for(programme, person),
        participant_id=person.id,
    )


async def record_sent(
    session: AsyncSession, person: Participant, resource: Resource, *, now: datetime
) -> LessonProgress:
    """Record the lesson as sent to the person (once: a second call finds the first)."""
    found = await session.scalar(
        select(LessonProgress).where(
            LessonProgress.participant_id == person.id,
            LessonProgress.resource_id == resource.id,
        )
    )
    if found is not None:
        return found
    progress = LessonProgress(participant_id=person.id, resource_id=resource.id, sent_at=now)
    session.add(progress)
    await session.flush()
    return progress


async def _sent(
    session: AsyncSession, participant_ids: Sequence[int]
) -> dict[int, dict[int, LessonProgress]]:
    """Each person's lessons sent so far, by resource id."""
    sent: dict[int, dict[int, LessonProgress]] = defaultdict(dict)
    if participant_ids:
        for row in await session.scalars(
            select(LessonProgress).where(LessonProgress.participant_id.in_(participant_ids))
        ):
            sent[row.participant_id][row.resource_id] = row
    return sent


def _started(programme_id: int) -> Select[int]:
    """People whose pair (in this programme) has logged its first session: their preparation
    is over."""
    return (
        select(Participant.id)
        .join(Pair, or_(Pair.mentor_id == Participant.id, Pair.mentee_id == Participant.id))
        .join(SessionLog, SessionLog.pair_id == Pair.id)
        .where(Pair.programme_id == programme_id)
    )


async def queue_due(
    session: AsyncSession,
    *,
    programme: Programme,
    now: datetime,
    people: Sequence[Participant] | None = None,
) -> int:
    """Each person's next lesson, when it is due: the first of their track not yet sent, once
    `lesson_every_days` have passed since the last (the first at the first sweep after
    sign-up). Nobody whose pair has held its first session gets one."""
    lanes = await tracks(session, programme_id=programme.id)
    if not any(lanes.values()):
        return 0
    if people is None:
        people = list(
            await session.scalars(
                select(Participant)
                .where(
                    Participant.programme_id == programme.id,
                    Participant.status == ParticipantStatus.SIGNED_UP,
                    Participant.id.not_in(_started(programme.id)),
                )
                .order_by(Participant.id)  # lessons queue in sign-up order, run after run
            )
        )
    sent = await _sent(session, [p.id for p in people])
    spacing = timedelta(days=programme.lesson_every_days)
    messages = []
    for person in people:
        theirs, had = lanes[person.role], sent.get(person.id, {})
        if had and now - max(p.sent_at for p in had.values()) < spacing:
            continue
        due = next((r for r in theirs if r.id not in had), None)
        if due is None:
            continue
        progress = await record_sent(session, person, due, now=now)
        messages.append(lesson_message(programme, person, lesson_of(progress, due, theirs)))
    return await outbox.enqueue(session, messages, now=now)


async def sweep(session: AsyncSession, *, now: datetime) -> sweeping.Queued:
    """Queue every due lesson, each programme in its own savepoint, claimed for this replica."""
    await outbox.begin_claim(session)
    query = select(Programme).where(Programme.status.in_(POSTING), installed(Programme.team_id))
    rows = await sweeping.claimed(
        session, query, sweep=Sweep.PREPARATION, item_id=Programme.id, now=now
    )

    async def step(programme: Programme) -> int:
        return await queue_due(session, programme=programme, now=now)

    done = await sweeping.each(
        session,
        items=[row[0] for row in rows],
        step=step,
        sweep=Sweep.PREPARATION,
        key=lambda p: p.id,
        now=now,
    )
    return sweeping.Queued.of(done)


async def mark_done(
    session: AsyncSession, *, team_id: str, user_id: str, progress_id: int, now: datetime
) -> Marked:
    """The lesson marked done by the person it was sent to; pressed again, it stays done."""
    row = (
        await session.execute(
            select(LessonProgress, Participant, Resource, Programme)
            .join(Participant, Participant.id == LessonProgress.participant_id)
            .join(Resource, Resource.id == LessonProgress.resource_id)
            .join(Programme, Programme.id == Participant.programme_id)
            .where(LessonProgress.id == progress_id, Programme.team_id == team_id)
        )
    ).first()
    if row is None or row[1].user_id != user_id:
        raise LessonError("This lesson was sent to someone else, so the button did nothing.")
    progress, person, resource, programme = row
    if person.status != ParticipantStatus.SIGNED_UP:
        raise LessonError("You have left this programme, so there is nothing to mark.")
    if progress.done_at is None:
        progress.done_at = now
    theirs = await track(session, programme_id=programme.id, side=person.role)
    left = await lessons_left(session, person=person, theirs=theirs)
    return Marked(lesson_of(progress, resource, theirs), programme.name, len(left))


async def lessons_left(
    session: AsyncSession, *, person: Participant, theirs: Sequence[Resource] | None = None
) -> list[tuple[Resource, LessonProgress | None]]:
    """The lessons of the person's track not marked done, with what was sent of them."""
    if theirs is None:
        theirs = await track(session, programme_id=person.programme_id, side=person.role)
    had = (await _sent(session, [person.id])).get(person.id, {})
    return [(r, had.get(r.id)) for r in theirs if had.get(r.id) is None or not had[r.id].done_at]


async def completion(session: AsyncSession, *, programme: Programme) -> list[SideCount]:
    """How many signed-up people of each side have marked every lesson of their track done:
    counts only, and none for a side smaller than the programme's minimum group size."""
    minimum = max(3, programme.min_survey_respondents)
    counts = []
    for side in Role:
        theirs = [r.id for r in await track(session, programme_id=programme.id, side=side)]
        people = select(Participant.id).where(
            Participant.programme_id == programme.id,
            Participant.role == side,
            Participant.status == ParticipantStatus.SIGNED_UP,
        )
        total = await session.scalar(select(func.count()).select_from(people.subquery())) or 0
        finished = total
        if theirs:
            done = (
                select(LessonProgress.participant_id)
                .where(
                    LessonProgress.participant_id.in_(people),
                    LessonProgress.resource_id.in_(theirs),
                    LessonProgress.done_at.is_not(None),
                )
                .group_by(LessonProgress.participant_id)
                .having(func.count() == len(theirs))
            )
            finished = await session.scalar(select(func.count()).select_from(done.subquery())) or 0
        counts.append(SideCount(SIDE_WORDS[side], finished, total, total >= minimum))
    return counts
