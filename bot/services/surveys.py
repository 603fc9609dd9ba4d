"""Pulse surveys every few weeks and the mid-point and end reviews.

Answers are kept for aggregation only: a response row has no link to the person, and
the invite that lets someone answer once records only that they did.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, String, and_, cast, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Objective,
    ObjectiveRating,
    Outbox,
    OutboxStatus,
    Pair,
    PairStatus,
    Participant,
    ParticipantStatus,
    Programme,
    ProgrammeStatus,
    RatingPhase,
    Role,
    SessionLog,
    SessionRating,
    Survey,
    SurveyInvite,
    SurveyKind,
    SurveyResponse,
    Sweep,
)
from bot.services import outbox, sweeping
from bot.services.errors import Refused
from bot.services.outbox import Kind, Message, Quiet
from bot.services.workspaces import installed

PULSE_QUESTIONS = (
    ("value", "How valuable are your sessions?"),
    ("balance", "How balanced is the relationship: do you both teach and both learn?"),
    ("openness", "How openly can you talk?"),
    ("breadth", "How broad are your conversations?"),
)
ACTIONS_DONE = ("none", "some", "most", "all")
CONTINUE = ("yes", "maybe", "no")
MAX_COMMENT = 2000
# No pulse survey for someone who checked in this recently: they just told us how it goes.
QUIET_AFTER_CHECKIN = timedelta(days=3)
REMIND_AFTER = timedelta(days=2)
OPEN_FOR = {
    SurveyKind.PULSE: timedelta(days=7),
    SurveyKind.MIDPOINT: timedelta(days=14),
    SurveyKind.END: timedelta(days=14),
}
PHASE = {SurveyKind.MIDPOINT: RatingPhase.MIDPOINT, SurveyKind.END: RatingPhase.END}
# Programmes whose participants are surveyed.
SURVEYING = (ProgrammeStatus.RUNNING, ProgrammeStatus.REVIEWING)


class SurveyError(Refused):
    """Shown to the person as it is."""


@dataclass(frozen=True)
class Round:
    kind: SurveyKind
    number: int
    opens_on: date


def due_rounds(
    *, starts_on: date, midpoint_on: date, ends_on: date, every_weeks: int, today: date
) -> list[Round]:
    """The rounds open today: the newest pulse (none in a review's week), and the reviews."""
    rounds = []
    for kind, on in ((SurveyKind.MIDPOINT, midpoint_on), (SurveyKind.END, ends_on)):
        if on <= today < on + OPEN_FOR[kind]:
            rounds.append(Round(kind, 0, on))
    period = timedelta(weeks=max(1, every_weeks))
    if today >= starts_on + period:
        number = (today - starts_on) // period
        opens = starts_on + number * period
        near_review = any(abs((opens - on).days) < 7 for on in (midpoint_on, ends_on))
        if opens < ends_on and today < opens + OPEN_FOR[SurveyKind.PULSE] and not near_review:
            rounds.append(Round(SurveyKind.PULSE, number, opens))
    return rounds


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


def _quiet(programme: Programme, user_id: str, tz: str | None) -> Quiet:
    return Quiet.of(programme, user_id, tz)


async def sweep(session: AsyncSession, *, now: datetime) -> sweeping.Queued:
    """Open the rounds that are due and invite who has not been invited, each programme in its
    own savepoint; then remind once."""
    programmes = list(
        await session.scalars(
            select(Programme)
            .where(
                Programme.status.in_(SURVEYING),
                installed(Programme.team_id),
                sweeping.ready(Sweep.SURVEYS, Programme.id, now=now),
            )
            .order_by(Programme.id)
        )
    )

    async def invite(programme: Programme) -> int:
        queued = 0
        for round_ in due_rounds(
            starts_on=programme.starts_on,
            midpoint_on=programme.midpoint_on,
            ends_on=programme.ends_on,
            every_weeks=programme.pulse_every_weeks,
            today=now.date(),
        ):
            survey = await _survey(session, programme, round_, now)
            queued += await _invite(session, programme, survey, now)
        return queued

    invited = await sweeping.each(
        session, items=programmes, step=invite, sweep=Sweep.SURVEYS, key=lambda p: p.id, now=now
    )
    reminded = await _remind(session, now)
    return sweeping.Queued.of(invited, reminded)


async def _survey(
    session: AsyncSession, programme: Programme, round_: Round, now: datetime
) -> Survey:
    statement = outbox.dialect_insert(session)(Survey).on_conflict_do_nothing(
        index_elements=["programme_id", "kind", "number"]
    )
    await session.execute(
        statement,
        {
            "programme_id": programme.id,
            "kind": round_.kind,
            "number": round_.number,
            "opens_on": round_.opens_on,
            "closes_at": _start_of(round_.opens_on) + OPEN_FOR[round_.kind],
            "created_at": now,
        },
    )
    survey = await session.scalar(
        select(Survey).where(
            Survey.programme_id == programme.id,
            Survey.kind == round_.kind,
            Survey.number == round_.number,
        )
    )
    assert survey is not None
    return survey


def _active_participants(programme_id: int) -> Any:
    """Participants in a pair that has agreed and is not paused."""
    in_pair = exists().where(
        Pair.programme_id == programme_id,
        Pair.status == PairStatus.CONFIRMED,
        Pair.agreed_at.is_not(None),
        Pair.paused_at.is_(None),
        or_(Pair.mentor_id == Participant.id, Pair.mentee_id == Participant.id),
    )
    return select(Participant).where(
        Participant.programme_id == programme_id,
        Participant.status == ParticipantStatus.SIGNED_UP,
        in_pair,
    )


async def _invite(
    session: AsyncSession, programme: Programme, survey: Survey, now: datetime
) -> int:
    if survey.closes_at <= now:
        return 0
    query = _active_participants(programme.id).where(
        ~exists().where(
            SurveyInvite.survey_id == survey.id, SurveyInvite.participant_id == Participant.id
        )
    )
    if survey.kind == SurveyKind.PULSE:
        query = query.where(
            ~exists().where(
                SessionRating.participant_id == Participant.id,
                SessionRating.session_id == SessionLog.id,
                SessionLog.updated_at >= now - QUIET_AFTER_CHECKIN,
            )
        )
    people = list(await session.scalars(query))
    if not people:
        return 0
    statement = outbox.dialect_insert(session)(SurveyInvite).on_conflict_do_nothing(
        index_elements=["survey_id", "participant_id"]
    )
    invited = await session.execute(
        statement.returning(SurveyInvite.participant_id),
        [
            {"survey_id": survey.id, "participant_id": p.id, "invited_at": now, "answered": False}
            for p in people
        ],
    )
    new = set(invited.scalars())
    messages = [_ask(Kind.SURVEY, programme, survey, p) for p in people if p.id in new]
    return await outbox.enqueue(session, messages, now=now)


def _ask(kind: Kind, programme: Programme, survey: Survey, person: Participant) -> Message:
    """The invitation or its reminder: once per survey and person, gone when it closes."""
    prefix = "survey" if kind == Kind.SURVEY else "survey-reminder"
    return Message(
        key=f"{prefix}:{survey.id}:{person.id}",
        kind=kind,
        team_id=programme.team_id,
        channel_id=person.user_id,
        params={
            "survey_id": survey.id,
            "survey_kind": survey.kind.value,
            "programme": programme.name,
            "closes": int(survey.closes_at.timestamp()),
        },
        quiet=_quiet(programme, person.user_id, person.tz),
        participant_id=person.id,
        expires_at=survey.closes_at,
    )


def invitation_key(survey_id: Any, participant_id: Any) -> Any:
    return "survey:" + cast(survey_id, String) + ":" + cast(participant_id, String)


async def _remind(session: AsyncSession, now: datetime) -> sweeping.Outcome[int]:
    """One reminder, two days after the invitation reached someone who has not answered."""
    rows = (
        await session.execute(
            select(SurveyInvite.id, Survey, Participant, Programme)
            .join(SurveyInvite, SurveyInvite.survey_id == Survey.id)
            .join(Participant, Participant.id == SurveyInvite.participant_id)
            .join(Programme, Programme.id == Survey.programme_id)
            .join(
                Outbox,
                and_(
                    Outbox.key
                    == invitation_key(SurveyInvite.survey_id, SurveyInvite.participant_id),
                    Outbox.status == OutboxStatus.SENT,
                    Outbox.sent_at <= now - REMIND_AFTER,
                ),
            )
            .where(
                SurveyInvite.answered.is_(False),
                Survey.closes_at > now,
                Participant.status == ParticipantStatus.SIGNED_UP,
                sweeping.ready(Sweep.SURVEY_REMINDERS, SurveyInvite.id, now=now),
            )
        )
    ).all()

    async def queue(batch: Sequence[Row[int, Survey, Participant, Programme]]) -> int:
        messages = [
            _ask(Kind.SURVEY_REMINDER, programme, survey, person)
            for _, survey, person, programme in batch
        ]
        return await outbox.enqueue(session, messages, now=now)

    return await sweeping.together(
        session, items=rows, step=queue, sweep=Sweep.SURVEY_REMINDERS, key=lambda r: r[0], now=now
    )


# --- Answering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveToRate:
    id: int
    title: str
    measure: str
    baseline: int | None


@dataclass(frozen=True)
class SurveyForm:
    survey_id: int
    kind: SurveyKind
    programme_name: str
    objectives: tuple[ObjectiveToRate, ...]


@dataclass(frozen=True)
class Answers:
    pulse: dict[str, int]
    would_recommend: int | None = None
    actions_implemented: str | None = None
    continue_informally: str | None = None
    ratings: dict[int, int] | None = None
    comment: str = ""


async def _invite_for(
    session: AsyncSession, *, team_id: str, survey_id: int, user_id: str, now: datetime
) -> tuple[Survey, Programme, Participant, SurveyInvite]:
    row = (
        await session.execute(
            select(Survey, Programme, Participant, SurveyInvite)
            .join(Programme, Programme.id == Survey.programme_id)
            .join(SurveyInvite, SurveyInvite.survey_id == Survey.id)
            .join(Participant, Participant.id == SurveyInvite.participant_id)
            .where(
                Survey.id == survey_id,
                Programme.team_id == team_id,
                Participant.user_id == user_id,
            )
        )
    ).first()
    if row is None:
        raise SurveyError("This survey was sent to someone else, so there is nothing to answer.")
    survey, programme, participant, invite = row
    if participant.status == ParticipantStatus.WITHDRAWN:
        raise SurveyError(f"You have left “{programme.name}”, so this survey is closed for you.")
    if invite.answered:
        raise SurveyError("You have answered this survey already. Thank you!")
    if survey.closes_at <= now:
        raise SurveyError("This survey has closed. The next one will come to you here.")
    return survey, programme, participant, invite


async def form_start(
    session: AsyncSession, *, team_id: str, survey_id: int, user_id: str, now: datetime
) -> SurveyForm:
    survey, programme, participant, _ = await _invite_for(
        session, team_id=team_id, survey_id=survey_id, user_id=user_id, now=now
    )
    objectives: tuple[ObjectiveToRate, ...] = ()
    if survey.kind in PHASE:
        baseline = dict(
            (
                await session.execute(
                    select(ObjectiveRating.objective_id, ObjectiveRating.rating).where(
                        ObjectiveRating.participant_id == participant.id,
                        ObjectiveRating.phase == RatingPhase.BASELINE,
                    )
                )
            ).all()
        )
        rows = await session.scalars(
            select(Objective)
            .where(Objective.programme_id == programme.id)
            .order_by(Objective.position)
        )
        objectives = tuple(
            ObjectiveToRate(o.id, o.title, o.measure, baseline.get(o.id)) for o in rows
        )
    return SurveyForm(survey.id, survey.kind, programme.name, objectives)


def validate_answers(
    kind: SurveyKind, values: dict[str, Any], objective_ids: Sequence[int], rerate_prefix: str
) -> tuple[Answers | None, dict[str, str]]:
    """Plain form values in; answers, or errors keyed by field."""
    errors: dict[str, str] = {}

    def pick(name: str, allowed: Sequence[str]) -> str | None:
        value = values.get(name)
        if value not in allowed:
            errors[name] = "Please choose one."
            return None
        return value

    comment = (values.get("comment") or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Please keep it under {MAX_COMMENT} characters."
    scale = [str(n) for n in range(1, 6)]
    if kind == SurveyKind.PULSE:
        pulse = {name: pick(name, scale) for name, _ in PULSE_QUESTIONS}
        if errors:
            return None, errors
        return Answers({k: int(v) for k, v in pulse.items() if v}, comment=comment), {}
    recommend = pick("would_recommend", [str(n) for n in range(11)])
    done = pick("actions_implemented", ACTIONS_DONE)
    carry_on = pick("continue_informally", CONTINUE) if kind == SurveyKind.END else None
    ratings = {}
    for objective_id in objective_ids:
        field = f"{rerate_prefix}{objective_id}"
        value = pick(field, scale)
        if value:
            ratings[objective_id] = int(value)
    if errors:
        return None, errors
    return (
        Answers(
            {},
            would_recommend=int(recommend) if recommend else None,
            actions_implemented=done,
            continue_informally=carry_on,
            ratings=ratings,
            comment=comment,
        ),
        {},
    )


async def answer(
    session: AsyncSession,
    *,
    team_id: str,
    survey_id: int,
    user_id: str,
    answers: Answers,
    now: datetime,
) -> SurveyKind:
    """Keep the answers unattributed, note that this person answered, stop the reminder."""
    survey, _, participant, invite = await _invite_for(
        session, team_id=team_id, survey_id=survey_id, user_id=user_id, now=now
    )
    invite.answered = True
    session.add(
        SurveyResponse(
            id=uuid.uuid4().hex,
            survey_id=survey.id,
            role=Role(participant.role),
            value=answers.pulse.get("value"),
            balance=answers.pulse.get("balance"),
            openness=answers.pulse.get("openness"),
            breadth=answers.pulse.get("breadth"),
            would_recommend=answers.would_recommend,
            actions_implemented=answers.actions_implemented,
            continue_informally=answers.continue_informally,
            comment=answers.comment,
        )
    )
    phase = PHASE.get(survey.kind)
    if phase is not None:
        existing = {
            r.objective_id: r
            for r in await session.scalars(
                select(ObjectiveRating).where(
                    ObjectiveRating.participant_id == participant.id,
                    ObjectiveRating.phase == phase,
                )
            )
        }
        for objective_id, rating in (answers.ratings or {}).items():
            row = existing.get(objective_id)
            if row is None:
                session.add(
                    ObjectiveRating(
                        participant_id=participant.id,
                        objective_id=objective_id,
                        phase=phase,
                        rating=rating,
                        rated_at=now,
                    )
                )
            else:
                row.rating, row.rated_at = rating, now
    await outbox.cancel(session, now=now, keys=[f"survey-reminder:{survey.id}:{participant.id}"])
    return survey.kind
