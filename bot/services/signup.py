"""Sign-up: validate answers, join or update, withdraw, and where someone stands."""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any, Protocol

from sqlalchemy import Dialect, Insert, Select, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db import bind_columns
from bot.ids import BASELINE_PREFIX, Field
from bot.models import (
    Medium,
    ObjectiveRating,
    PairEnd,
    Participant,
    ParticipantStatus,
    Personality,
    Programme,
    ProgrammeStatus,
    RatingPhase,
    Role,
)
from bot.services import outbox
from bot.services.pairs import Ending, end_pair, live_pairs_of, lock_pair
from bot.services.people import Profile
from bot.services.programme_rules import FormErrors, choice, form_text, required_text
from bot.services.programmes import ProgrammeError, get_programme

GRADE_LEVELS = {
    1: "Entry level / graduate",
    2: "Associate",
    3: "Senior individual contributor",
    4: "Team lead / manager",
    5: "Senior manager",
    6: "Director",
    7: "Executive / C-suite",
}


class EnrolmentClosed(ProgrammeError):
    pass


@dataclass(frozen=True)
class SignupInput:
    role: Role
    department: str
    grade_level: int
    line_manager_id: str | None
    topics: list[str]
    skills: str
    baseline: dict[int, int]  # objective id -> rating 1..5
    personality: Personality
    preferred_medium: Medium
    goals: str


@dataclass(frozen=True)
class Participation:
    programme_id: int
    programme_name: str
    programme_status: ProgrammeStatus
    enrolment_deadline: date
    role: Role
    status: ParticipantStatus

    @property
    def can_edit(self) -> bool:
        return (
            self.status == ParticipantStatus.SIGNED_UP
            and self.programme_status == ProgrammeStatus.ENROLLING
        )


class EnrolmentFacts(Protocol):
    """What sign-up needs to know of a programme: a model or a cached snapshot."""

    @property
    def status(self) -> ProgrammeStatus: ...

    @property
    def enrolment_deadline(self) -> date: ...

    @property
    def topics(self) -> Sequence[str]: ...

    @property
    def objectives(self) -> Sequence[Any]: ...


def is_open_for_enrolment(programme: EnrolmentFacts, *, today: date) -> bool:
    return programme.status == ProgrammeStatus.ENROLLING and programme.enrolment_deadline >= today


def validate_signup(
    form: dict[str, object], *, programme: EnrolmentFacts, user_id: str
) -> SignupInput | FormErrors:
    errors = FormErrors()
    role = choice(
        form,
        Field.ROLE,
        errors,
        missing="Choose whether you join as a mentor or a mentee.",
        default=Role.MENTOR,
    )
    department = required_text(
        form,
        Field.DEPARTMENT,
        errors,
        missing="Tell us your department.",
        limit=100,
        too_long="Keep the department under 100 characters.",
    )
    grade = _one_of(form, Field.GRADE, GRADE_LEVELS, errors, "Choose your level.")
    manager = form_text(form, Field.LINE_MANAGER) or None
    if manager == user_id:
        errors.add(Field.LINE_MANAGER, "Pick your line manager, not yourself.")
    raw_topics = form.get(Field.TOPICS) or []
    topics = (
        [t for t in raw_topics if t in programme.topics] if isinstance(raw_topics, list) else []
    )
    if not topics:
        errors.add(Field.TOPICS, "Choose at least one topic.")
    skills = form_text(form, Field.SKILLS)
    if len(skills) > 1000:
        errors.add(Field.SKILLS, "Keep this under 1,000 characters.")
    baseline = _baseline(form, programme.objectives, errors)
    personality = choice(
        form,
        Field.PERSONALITY,
        errors,
        missing="Choose the option closest to you.",
        default=Personality.EITHER,
    )
    medium = choice(
        form,
        Field.PREFERRED_MEDIUM,
        errors,
        missing="Choose how you would like to meet.",
        default=Medium.ANY,
    )
    goals = required_text(
        form,
        Field.GOALS,
        errors,
        missing="Share at least one goal you bring.",
        limit=2000,
        too_long="Keep your goals under 2,000 characters.",
    )
    if not _consented(form):
        errors.add(Field.CONSENT, "Please accept the ground rules to take part.")
    if errors:
        return errors
    assert grade is not None
    return SignupInput(
        role=role,
        department=department,
        grade_level=grade,
        line_manager_id=manager,
        topics=topics,
        skills=skills,
        baseline=baseline,
        personality=personality,
        preferred_medium=medium,
        goals=goals,
    )


