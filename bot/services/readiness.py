"""Whether a pair is ready for its chemistry meeting, as far as preparation goes: where the
programme makes the meeting wait, both must have finished their track first; the one asking is
shown what is left for them, and their partner gets one kind reminder a day. Plain values in
and out; no Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import LessonProgress, PairStatus, Participant, PreparationRule, Programme, Resource
from bot.services import outbox
from bot.services.outbox import Kind, Message
from bot.services.pairs import PairError, PairFacts, pair_for_member
from bot.services.preparation import (
    EXCERPT,
    Lesson,
    lesson_of,
    lessons_left,
    quiet_for,
    record_sent,
    track,
)

WAITING = "You both need to finish your preparation before the chemistry meeting."


@dataclass(frozen=True)
class Readiness:
    """Where a pair stands with their preparation, for the one asking to meet."""

    rule: PreparationRule
    programme: str
    left: int  # lessons the person asking has not marked done
    lessons: tuple[Lesson, ...]  # those lessons, when the meeting waits for them
    partner_left: int
    partner_name: str
    reminded: bool  # the partner's kind reminder was queued just now

    @property
    def finished(self) -> bool:
        return not self.left and not self.partner_left

    @property
    def waits(self) -> bool:
        return self.rule == PreparationRule.WAIT and not self.finished


async def _people(
    session: AsyncSession, info: PairFacts, user_id: str
) -> tuple[Programme, Participant, Participant]:
    programme = await session.get(Programme, info.programme_id)
    me = await session.get(Participant, info.member(user_id).participant_id)  # type: ignore[union-attr]
    partner = await session.get(Participant, info.other(user_id).participant_id)
    assert programme is not None and me is not None and partner is not None
    return programme, me, partner


async def _hand_out(
    session: AsyncSession,
    programme: Programme,
    person: Participant,
    left: list[tuple[Resource, LessonProgress | None]],
    *,
    now: datetime,
) -> list[Lesson]:
    """What is left for the person, each lesson recorded as sent (so its button works and the
    track's sweep does not send it again)."""
    theirs = await track(session, programme_id=programme.id, side=person.role)
    lessons = []
    for resource, progress in left:
        if progress is None:
            progress = await record_sent(session, person, resource, now=now)
        lessons.append(lesson_of(progress, resource, theirs))
    return lessons


def reminder_message(
    programme: Programme,
    partner: Participant,
    asker: str,
    lessons: list[Lesson],
    *,
    pair_id: int,
    now: datetime,
) -> Message:
    """One kind reminder a day to the partner the other is waiting for."""
    return Message(
        key=f"preparation_reminder:{pair_id}:{partner.id}:{now.date().isoformat()}",
        kind=Kind.PREPARATION_REMINDER,
        team_id=programme.team_id,
        channel_id=partner.user_id,
        params={
            "programme_id": programme.id,
            "programme": programme.name,
            "partner": asker,
            "lessons": [_shown(lesson) for lesson in lessons],
        },
        quiet=quiet_for(programme, partner),
        pair_id=pair_id,
        participant_id=partner.id,
    )


def _shown(lesson: Lesson) -> dict[str, object]:
    body = lesson.body if len(lesson.body) <= EXCERPT else lesson.body[:EXCERPT].rstrip() + "…"
    return {
        "progress_id": lesson.progress_id,
        "title": lesson.title,
        "url": lesson.url,
        "body": body,
        "number": lesson.number,
        "of": lesson.of,
    }


async def before_chemistry(
    session: AsyncSession, *, team_id: str, pair_id: int, user_id: str, now: datetime
) -> Readiness:
    """The pair's preparation, for one of them asking to arrange the chemistry meeting. Where
    the meeting waits, what is left for them comes with the answer and their partner, if not
    finished, is reminded (once a day)."""
    _, info = await pair_for_member(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    programme, me, partner = await _people(session, info, user_id)
    mine = await lessons_left(session, person=me)
    theirs = await lessons_left(session, person=partner)
    rule = (
        programme.preparation if info.status == PairStatus.INTRODUCED else PreparationRule.RECOMMEND
    )
    lessons: list[Lesson] = []
    reminded = False
    if rule == PreparationRule.WAIT and (mine or theirs):
        lessons = await _hand_out(session, programme, me, mine, now=now)
        if theirs:
            owed = await _hand_out(session, programme, partner, theirs, now=now)
            asker = me.display_name or me.user_id
            message = reminder_message(programme, partner, asker, owed, pair_id=info.id, now=now)
            reminded = await outbox.enqueue(session, [message], now=now) > 0
    return Readiness(
        rule,
        programme.name,
        len(mine),
        tuple(lessons),
        len(theirs),
        partner.display_name or partner.user_id,
        reminded,
    )


async def check_ready(session: AsyncSession, *, info: PairFacts, user_id: str) -> None:
    """Refuse times proposed while the meeting still waits for preparation (a form opened
    before, or sent by hand)."""
    programme, me, partner = await _people(session, info, user_id)
    if programme.preparation != PreparationRule.WAIT:
        return
    if await lessons_left(session, person=me) or await lessons_left(session, person=partner):
        raise PairError(WAITING)
