"""Free text does not outlive its programme: a set number of days after a programme closes,
everything people wrote in it (every column `text_columns` marks as purged: sign-up answers,
meeting notes, decline reasons, agreement goals, session notes and typed topics, private notes,
action texts, survey comments, concerns and their replies, unpublished stories) is blanked.
The figures the report needs (dates, counts, ratings) stay. Plain values in and out; no Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    ActionItem,
    Agreement,
    ChemistryDecision,
    ChemistryMeeting,
    Concern,
    ConcernMessage,
    Pair,
    Participant,
    PrivateNote,
    Programme,
    ProgrammeStatus,
    SessionLog,
    SessionTopic,
    Story,
    StoryStatus,
    Survey,
    SurveyResponse,
    Sweep,
)
from bot.services import sweeping, text_columns


@dataclass(frozen=True)
class Purged:
    names: list[str]
    failed: int


async def sweep(session: AsyncSession, *, now: datetime) -> Purged:
    """Purge every closed programme whose time has come, once, each in its own savepoint."""
    query = select(Programme).where(
        Programme.status == ProgrammeStatus.CLOSED,
        Programme.closed_at.is_not(None),
        Programme.purged_at.is_(None),
    )
    closed = list(
        await session.scalars(
            sweeping.claim(query, sweep=Sweep.PURGE, item_id=Programme.id, now=now)
        )
    )
    due = [
        programme
        for programme in closed
        if programme.closed_at is not None
        and now >= programme.closed_at + timedelta(days=programme.purge_after_days)
    ]

    async def purge_one(programme: Programme) -> str:
        await purge(session, programme_id=programme.id)
        programme.purged_at = now
        return programme.name

    done = await sweeping.each(
        session, items=due, step=purge_one, sweep=Sweep.PURGE, key=lambda p: p.id, now=now
    )
    return Purged(done.results, len(done.failed))


def rows_of(programme_id: int) -> dict[type, ColumnElement[bool]]:
    """Each table's rows that belong to the programme, for every table with purged text."""
    pairs = select(Pair.id).where(Pair.programme_id == programme_id)
    sessions = select(SessionLog.id).where(SessionLog.pair_id.in_(pairs))
    return {
        Participant: Participant.programme_id == programme_id,
        ChemistryMeeting: ChemistryMeeting.pair_id.in_(pairs),
        ChemistryDecision: ChemistryDecision.pair_id.in_(pairs),
        Agreement: Agreement.pair_id.in_(pairs),
        SessionLog: SessionLog.pair_id.in_(pairs),
        SessionTopic: SessionTopic.session_id.in_(sessions),
        PrivateNote: PrivateNote.session_id.in_(sessions),
        ActionItem: ActionItem.pair_id.in_(pairs),
        SurveyResponse: SurveyResponse.survey_id.in_(
            select(Survey.id).where(Survey.programme_id == programme_id)
        ),
        ConcernMessage: ConcernMessage.concern_id.in_(
            select(Concern.id).where(Concern.programme_id == programme_id)
        ),
        # A published story is out in a channel, shared by its author's consent.
        Story: (Story.programme_id == programme_id) & (Story.status != StoryStatus.PUBLISHED),
    }


async def purge(session: AsyncSession, *, programme_id: int) -> None:
    rows = rows_of(programme_id)
    for column in text_columns.purged_after_closing():
        where = rows[column.model]
        if column.blank is text_columns.DROP:
            statement: Any = delete(column.model).where(where)
        else:
            statement = update(column.model).where(where).values({column.key: column.blank})
        await session.execute(statement.execution_options(synchronize_session=False))