def _one_of(
    form: dict[str, object], key: str, allowed: Container[int], errors: FormErrors, missing: str
) -> int | None:
    """A whole number picked from `allowed`; None, with the error, for anything else."""
    try:
        value = int(form_text(form, key))
    except ValueError:
        value = None
    if value not in allowed:
        errors.add(key, missing)
        return None
    return value


def _baseline(
    form: dict[str, object], objectives: Sequence[Any], errors: FormErrors
) -> dict[int, int]:
    """The person's rating of themself, 1 to 5, against each objective, by objective id."""
    baseline: dict[int, int] = {}
    for objective in objectives:
        key = f"{BASELINE_PREFIX}{objective.id}"
        rating = _one_of(form, key, range(1, 6), errors, "Rate yourself from 1 to 5.")
        if rating is not None:
            baseline[objective.id] = rating
    return baseline


def _consented(form: dict[str, object]) -> bool:
    consent = form.get(Field.CONSENT)
    # Ticked boxes come as a list of values.
    return isinstance(consent, list) and "accepted" in consent


async def open_programme_ids(session: AsyncSession, *, team_id: str, today: date) -> list[int]:
    rows = await session.scalars(_open_programme_ids(), {"team_id": team_id, "today": today})
    return list(rows.all())


@cache
def _open_programme_ids() -> Select[int]:
    """Built once (every Home and every join asks): bind parameters team_id and today."""
    return (
        select(Programme.id)
        .where(
            Programme.team_id == bindparam("team_id"),
            Programme.status == ProgrammeStatus.ENROLLING,
            Programme.enrolment_deadline >= bindparam("today"),
        )
        .order_by(Programme.id)
    )


async def get_participant(
    session: AsyncSession, *, programme_id: int, user_id: str
) -> Participant | None:
    return await session.scalar(
        select(Participant)
        .where(Participant.programme_id == programme_id, Participant.user_id == user_id)
        .options(selectinload(Participant.ratings))
    )


async def answers_to_edit(
    session: AsyncSession, *, programme_id: int, user_id: str
) -> Participant | None:
    """Someone's current answers, to prefill the form; None if they never joined or left."""
    participant = await get_participant(session, programme_id=programme_id, user_id=user_id)
    if participant is None or participant.status == ParticipantStatus.WITHDRAWN:
        return None
    return participant


async def sign_up(
    session: AsyncSession,
    *,
    team_id: str,
    programme_id: int,
    profile: Profile,
    data: SignupInput,
    now: datetime,
) -> tuple[int, bool]:
    """Join, or update the answers of someone already signed up. Returns (participant id,
    created)."""
    programme = (
        await session.execute(_enrolment_of(), {"programme_id": programme_id, "team_id": team_id})
    ).one_or_none()
    if programme is None:
        raise EnrolmentClosed("That programme no longer exists.")
    if not is_open_for_enrolment(programme, today=now.date()):
        raise EnrolmentClosed(
            f"Enrolment for “{programme.name}” is closed, so your answers were not saved."
        )
    # A newcomer's row in one statement (a sign-up is most often a first one). Someone already
    # in, or the same person's other submission at the same moment, inserts nothing here and
    # is updated below instead.
    row = {
        "programme_id": programme.id,
        "user_id": profile.user_id,
        "joined_at": now,
        **_answers(data, profile, now),
    }
    joined = await session.scalar(_join(session.get_bind().dialect, tuple(row)), row)
    if joined is not None:
        if data.baseline:
            await session.execute(
                insert(ObjectiveRating),
                [
                    {
                        "participant_id": joined,
                        "objective_id": objective_id,
                        "phase": RatingPhase.BASELINE,
                        "rating": rating,
                        "rated_at": now,
                    }
                    for objective_id, rating in data.baseline.items()
                ],
            )
        return joined, True
    participant = await get_participant(session, programme_id=programme.id, user_id=profile.user_id)
    assert participant is not None
    _apply(participant, data, profile, now)
    return participant.id, False


