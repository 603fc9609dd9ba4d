"""Programmes: create, list, open and close enrolment. Plain values in and out; no Slack."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, selectinload

from bot.models import (
    Concern,
    Objective,
    Participant,
    ParticipantStatus,
    Programme,
    ProgrammeLead,
    ProgrammeStatus,
    Role,
    Story,
    Workspace,
)
from bot.services.errors import Refused
from bot.services.programme_rules import ProgrammeInput
from bot.services.starter_lessons import starter_track


class ProgrammeError(Refused):
    """A rule of the programme lifecycle was broken; the message is for the user."""


class DuplicateName(ProgrammeError):
    pass


@dataclass(frozen=True)
class ProgrammeSummary:
    id: int
    name: str
    status: ProgrammeStatus
    enrolment_deadline: date
    starts_on: date
    ends_on: date
    mentors: int
    mentees: int
    is_lead: bool


OPENABLE = (ProgrammeStatus.DRAFT, ProgrammeStatus.MATCHING)

# What a participant writes to their programme, a row with both ids.
Written = TypeVar("Written", Concern, Story)


async def ensure_workspace(session: AsyncSession, *, team_id: str, now: datetime) -> None:
    if await session.get(Workspace, team_id) is None:
        session.add(Workspace(team_id=team_id, installed_at=now))
        await session.flush()


async def create_programme(
    session: AsyncSession, *, team_id: str, lead_id: str, data: ProgrammeInput, now: datetime
) -> Programme:
    """Create a draft programme with its creator as its first lead."""
    await ensure_workspace(session, team_id=team_id, now=now)
    fields = asdict(data)
    objectives = fields.pop("objectives")
    programme = Programme(
        team_id=team_id,
        created_by=lead_id,
        created_at=now,
        updated_at=now,
        status=ProgrammeStatus.DRAFT,
        **fields,
        objectives=[
            Objective(position=i, title=o["title"], measure=o["measure"])
            for i, o in enumerate(objectives)
        ],
        leads=[ProgrammeLead(user_id=lead_id, added_at=now)],
    )
    try:
        async with session.begin_nested():
            session.add(programme)
    except IntegrityError as exc:
        raise DuplicateName(f"A programme called “{data.name}” already exists.") from exc
    session.add_all(starter_track(programme, lead_id=lead_id, now=now))
    return programme


async def get_programme(
    session: AsyncSession, *, team_id: str, programme_id: int
) -> Programme | None:
    """A programme of this workspace, or None (ids from Slack payloads are never trusted)."""
    programme = await session.get(
        Programme, programme_id, options=[selectinload(Programme.objectives)]
    )
    if programme is None or programme.team_id != team_id:
        return None
    return programme


async def find_programmes(
    session: AsyncSession,
    *,
    team_id: str,
    statuses: tuple[ProgrammeStatus, ...] | None = None,
    name: str | None = None,
    lead_id: str | None = None,
) -> list[Programme]:
    """The workspace's programmes; with `lead_id`, only those that person leads."""
    query = select(Programme).where(Programme.team_id == team_id).order_by(Programme.id)
    if lead_id:
        query = query.where(
            Programme.id.in_(
                select(ProgrammeLead.programme_id).where(
                    ProgrammeLead.user_id == lead_id, ProgrammeLead.is_supporter.is_(False)
                )
            )
        )
    if statuses:
        query = query.where(Programme.status.in_(statuses))
    if name:
        query = query.where(func.lower(Programme.name) == name.strip().lower())
    return list((await session.scalars(query.options(selectinload(Programme.objectives)))).all())


async def led_programme_ids(session: AsyncSession, *, lead_id: str) -> set[int]:
    """The programmes this person leads (a supporter leads none)."""
    return set(await session.scalars(_led_programme_ids(), {"lead_id": lead_id}))


@cache
def _led_programme_ids() -> Select[int]:
    """Built once: every Home asks."""
    return select(ProgrammeLead.programme_id).where(
        ProgrammeLead.user_id == bindparam("lead_id"), ProgrammeLead.is_supporter.is_(False)
    )


