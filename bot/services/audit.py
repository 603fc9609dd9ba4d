"""The audit log: every time a lead is shown people's data (a pairs list, a report's CSV, a
story with its author's name), which lead, which view, which programme and whose data (ids
only, never the data itself); and every digest sent to a programme's executive sponsor, who is
shown figures and no one's data. Plain values in and out; no Slack."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AuditEntry, Participant, Programme


class View(enum.StrEnum):
    PAIRS = "the pairs list"
    REPORT = "the report and its CSV"
    STORIES = "success stories with their authors"
    PREVIEW = "a match preview"
    CHOOSING = "mentees still choosing a mentor"
    LEAD_ADDED = "added themselves as a lead"
    # What the executive sponsor was sent: figures only, so the entries name nobody.
    DIGEST = "the sponsor's monthly digest"
    FINAL_DIGEST = "the sponsor's final figures"


SPONSOR_VIEWS = (View.DIGEST, View.FINAL_DIGEST)


@dataclass(frozen=True)
class Seen:
    at: datetime
    lead_id: str
    view: str
    programme: str | None
    people: int


async def record(
    session: AsyncSession,
    *,
    team_id: str,
    lead_id: str,
    view: View,
    programme_id: int | None,
    participant_ids: Iterable[int],
    now: datetime,
) -> None:
    people = sorted(set(participant_ids))
    if not people:
        return  # nobody's data was shown
    session.add(
        AuditEntry(
            team_id=team_id,
            programme_id=programme_id,
            lead_id=lead_id,
            view=str(view),
            participant_ids=people,
            at=now,
        )
    )


async def record_lead_added(
    session: AsyncSession, *, team_id: str, lead_id: str, programme_id: int, now: datetime
) -> None:
    """A workspace admin took a programme over: kept although nobody's data was shown."""
    session.add(
        AuditEntry(
            team_id=team_id,
            programme_id=programme_id,
            lead_id=lead_id,
            view=str(View.LEAD_ADDED),
            participant_ids=[],
            at=now,
        )
    )


async def record_sponsor(
    session: AsyncSession,
    *,
    team_id: str,
    sponsor_id: str,
    view: View,
    programme_id: int,
    now: datetime,
) -> None:
    """A digest for the programme's sponsor: kept although it names nobody, so the leads see
    everything anyone outside them was told about their programme."""
    session.add(
        AuditEntry(
            team_id=team_id,
            programme_id=programme_id,
            lead_id=sponsor_id,
            view=str(view),
            participant_ids=[],
            at=now,
        )
    )


async def participant_ids(
    session: AsyncSession, *, programme_id: int, user_ids: Iterable[str]
) -> list[int]:
    """The participant ids behind Slack user ids shown in a programme's view."""
    return list(
        await session.scalars(
            select(Participant.id).where(
                Participant.programme_id == programme_id, Participant.user_id.in_(list(user_ids))
            )
        )
    )


async def recent(
    session: AsyncSession, *, team_id: str, programme_ids: Iterable[int], limit: int = 20
) -> list[Seen]:
    """The latest entries about the given programmes (the ones the reader leads)."""
    rows = await session.execute(
        select(AuditEntry, Programme.name)
        .join(Programme, Programme.id == AuditEntry.programme_id)
        .where(AuditEntry.team_id == team_id, AuditEntry.programme_id.in_(list(programme_ids)))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return [
        Seen(entry.at, entry.lead_id, entry.view, name, len(entry.participant_ids or []))
        for entry, name in rows
    ]


async def count(session: AsyncSession, *, team_id: str) -> int:
    return await session.scalar(select(func.count()).where(AuditEntry.team_id == team_id)) or 0
