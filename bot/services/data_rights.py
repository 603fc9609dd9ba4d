"""A participant's own data: `/mentoring mydata` gives them everything stored about them or
written by them (never a partner's private note); `/mentoring delete` erases it. Plain values in
and out; no Slack."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    ActionItem,
    Agreement,
    BalanceAnswer,
    ChemistryDecision,
    Concern,
    ConcernMessage,
    LessonProgress,
    MentorRequest,
    Objective,
    ObjectiveRating,
    Outbox,
    Pair,
    Participant,
    ParticipantStatus,
    PrivateNote,
    Programme,
    Resource,
    SessionLog,
    SessionRating,
    SocialEvent,
    SocialInvite,
    Story,
    SurveyInvite,
    WorkspaceMember,
)
from bot.services import text_columns
from bot.services.checkins import session_topics
from bot.services.pairs import Ending
from bot.services.signup import withdraw

NOT_INCLUDED = (
    "Survey answers are stored with no link to the person who gave them, so they cannot be "
    "found as yours and are not in this export."
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _row(obj: Any, *names: str) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


async def export_for(
    session: AsyncSession, *, team_id: str, user_id: str, now: datetime
) -> dict[str, Any] | None:
    """The person's data as a JSON-ready document, or None when nothing is stored."""
    people = list(
        await session.scalars(
            select(Participant)
            .join(Programme, Programme.id == Participant.programme_id)
            .where(Programme.team_id == team_id, Participant.user_id == user_id)
            .order_by(Participant.id)
        )
    )
    if not people:
        return None
    programmes = {
        p.id: p.name
        for p in await session.scalars(
            select(Programme).where(Programme.id.in_({x.programme_id for x in people}))
        )
    }
    document: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "slack_user_id": user_id,
        "not_included": NOT_INCLUDED,
        "programmes": [],
    }
    for me in people:
        document["programmes"].append(await _programme_part(session, me, programmes))
    seen = await session.get(WorkspaceMember, (team_id, user_id))
    if seen is not None:  # what retention knows of them: active or not, and since when
        document["in_the_workspace"] = _row(seen, "first_seen_at", "last_seen_at", "left_at")
    return document


async def _programme_part(
    session: AsyncSession, me: Participant, programmes: dict[int, str]
) -> dict[str, Any]:
    titles = dict(
        (
            await session.execute(
                select(Objective.id, Objective.title).where(
                    Objective.programme_id == me.programme_id
                )
            )
        ).all()
    )
    part: dict[str, Any] = {
        "programme": programmes[me.programme_id],
        "sign_up": _row(
            me,
            "role",
            "status",
            "display_name",
            "tz",
            "department",
            "grade_level",
            "line_manager_id",
            "topics",
            "skills",
            "personality",
            "preferred_medium",
            "goals",
            "consented_at",
            "joined_at",
            "withdrawn_at",
        ),
        "self_ratings": [
            {"objective": titles.get(r.objective_id), **_row(r, "phase", "rating", "rated_at")}
            for r in await session.scalars(
                select(ObjectiveRating)
                .where(ObjectiveRating.participant_id == me.id)
                .order_by(ObjectiveRating.id)
            )
        ],
        "pairs": [],
        "stories": [
            _row(s, "title", "text", "show_name", "status", "created_at")
            for s in await session.scalars(select(Story).where(Story.participant_id == me.id))
        ],
    }
    part["mentor_requests"] = await _requests_part(session, me)
    part["preparation"] = await _preparation_part(session, me)
    part["socials"] = await _socials_part(session, me)
    part["concerns"] = [
        {
            **_row(c, "status", "created_at", "closed_at"),
            "messages": [
                {"from_me": m.from_participant, **_row(m, "text", "created_at")}
                for m in await session.scalars(
                    select(ConcernMessage)
                    .where(ConcernMessage.concern_id == c.id)
                    .order_by(ConcernMessage.id)
                )
            ],
        }
        for c in await session.scalars(
            select(Concern).where(Concern.participant_id == me.id).order_by(Concern.id)
        )
    ]
    pairs = await session.scalars(
        select(Pair).where(or_(Pair.mentor_id == me.id, Pair.mentee_id == me.id)).order_by(Pair.id)
    )
    for pair in pairs:
        partner_id = pair.mentee_id if pair.mentor_id == me.id else pair.mentor_id
        partner = await session.get(Participant, partner_id)
        part["pairs"].append(await _pair_part(session, me, pair, partner))
    return part


async def _preparation_part(session: AsyncSession, me: Participant) -> list[dict[str, Any]]:
    """The lessons of the person's preparation track they were sent, and when they marked each
    done."""
    return [
        {"lesson": title, **_row(progress, "sent_at", "done_at")}
        for progress, title in await session.execute(
            select(LessonProgress, Resource.title)
            .join(Resource, Resource.id == LessonProgress.resource_id)
            .where(LessonProgress.participant_id == me.id)
            .order_by(LessonProgress.id)
        )
    ]


async def _socials_part(session: AsyncSession, me: Participant) -> list[dict[str, Any]]:
    """The kick-off and socials the person was invited to, and their answers."""
    return [
        {
            "event": title,
            "starts_at": _plain(starts_at),
            **_row(invite, "answer", "invited_at", "answered_at"),
        }
        for invite, title, starts_at in await session.execute(
            select(SocialInvite, SocialEvent.title, SocialEvent.starts_at)
            .join(SocialEvent, SocialEvent.id == SocialInvite.event_id)
            .where(SocialInvite.participant_id == me.id)
            .order_by(SocialEvent.starts_at, SocialEvent.id)
        )
    ]


