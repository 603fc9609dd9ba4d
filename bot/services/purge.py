"""Free text does not outlive its programme: a set number of days after a programme closes,
everything people wrote in it (session notes, private notes, action texts, decline reasons,
agreement goals, sign-up goals and skills, survey comments, concerns and their replies,
unpublished stories) is blanked.
The figures the report needs (dates, counts, ratings) stay. Plain values in and out; no Slack."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    ActionItem,
    Agreement,
    ChemistryDecision,
    Concern,
    ConcernMessage,
    Pair,
    Participant,
    PrivateNote,
    Programme,
    ProgrammeStatus,
    SessionLog,
    Story,
    StoryStatus,
    Survey,
    SurveyResponse,
)

BLANK = ""


async def sweep(session: AsyncSession, *, now: datetime) -> list[str]:
    """Purge every closed programme whose time has come, once; returns their names."""
    closed = list(
        await session.scalars(
            select(Programme)
            .where(
                Programme.status == ProgrammeStatus.CLOSED,
                Programme.closed_at.is_not(None),
                Programme.purged_at.is_(None),
            )
            .with_for_update(skip_locked=True)
        )
    )
    done = []
    for programme in closed:
        assert programme.closed_at is not None
        if now < programme.closed_at + timedelta(days=programme.purge_after_days):
            continue
        await purge(session, programme_id=programme.id)
        programme.purged_at = now
        done.append(programme.name)
    return done


async def purge(session: AsyncSession, *, programme_id: int) -> None:
    pairs = select(Pair.id).where(Pair.programme_id == programme_id)
    sessions = select(SessionLog.id).where(SessionLog.pair_id.in_(pairs))
    blanks = (
        (SessionLog, SessionLog.pair_id.in_(pairs), ("goal", "reality", "options", "will")),
        (ActionItem, ActionItem.pair_id.in_(pairs), ("text",)),
        (ChemistryDecision, ChemistryDecision.pair_id.in_(pairs), ("reason",)),
        (Agreement, Agreement.pair_id.in_(pairs), ("mentor_goals", "mentee_goals")),
        (Participant, Participant.programme_id == programme_id, ("goals", "skills")),
        (
            SurveyResponse,
            SurveyResponse.survey_id.in_(
                select(Survey.id).where(Survey.programme_id == programme_id)
            ),
            ("comment",),
        ),
        (
            ConcernMessage,
            ConcernMessage.concern_id.in_(
                select(Concern.id).where(Concern.programme_id == programme_id)
            ),
            ("text",),
        ),
        (
            Story,
            (Story.programme_id == programme_id) & (Story.status != StoryStatus.PUBLISHED),
            ("text",),
        ),
    )
    for model, where, columns in blanks:
        await session.execute(
            update(model)
            .where(where)
            .values(**dict.fromkeys(columns, BLANK))
            .execution_options(synchronize_session=False)
        )
    await session.execute(
        delete(PrivateNote)
        .where(PrivateNote.session_id.in_(sessions))
        .execution_options(synchronize_session=False)
    )
