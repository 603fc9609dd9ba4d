"""Safe spaces: each programme has a private channel for its mentors and one for its mentees.
Who belongs in each is decided here (signed-up participants of that side, and the leads only if
the programme says so); flows/spaces.py makes Slack match. Plain values in and out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Participant,
    ParticipantStatus,
    Programme,
    ProgrammeLead,
    Role,
    SafeSpace,
)

SIDES = (Role.MENTOR, Role.MENTEE)
SIDE_WORDS = {Role.MENTOR: "mentors", Role.MENTEE: "mentees"}
MAX_NAME = 80  # Slack's limit for a channel name


def channel_name(programme: str, side: Role) -> str:
    """Lower case, digits, hyphens and underscores, at most 80 characters."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", programme.lower()).strip("-_") or "programme"
    suffix = f"-{SIDE_WORDS[side]}"
    return slug[: MAX_NAME - len(suffix)].rstrip("-_") + suffix


@dataclass(frozen=True)
class Space:
    id: int
    programme_id: int
    programme: str
    side: Role
    channel_id: str | None
    name: str
    last_error: str | None
    # An org's programme: the workspace its channel is in, which calls with the org's token
    # about the channel name (None: the programme's own workspace, which its token implies).
    workspace_id: str | None = None


def _space(space: SafeSpace, programme: str) -> Space:
    return Space(
        space.id,
        space.programme_id,
        programme,
        space.side,
        space.channel_id,
        space.name,
        space.last_error,
        space.workspace_id,
    )


async def spaces_of(session: AsyncSession, *, programme: Programme, now: datetime) -> list[Space]:
    """The programme's two spaces, planned (with a name) if they were not yet."""
    found = {
        s.side: s
        for s in await session.scalars(
            select(SafeSpace).where(SafeSpace.programme_id == programme.id)
        )
    }
    for side in SIDES:
        if side not in found:
            found[side] = SafeSpace(
                programme_id=programme.id,
                side=side,
                name=channel_name(programme.name, side),
                created_at=now,
            )
            session.add(found[side])
    await session.flush()
    return [_space(found[side], programme.name) for side in SIDES]


async def record(
    session: AsyncSession,
    *,
    space_id: int,
    channel_id: str | None = None,
    name: str | None = None,
    error: str | None = None,
    workspace_id: str | None = None,
) -> None:
    space = await session.get(SafeSpace, space_id)
    assert space is not None
    if channel_id is not None:
        space.channel_id = channel_id
        space.workspace_id = workspace_id
    if name is not None:
        space.name = name
    space.last_error = error


async def members(session: AsyncSession, *, space: Space) -> set[str]:
    """Who belongs in the space's channel."""
    people = set(
        await session.scalars(
            select(Participant.user_id).where(
                Participant.programme_id == space.programme_id,
                Participant.role == space.side,
                Participant.status == ParticipantStatus.SIGNED_UP,
            )
        )
    )
    programme = await session.get(Programme, space.programme_id)
    if programme is not None and programme.leads_in_spaces:
        people |= set(
            await session.scalars(
                select(ProgrammeLead.user_id).where(
                    ProgrammeLead.programme_id == space.programme_id
                )
            )
        )
    return people


def _named_spaces() -> Select[SafeSpace, str]:
    """Safe spaces with their programme's name, for `_space`."""
    return select(SafeSpace, Programme.name).join(Programme, Programme.id == SafeSpace.programme_id)


async def _one_space(session: AsyncSession, *where: ColumnElement[bool]) -> Space | None:
    row = (await session.execute(_named_spaces().where(*where))).first()
    return _space(*row) if row else None


async def space_by_id(session: AsyncSession, *, space_id: int) -> Space | None:
    return await _one_space(session, SafeSpace.id == space_id)


async def space_for_channel(session: AsyncSession, *, channel_id: str) -> Space | None:
    return await _one_space(session, SafeSpace.channel_id == channel_id)


async def spaces_of_person(
    session: AsyncSession, *, team_id: str, programme_id: int, user_id: str
) -> list[Space]:
    """The spaces of a programme that the person's side uses (for inviting or removing)."""
    participant = await session.scalar(
        select(Participant).where(
            Participant.programme_id == programme_id, Participant.user_id == user_id
        )
    )
    if participant is None:
        return []
    rows = await session.execute(
        _named_spaces().where(
            SafeSpace.programme_id == programme_id,
            SafeSpace.side == participant.role,
            Programme.team_id == team_id,
        )
    )
    return [_space(space, name) for space, name in rows]


async def spaces_of_side(
    session: AsyncSession, *, programme_id: int, side: Role
) -> tuple[list[Space], Programme | None]:
    """The programme's spaces for one side (a newcomer's, whose role is known), with the
    programme read in the same statement (None when it has no space for that side)."""
    rows = (await session.execute(_of_side(), {"programme_id": programme_id, "side": side})).all()
    return [_space(space, programme.name) for space, programme in rows], (
        rows[0][1] if rows else None
    )


@cache
def _of_side() -> Select[SafeSpace, Programme]:
    """Built once: every first sign-up asks."""
    return (
        select(SafeSpace, Programme)
        .join(Programme, Programme.id == SafeSpace.programme_id)
        .where(
            SafeSpace.programme_id == bindparam("programme_id"),
            SafeSpace.side == bindparam("side", type_=SafeSpace.side.type),
        )
    )


async def spaces_with(session: AsyncSession, *, team_id: str, user_id: str) -> list[Space]:
    """Every safe space the person belongs in, across the workspace's programmes."""
    rows = await session.execute(
        _named_spaces()
        .join(
            Participant,
            (Participant.programme_id == SafeSpace.programme_id)
            & (Participant.role == SafeSpace.side),
        )
        .where(Programme.team_id == team_id, Participant.user_id == user_id)
    )
    return [_space(space, name) for space, name in rows]


async def lose(session: AsyncSession, *, space_id: int, error: str) -> None:
    """The space's channel can no longer be used (archived, or the app was removed from it):
    forget it, so the lead picks or makes another."""
    space = await session.get(SafeSpace, space_id)
    if space is not None:
        space.channel_id = None
        space.last_error = error
