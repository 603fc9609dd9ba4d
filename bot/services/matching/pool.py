"""The engine's input from the database: who is still to be matched, under which rules."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    ConstraintKind,
    MentorRequest,
    Pair,
    PairConstraint,
    PairStatus,
    Participant,
    ParticipantStatus,
    Programme,
    RequestStatus,
    Role,
)
from bot.services.matching.model import Candidate, MatchInput, Rules

ACTIVE = (PairStatus.INTRODUCED, PairStatus.CONFIRMED)


def utc_offset_hours(tz: str | None, at: datetime) -> float:
    try:
        offset = ZoneInfo(tz or "UTC").utcoffset(at)
    except (ZoneInfoNotFoundError, ValueError):
        return 0.0
    return offset.total_seconds() / 3600 if offset else 0.0


def candidate(participant: Participant, at: datetime, taken: int = 0) -> Candidate:
    # Engine ids are Slack user ids, so line managers outside the programme still count.
    return Candidate(
        taken=taken,
        id=participant.user_id,
        department=participant.department,
        grade_level=participant.grade_level,
        topics=frozenset(participant.topics),
        personality=participant.personality.value,
        medium=participant.preferred_medium.value,
        utc_offset_hours=utc_offset_hours(participant.tz, at),
        manager_id=participant.line_manager_id,
    )


async def _chosen(
    session: AsyncSession,
    programme_id: int,
    by_id: dict[int, Participant],
    *,
    pinned: set[tuple[str, str]],
    forbidden: set[tuple[str, str]],
) -> set[tuple[str, str]]:
    """Pairs mentees chose and mentors accepted, to pin: not one the lead forbade or that
    ended, nor for a mentee the lead pinned to someone else. A mentor's "no" to a mentee is
    added to `forbidden`, so the lead's run never proposes what the mentor declined."""
    requests = await session.scalars(
        select(MentorRequest).where(
            MentorRequest.programme_id == programme_id,
            MentorRequest.status.in_((RequestStatus.ACCEPTED, RequestStatus.DECLINED)),
        )
    )
    accepted: set[tuple[str, str]] = set()
    for request in requests:
        key = (by_id[request.mentor_id].user_id, by_id[request.mentee_id].user_id)
        (accepted if request.status == RequestStatus.ACCEPTED else forbidden).add(key)
    placed = {mentee for _, mentee in pinned}
    return {k for k in accepted if k not in forbidden and k[1] not in placed}


async def load_pool(session: AsyncSession, *, programme: Programme, at: datetime) -> MatchInput:
    """Everyone signed up and not yet in an introduced or confirmed pair, and mentors with
    room for another mentee; the pairs mentees chose and mentors accepted are pinned."""
    people = list(
        (
            await session.scalars(
                select(Participant)
                .where(Participant.programme_id == programme.id)
                .order_by(Participant.id)  # sign-up order, whichever plan reads the table
            )
        ).all()
    )
    by_id = {p.id: p for p in people}
    paired_mentees: set[int] = set()
    mentees_of: Counter[int] = Counter()
    forbidden: set[tuple[str, str]] = set()
    for pair in await session.scalars(select(Pair).where(Pair.programme_id == programme.id)):
        if pair.status in ACTIVE:
            paired_mentees.add(pair.mentee_id)
            mentees_of[pair.mentor_id] += 1
        elif pair.status == PairStatus.DISSOLVED:
            forbidden.add((by_id[pair.mentor_id].user_id, by_id[pair.mentee_id].user_id))
    pinned: set[tuple[str, str]] = set()
    constraints = await session.scalars(
        select(PairConstraint).where(PairConstraint.programme_id == programme.id)
    )
    for constraint in constraints:
        key = (by_id[constraint.mentor_id].user_id, by_id[constraint.mentee_id].user_id)
        (pinned if constraint.kind == ConstraintKind.PIN else forbidden).add(key)
    pinned |= await _chosen(session, programme.id, by_id, pinned=pinned, forbidden=forbidden)

    capacity = max(programme.mentor_capacity, 1)
    pool = [
        p
        for p in people
        if p.status == ParticipantStatus.SIGNED_UP
        and p.id not in paired_mentees
        and mentees_of[p.id] < capacity
    ]
    rules = Rules(
        mentor_more_junior=programme.rule_mentor_more_junior,
        outside_reporting_line=programme.rule_outside_reporting_line,
        reporting_line_depth=programme.reporting_line_depth,
        cross_department=programme.rule_cross_department,
        max_tz_gap_hours=programme.max_tz_gap_hours,
        mentor_capacity=programme.mentor_capacity,
        **({"weights": dict(programme.matching_weights)} if programme.matching_weights else {}),
    )
    return MatchInput(
        mentors=tuple(candidate(p, at, mentees_of[p.id]) for p in pool if p.role == Role.MENTOR),
        mentees=tuple(candidate(p, at) for p in pool if p.role == Role.MENTEE),
        rules=rules,
        pinned=frozenset(pinned),
        forbidden=frozenset(forbidden),
        managers={p.user_id: p.line_manager_id for p in people if p.line_manager_id},
    )