async def summaries(
    session: AsyncSession, *, team_id: str, led: Collection[int] = ()
) -> list[ProgrammeSummary]:
    """Every programme of the workspace with active sign-ups counted by role; those in `led`
    (led_programme_ids) marked as led by whoever asks."""
    counts = (
        select(Participant.programme_id, Participant.role, func.count())
        .join(Programme, Programme.id == Participant.programme_id)
        .where(Programme.team_id == team_id, Participant.status != ParticipantStatus.WITHDRAWN)
        .group_by(Participant.programme_id, Participant.role)
    )
    by_programme: dict[int, dict[Role, int]] = {}
    for programme_id, role, count in await session.execute(counts):
        by_programme.setdefault(programme_id, {})[role] = count
    result = []
    for programme in await find_programmes(session, team_id=team_id):
        roles = by_programme.get(programme.id, {})
        result.append(
            ProgrammeSummary(
                id=programme.id,
                name=programme.name,
                status=programme.status,
                enrolment_deadline=programme.enrolment_deadline,
                starts_on=programme.starts_on,
                ends_on=programme.ends_on,
                mentors=roles.get(Role.MENTOR, 0),
                mentees=roles.get(Role.MENTEE, 0),
                is_lead=programme.id in led,
            )
        )
    return result


SPONSOR_IS_A_LEAD = (
    "The sponsor hears how the programme goes from outside it: pick someone who is not one of "
    "its leads, or leave it empty."
)


def check_sponsor(sponsor_id: str | None, *, lead_ids: Collection[str]) -> str | None:
    """What is wrong with naming this sponsor beside these leads, or None. A sponsor gets
    figures, never a lead's powers or names, so one person is not both."""
    if sponsor_id is not None and sponsor_id in lead_ids:
        return SPONSOR_IS_A_LEAD
    return None


def check_openable(programme: Programme, *, today: date) -> None:
    if programme.status == ProgrammeStatus.ENROLLING:
        raise ProgrammeError(f"Enrolment for “{programme.name}” is already open.")
    if programme.status not in OPENABLE:
        raise ProgrammeError(
            f"“{programme.name}” is {programme.status.value}; enrolment can no longer be opened."
        )
    if programme.enrolment_deadline < today:
        raise ProgrammeError(
            f"The enrolment deadline of “{programme.name}” "
            f"({programme.enrolment_deadline:%d %b %Y}) has passed."
        )


async def open_enrolment(
    session: AsyncSession,
    *,
    team_id: str,
    programme_id: int,
    channel_id: str,
    announcement_ts: str | None,
    now: datetime,
) -> Programme:
    programme = await get_programme(session, team_id=team_id, programme_id=programme_id)
    if programme is None:
        raise ProgrammeError("That programme no longer exists.")
    check_openable(programme, today=now.date())
    programme.status = ProgrammeStatus.ENROLLING
    programme.announcement_channel_id = channel_id
    programme.announcement_ts = announcement_ts
    programme.updated_at = now
    return programme


async def close_enrolment(
    session: AsyncSession, *, team_id: str, programme_id: int, now: datetime
) -> Programme:
    programme = await get_programme(session, team_id=team_id, programme_id=programme_id)
    if programme is None:
        raise ProgrammeError("That programme no longer exists.")
    if programme.status != ProgrammeStatus.ENROLLING:
        raise ProgrammeError(f"Enrolment for “{programme.name}” is not open.")
    programme.status = ProgrammeStatus.MATCHING
    programme.updated_at = now
    return programme


async def joined_programmes(
    session: AsyncSession, *, team_id: str, user_id: str, open_only: bool = False
) -> list[tuple[int, str]]:
    """(id, name) of the programmes the person is signed up to, by name; with `open_only`,
    only those not yet closed."""
    query = (
        select(Programme.id, Programme.name)
        .join(Participant, Participant.programme_id == Programme.id)
        .where(
            Programme.team_id == team_id,
            Participant.user_id == user_id,
            Participant.status == ParticipantStatus.SIGNED_UP,
        )
        .order_by(Programme.name)
    )
    if open_only:
        query = query.where(Programme.status != ProgrammeStatus.CLOSED)
    return [(pid, name) for pid, name in await session.execute(query)]


async def signed_up_participant(
    session: AsyncSession, *, team_id: str, programme_id: int, user_id: str
) -> Participant | None:
    """The person in the team's programme, while they are signed up to it."""
    return await session.scalar(
        select(Participant)
        .join(Programme, Programme.id == Participant.programme_id)
        .where(
            Programme.team_id == team_id,
            Participant.programme_id == programme_id,
            Participant.user_id == user_id,
            Participant.status == ParticipantStatus.SIGNED_UP,
        )
    )


def with_programme_and_author(
    written: type[Written], *author: QueryableAttribute[Any], team_id: str
) -> Select[Written, str, *tuple[Any, ...]]:
    """The team's rows of what participants wrote, each with its programme's name and these
    columns of its author."""
    return (
        select(written, Programme.name, *author)
        .join(Programme, Programme.id == written.programme_id)
        .join(Participant, Participant.id == written.participant_id)
        .where(Programme.team_id == team_id)
    )
