"""Retention for the lead's report: the share of the programme's mentors, and of its mentees,
still in the workspace (not deactivated in Slack) at the programme's end and 3, 6 and 12
months after (while it runs, so far), beside the same share of everyone in the workspace at
the programme's start, as a baseline.

Who counts: the programme's mentors and mentees who had not withdrawn before it started
and had not left by then; for the baseline, the workspace's full members (no bots, apps or
guests) active at the start. People are known from the first whole users.list pass on
(services/members), so a programme that started earlier takes the members that pass found
as its baseline. Only points already reached are shown, and a group smaller than the
programme's minimum shows no figure: nothing here says who left. Plain values; no Slack."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    MemberListing,
    Participant,
    ParticipantStatus,
    Programme,
    Role,
    WorkspaceMember,
)

SO_FAR = "so far"
END = "at the end"
MONTHS_AFTER = (3, 6, 12)


@dataclass(frozen=True)
class RetentionPoint:
    label: str  # "so far", "at the end", "3 months after", ...
    on: date
    mentors: float | None  # share still active; None: too few people to show
    mentees: float | None
    workspace: float | None  # None: too few, or the workspace not listed yet


@dataclass(frozen=True)
class Retention:
    starts_on: date
    ends_on: date
    minimum: int
    mentors: int  # people in each group at the programme's start
    mentees: int
    workspace: int | None  # None: Slack's list of the workspace not read yet
    points: list[RetentionPoint]

    @property
    def next_point(self) -> date | None:
        """When the next figure comes, if any is still to come."""
        reached = {p.on for p in self.points if p.label != SO_FAR}
        return next((on for _, on in points_of(self.ends_on) if on not in reached), None)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def points_of(ends_on: date) -> list[tuple[str, date]]:
    """The programme's end and the months after it that retention is measured at."""
    after = [(f"{m} months after", add_months(ends_on, m)) for m in MONTHS_AFTER]
    return [(END, ends_on), *after]


def _after(day: date) -> datetime:
    """The first moment after `day` (UTC): someone who left from then on was there on it."""
    return datetime.combine(day + timedelta(days=1), time(), UTC)


def _active_on(day: date) -> ColumnElement[bool]:
    return or_(WorkspaceMember.left_at.is_(None), WorkspaceMember.left_at >= _after(day))


async def retention_of(
    session: AsyncSession, *, programme: Programme, today: date, minimum: int
) -> Retention:
    reached = [(label, on) for label, on in points_of(programme.ends_on) if on <= today]
    if programme.starts_on <= today < programme.ends_on:
        reached = [(SO_FAR, today)]
    days = [on for _, on in reached]
    sides = {
        role: await _participants(session, programme=programme, role=role, days=days)
        for role in Role
    }
    workspace = await _workspace(session, programme=programme, days=days)

    def share(group: tuple[int, list[int]] | None, n: int) -> float | None:
        if group is None or group[0] < minimum:
            return None
        return group[1][n] / group[0]

    mentors, mentees = sides[Role.MENTOR], sides[Role.MENTEE]
    return Retention(
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
        minimum=minimum,
        mentors=mentors[0],
        mentees=mentees[0],
        workspace=workspace[0] if workspace else None,
        points=[
            RetentionPoint(label, on, share(mentors, n), share(mentees, n), share(workspace, n))
            for n, (label, on) in enumerate(reached)
        ],
    )


async def _participants(
    session: AsyncSession, *, programme: Programme, role: Role, days: list[date]
) -> tuple[int, list[int]]:
    """How many of the side were in the programme and the workspace at its start, and how
    many of them were still active on each day. Someone Slack has not listed yet is active:
    they signed up through Slack, and nothing says they left."""
    start = programme.starts_on
    took_part = or_(
        Participant.status != ParticipantStatus.WITHDRAWN,
        Participant.withdrawn_at >= datetime.combine(start, time(), UTC),
    )
    query = (
        select(func.count(), *(func.count().filter(_active_on(d)) for d in days))
        .select_from(Participant)
        .outerjoin(
            WorkspaceMember,
            and_(
                WorkspaceMember.team_id == programme.team_id,
                WorkspaceMember.user_id == Participant.user_id,
            ),
        )
        .where(
            Participant.programme_id == programme.id,
            Participant.role == role,
            took_part,
            _active_on(start),
        )
    )
    total, *active = (await session.execute(query)).one()
    return total, list(active)


async def _workspace(
    session: AsyncSession, *, programme: Programme, days: list[date]
) -> tuple[int, list[int]] | None:
    """How many full members the workspace had at the programme's start, and how many of
    them were still active on each day; None before Slack's list was first read whole."""
    first_listed = await session.scalar(
        select(MemberListing.first_listed_at).where(MemberListing.team_id == programme.team_id)
    )
    if first_listed is None:
        return None
    start = programme.starts_on
    known_by = max(start, first_listed.date())
    query = select(func.count(), *(func.count().filter(_active_on(d)) for d in days)).where(
        WorkspaceMember.team_id == programme.team_id,
        WorkspaceMember.counted.is_(True),
        WorkspaceMember.first_seen_at < _after(known_by),
        _active_on(start),
    )
    total, *active = (await session.execute(query)).one()
    return total, list(active)
