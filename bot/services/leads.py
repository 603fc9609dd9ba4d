"""Who leads which programme. Creating a programme is for the configured lead ids and workspace
admins (`people.may_create_programmes`); everything about an existing programme is for its own
leads, recorded in `programme_lead`. A supporter row only answers concerns. No Slack here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    MatchRun,
    Pair,
    Programme,
    ProgrammeLead,
    Resource,
    SafeSpace,
    SocialEvent,
    Story,
)
from bot.services import audit

MAX_LEADS = 10

# The programme a button's or form's id belongs to, or None when there is no such thing.
Owner = Callable[[AsyncSession, int], Awaitable[int | None]]


class LeadError(ValueError):
    pass


@dataclass(frozen=True)
class NotTheirs:
    """A refusal: the programme exists, the person does not lead it."""

    programme_id: int
    programme_name: str
    lead_ids: tuple[str, ...]


async def led_programme_ids(session: AsyncSession, *, team_id: str, user_id: str) -> frozenset[int]:
    rows = await session.scalars(
        select(ProgrammeLead.programme_id)
        .join(Programme, Programme.id == ProgrammeLead.programme_id)
        .where(
            Programme.team_id == team_id,
            ProgrammeLead.user_id == user_id,
            ProgrammeLead.is_supporter.is_(False),
        )
    )
    return frozenset(rows)


async def lead_ids(
    session: AsyncSession, *, programme_id: int, with_supporter: bool = False
) -> tuple[str, ...]:
    """The programme's leads, first added first; its supporter too when they are to be told."""
    query = select(ProgrammeLead.user_id).where(ProgrammeLead.programme_id == programme_id)
    if not with_supporter:
        query = query.where(ProgrammeLead.is_supporter.is_(False))
    rows = await session.scalars(query.order_by(ProgrammeLead.added_at, ProgrammeLead.user_id))
    return tuple(rows)


async def refusal(session: AsyncSession, *, team_id: str, programme_id: int) -> NotTheirs | None:
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.team_id != team_id:
        return None
    return NotTheirs(
        programme.id, programme.name, await lead_ids(session, programme_id=programme.id)
    )


async def set_co_leads(
    session: AsyncSession,
    *,
    programme_id: int,
    acting_lead: str,
    co_leads: Collection[str],
    now: datetime,
) -> None:
    """Make the leads exactly the acting lead plus `co_leads` (the set-up form's list): the
    acting lead cannot remove themselves, so a programme always has a lead."""
    wanted = {*co_leads, acting_lead}
    if len(wanted) > MAX_LEADS:
        raise LeadError(f"A programme can have at most {MAX_LEADS} leads.")
    rows = list(
        await session.scalars(
            select(ProgrammeLead).where(
                ProgrammeLead.programme_id == programme_id,
                ProgrammeLead.is_supporter.is_(False),
            )
        )
    )
    for row in rows:
        if row.user_id not in wanted:
            await session.delete(row)
    present = {row.user_id for row in rows}
    supporters = set(
        await session.scalars(
            select(ProgrammeLead.user_id).where(
                ProgrammeLead.programme_id == programme_id, ProgrammeLead.is_supporter.is_(True)
            )
        )
    )
    for user_id in sorted(wanted - present - supporters):
        session.add(ProgrammeLead(programme_id=programme_id, user_id=user_id, added_at=now))
    await session.flush()


async def take_over(
    session: AsyncSession, *, team_id: str, programme_id: int, admin_id: str, now: datetime
) -> str:
    """A workspace admin adds themselves as a lead; the audit log keeps it. Returns the name."""
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.team_id != team_id:
        raise LeadError("That programme is no longer there.")
    existing = await session.get(ProgrammeLead, (programme_id, admin_id))
    if existing is not None and not existing.is_supporter:
        return programme.name  # a replayed confirmation changes nothing
    if existing is not None:
        existing.is_supporter = False
    else:
        session.add(ProgrammeLead(programme_id=programme_id, user_id=admin_id, added_at=now))
    await audit.record_lead_added(
        session, team_id=team_id, lead_id=admin_id, programme_id=programme_id, now=now
    )
    await session.flush()
    return programme.name


# --- Which programme a button's or form's id belongs to ----------------------------------------


async def programme_of_programme(session: AsyncSession, number: int) -> int | None:
    return number if await session.get(Programme, number) is not None else None


def _owner(model: type[MatchRun | Pair | Resource | Story | SafeSpace | SocialEvent]) -> Owner:
    async def programme_of(session: AsyncSession, number: int) -> int | None:
        return await session.scalar(select(model.programme_id).where(model.id == number))

    programme_of.__name__ = f"programme_of_{model.__tablename__}"
    return programme_of


programme_of_run = _owner(MatchRun)
programme_of_pair = _owner(Pair)
programme_of_resource = _owner(Resource)
programme_of_story = _owner(Story)
programme_of_space = _owner(SafeSpace)
programme_of_social = _owner(SocialEvent)