def _apply_baseline(participant: Participant, baseline: dict[int, int], now: datetime) -> None:
    ratings = {r.objective_id: r for r in participant.ratings if r.phase == RatingPhase.BASELINE}
    for objective_id, value in baseline.items():
        if objective_id in ratings:
            ratings[objective_id].rating = value
            ratings[objective_id].rated_at = now
        else:
            participant.ratings.append(
                ObjectiveRating(
                    objective_id=objective_id,
                    phase=RatingPhase.BASELINE,
                    rating=value,
                    rated_at=now,
                )
            )


@cache
def _enrolment_of() -> Select[int, str, ProgrammeStatus, date]:
    """What sign_up checks of the programme, built once."""
    return select(
        Programme.id, Programme.name, Programme.status, Programme.enrolment_deadline
    ).where(Programme.id == bindparam("programme_id"), Programme.team_id == bindparam("team_id"))


@lru_cache(maxsize=8)
def _join(dialect: Dialect, columns: tuple[str, ...]) -> Insert:
    """sign_up's insert of a newcomer into these columns, built once per engine from bind
    parameters: built with its values each time, it coerced every one of them again (a fifth
    of a millisecond per sign-up)."""
    table = Participant.__table__
    return (
        outbox.insert_for(dialect)(table)
        .values(bind_columns(table, columns))
        .on_conflict_do_nothing(index_elements=["programme_id", "user_id"])
        .returning(table.c.id)
    )


def _answers(data: SignupInput, profile: Profile, now: datetime) -> dict[str, Any]:
    """A sign-up's columns, for a new row or over an existing one."""
    return {
        "role": data.role,
        "status": ParticipantStatus.SIGNED_UP,
        "withdrawn_at": None,
        "display_name": profile.display_name,
        "tz": profile.tz,
        "department": data.department,
        "grade_level": data.grade_level,
        "line_manager_id": data.line_manager_id,
        "topics": data.topics,
        "skills": data.skills,
        "personality": data.personality,
        "preferred_medium": data.preferred_medium,
        "goals": data.goals,
        "consented_at": now,
        "updated_at": now,
    }


def _apply(participant: Participant, data: SignupInput, profile: Profile, now: datetime) -> None:
    for column, value in _answers(data, profile, now).items():
        setattr(participant, column, value)
    _apply_baseline(participant, data.baseline, now)


async def participations(
    session: AsyncSession, *, team_id: str, user_id: str
) -> list[Participation]:
    # Plain columns, not ORM objects, from a statement built once: this runs on every Home.
    rows = await session.execute(_participations(), {"team_id": team_id, "user_id": user_id})
    return [Participation(*row) for row in rows]


@cache
def _participations() -> Select[int, str, ProgrammeStatus, date, Role, ParticipantStatus]:
    return (
        select(
            Programme.id,
            Programme.name,
            Programme.status,
            Programme.enrolment_deadline,
            Participant.role,
            Participant.status,
        )
        .join(Programme, Programme.id == Participant.programme_id)
        .where(
            Programme.team_id == bindparam("team_id"), Participant.user_id == bindparam("user_id")
        )
        .order_by(Programme.id)
    )


async def withdraw(
    session: AsyncSession, *, team_id: str, programme_id: int, user_id: str, now: datetime
) -> tuple[Programme, list[Ending]]:
    """Leave a programme; any pair they are in ends and frees their partner."""
    programme = await get_programme(session, team_id=team_id, programme_id=programme_id)
    participant = (
        await get_participant(session, programme_id=programme_id, user_id=user_id)
        if programme
        else None
    )
    if programme is None or participant is None:
        raise ProgrammeError("You are not signed up to that programme.")
    if participant.status == ParticipantStatus.WITHDRAWN:
        raise ProgrammeError(f"You already left “{programme.name}”.")
    participant.status = ParticipantStatus.WITHDRAWN
    participant.withdrawn_at = now
    participant.updated_at = now
    await outbox.cancel(session, now=now, participant_ids=[participant.id])  # surveys too
    endings = []
    for pair, info in await live_pairs_of(
        session, programme_id=programme_id, participant_id=participant.id
    ):
        await lock_pair(session, pair_id=pair.id, now=now)
        endings.append(await end_pair(session, pair, info, by=PairEnd.WITHDRAWAL, now=now))
    return programme, endings
