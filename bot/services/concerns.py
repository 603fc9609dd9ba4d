"""Confidential concerns: a participant writes to their programme's leads and neutral
supporter; the exchange that follows stays between them (never the partner, never another
programme's leads, never a report). Plain values in and out; no Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Concern,
    ConcernMessage,
    ConcernStatus,
    Participant,
    ProgrammeLead,
)
from bot.services.errors import Refused
from bot.services.programmes import (
    joined_programmes,
    signed_up_participant,
    with_programme_and_author,
)

MAX_TEXT = 2000


class ConcernError(Refused):
    """Something the person should know; the message says what."""


@dataclass(frozen=True)
class Thread:
    """Who may see a concern, and what the newest message said."""

    concern_id: int
    programme: str
    participant_user: str
    participant_name: str
    helpers: list[str]  # the programme's leads and its supporter
    status: ConcernStatus


def check_text(text: str) -> str | None:
    """The problem with a message, or None."""
    if len(text.strip()) < 5:
        return "Say a little more, so the right person can help."
    if len(text) > MAX_TEXT:
        return f"Keep it to {MAX_TEXT} characters; you can add more in a reply."
    return None


async def concern_programmes(
    session: AsyncSession, *, team_id: str, user_id: str
) -> list[tuple[int, str]]:
    return await joined_programmes(session, team_id=team_id, user_id=user_id)


async def _helpers(session: AsyncSession, programme_id: int) -> list[str]:
    return list(
        await session.scalars(
            select(ProgrammeLead.user_id)
            .where(ProgrammeLead.programme_id == programme_id)
            .order_by(ProgrammeLead.added_at)
        )
    )


async def raise_concern(
    session: AsyncSession,
    *,
    team_id: str,
    user_id: str,
    programme_id: int,
    text: str,
    now: datetime,
) -> Thread:
    me = await signed_up_participant(
        session, team_id=team_id, programme_id=programme_id, user_id=user_id
    )
    if me is None:
        raise ConcernError("Only people in the programme can raise a concern with its leads.")
    concern = Concern(programme_id=programme_id, participant_id=me.id, created_at=now)
    session.add(concern)
    await session.flush()
    session.add(
        ConcernMessage(
            concern_id=concern.id,
            author_id=user_id,
            from_participant=True,
            text=text.strip(),
            created_at=now,
        )
    )
    return await thread(session, team_id=team_id, concern_id=concern.id)


async def thread(session: AsyncSession, *, team_id: str, concern_id: int) -> Thread:
    author = (Participant.user_id, Participant.display_name)
    query = with_programme_and_author(Concern, *author, team_id=team_id)
    row = (await session.execute(query.where(Concern.id == concern_id))).first()
    if row is None:
        raise ConcernError("That concern is no longer there.")
    concern, programme, participant_user, name = row
    return Thread(
        concern.id,
        programme,
        participant_user,
        name,
        await _helpers(session, concern.programme_id),
        concern.status,
    )


async def reply(
    session: AsyncSession,
    *,
    team_id: str,
    concern_id: int,
    user_id: str,
    text: str,
    now: datetime,
) -> Thread:
    """A reply from the participant or one of the programme's leads or supporter; nobody
    else may write in the thread."""
    found = await thread(session, team_id=team_id, concern_id=concern_id)
    if user_id != found.participant_user and user_id not in found.helpers:
        raise ConcernError("Only the person who raised it and the programme's leads can reply.")
    if found.status == ConcernStatus.CLOSED:
        raise ConcernError("This concern is closed. Raise a new one with /mentoring concern.")
    session.add(
        ConcernMessage(
            concern_id=concern_id,
            author_id=user_id,
            from_participant=user_id == found.participant_user,
            text=text.strip(),
            created_at=now,
        )
    )
    return found


async def close(
    session: AsyncSession, *, team_id: str, concern_id: int, user_id: str, now: datetime
) -> Thread:
    found = await thread(session, team_id=team_id, concern_id=concern_id)
    if user_id not in found.helpers:
        raise ConcernError("Only the programme's leads and supporter can close a concern.")
    concern = await session.get(Concern, concern_id, with_for_update=True)
    assert concern is not None
    if concern.status == ConcernStatus.CLOSED:
        raise ConcernError("This concern is already closed.")
    concern.status = ConcernStatus.CLOSED
    concern.closed_at = now
    concern.closed_by = user_id
    return found