async def _requests_part(session: AsyncSession, me: Participant) -> list[dict[str, Any]]:
    """Mentors the person asked while choosing, or mentees who asked them."""
    found = []
    for request in await session.scalars(
        select(MentorRequest)
        .where(or_(MentorRequest.mentor_id == me.id, MentorRequest.mentee_id == me.id))
        .order_by(MentorRequest.id)
    ):
        asked = request.mentee_id == me.id
        other = await session.get(Participant, request.mentor_id if asked else request.mentee_id)
        found.append(
            {
                "i_asked" if asked else "asked_me": other.display_name if other else None,
                **_row(request, "status", "created_at", "expires_at", "decided_at"),
            }
        )
    return found


async def _pair_part(
    session: AsyncSession, me: Participant, pair: Pair, partner: Participant | None
) -> dict[str, Any]:
    sessions = []
    for log in await session.scalars(
        select(SessionLog).where(SessionLog.pair_id == pair.id).order_by(SessionLog.held_on)
    ):
        mine = await session.scalar(
            select(PrivateNote.text).where(
                PrivateNote.session_id == log.id, PrivateNote.author_id == me.id
            )
        )
        rating = await session.scalar(
            select(SessionRating.rating).where(
                SessionRating.session_id == log.id, SessionRating.participant_id == me.id
            )
        )
        taught = await session.scalar(
            select(BalanceAnswer.taught).where(
                BalanceAnswer.session_id == log.id, BalanceAnswer.participant_id == me.id
            )
        )
        sessions.append(
            {
                **_row(log, "held_on", "minutes", "medium"),
                "topics": await session_topics(session, log=log),
                "notes_shared_with_the_pair": _row(log, "goal", "reality", "options", "will"),
                "logged_by_me": log.logged_by == me.id,
                "my_private_note": mine,
                "my_rating": rating,
                "my_answer_who_taught_most": _plain(taught),
            }
        )
    return {
        "partner": partner.display_name if partner else None,
        "my_role": _plain(me.role),
        **_row(pair, "status", "created_at", "confirmed_at", "agreed_at"),
        "my_chemistry_decision": [
            _row(d, "decision", "reason", "decided_at")
            for d in await session.scalars(
                select(ChemistryDecision).where(
                    ChemistryDecision.pair_id == pair.id,
                    ChemistryDecision.participant_id == me.id,
                )
            )
        ],
        "agreements": [
            _row(
                a,
                "version",
                "status",
                "sessions_planned",
                "cadence_days",
                "mentor_goals",
                "mentee_goals",
                "created_at",
                "confirmed_at",
            )
            for a in await session.scalars(
                select(Agreement).where(Agreement.pair_id == pair.id).order_by(Agreement.version)
            )
        ],
        "sessions": sessions,
        "actions": [
            {
                **_row(a, "text", "due_on", "for_organisation", "status", "created_at"),
                "mine": a.owner_id == me.id,
            }
            for a in await session.scalars(
                select(ActionItem)
                .where(
                    ActionItem.pair_id == pair.id,
                    or_(ActionItem.owner_id == me.id, ActionItem.created_by == me.id),
                )
                .order_by(ActionItem.id)
            )
        ],
    }


async def erase(
    session: AsyncSession, *, team_id: str, user_id: str, now: datetime
) -> list[Ending] | None:
    """Erase the person: they leave every programme (their pairs end), everything they wrote
    goes, and their participant rows keep only what the programme's counts need, under a name
    that is no longer theirs. What their partner wrote stays, field by field: notes, topics and
    agreement goals the partner typed, and actions the partner created. None: nothing stored."""
    people = list(
        await session.scalars(
            select(Participant)
            .join(Programme, Programme.id == Participant.programme_id)
            .where(Programme.team_id == team_id, Participant.user_id == user_id)
        )
    )
    if not people:
        return None
    endings: list[Ending] = []
    for me in people:
        if me.status != ParticipantStatus.WITHDRAWN:
            _, ended = await withdraw(
                session, team_id=team_id, programme_id=me.programme_id, user_id=user_id, now=now
            )
            endings += ended
    ids = [me.id for me in people]
    # Rows that are the person's alone go whole; then every text column says what is theirs.
    statements: list[Any] = [
        delete(ActionItem).where(ActionItem.created_by.in_(ids)),
        delete(SessionRating).where(SessionRating.participant_id.in_(ids)),
        delete(BalanceAnswer).where(BalanceAnswer.participant_id.in_(ids)),
        delete(ObjectiveRating).where(ObjectiveRating.participant_id.in_(ids)),
        delete(Story).where(Story.participant_id.in_(ids)),
        delete(Concern).where(Concern.participant_id.in_(ids)),
        delete(SurveyInvite).where(SurveyInvite.participant_id.in_(ids)),
        delete(Outbox).where(or_(Outbox.participant_id.in_(ids), Outbox.recipient_id == user_id)),
    ]
    for column in text_columns.erased_on_deletion():
        where = column.owner.in_(ids)
        if column.blank is text_columns.DROP:
            statements.append(delete(column.model).where(where))
        else:
            statements.append(update(column.model).where(where).values({column.key: column.blank}))
    for statement in statements:
        await session.execute(statement.execution_options(synchronize_session=False))
    for me in people:
        me.updated_at = now
    return endings
