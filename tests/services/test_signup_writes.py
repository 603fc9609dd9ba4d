"""A sign-up's rows: a newcomer in one statement, and the same person's two submissions at
the same moment make one participant, the later an update, on either database."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.db import Database
from bot.models import Medium, ObjectiveRating, Participant, Personality, Role
from bot.services import programmes, signup
from bot.services.people import Profile
from bot.services.programme_rules import ProgrammeInput, validate_programme
from tests.services.test_programme_rules import good_form

NOW = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)


async def open_programme(db: Database) -> tuple[int, list[int]]:
    data = validate_programme(good_form(), today=date(2026, 1, 5))
    assert isinstance(data, ProgrammeInput)
    async with db.transaction() as session:
        programme = await programmes.create_programme(
            session, team_id="T1", lead_id="ULEAD", data=data, now=NOW
        )
        await session.flush()
        await programmes.open_enrolment(
            session,
            team_id="T1",
            programme_id=programme.id,
            channel_id="C1",
            announcement_ts="1.0",
            now=NOW,
        )
        return programme.id, [o.id for o in programme.objectives]


def answers(department: str, baseline: dict[int, int]) -> signup.SignupInput:
    return signup.SignupInput(
        role=Role.MENTOR,
        department=department,
        grade_level=2,
        line_manager_id=None,
        topics=["AI"],
        skills="",
        baseline=baseline,
        personality=Personality.EITHER,
        preferred_medium=Medium.VIDEO,
        goals="g",
    )


async def join(db: Database, programme_id: int, data: signup.SignupInput) -> tuple[int, bool]:
    async with db.transaction() as session:
        return await signup.sign_up(
            session,
            team_id="T1",
            programme_id=programme_id,
            profile=Profile("UM1", "Mia", "Europe/London"),
            data=data,
            now=NOW,
        )


async def test_two_submissions_at_once_make_one_participant(db: Database) -> None:
    programme_id, objectives = await open_programme(db)
    baseline = {objectives[0]: 2}
    results = await asyncio.gather(
        join(db, programme_id, answers("Sales", baseline)),
        join(db, programme_id, answers("Legal", {objectives[0]: 4})),
    )
    assert sorted(created for _, created in results) == [False, True]
    assert results[0][0] == results[1][0]
    async with db.transaction() as session:
        people = (await session.scalars(select(Participant))).all()
        ratings = (await session.scalars(select(ObjectiveRating))).all()
    assert [p.user_id for p in people] == ["UM1"]
    assert len(ratings) == 1  # one baseline per objective, whoever wrote last


async def test_a_newcomer_joins_with_their_baseline_and_a_return_updates_it(db: Database) -> None:
    programme_id, objectives = await open_programme(db)
    first, created = await join(db, programme_id, answers("Sales", {objectives[0]: 2}))
    again, created_again = await join(db, programme_id, answers("Legal", {objectives[0]: 5}))
    assert (created, created_again) == (True, False) and first == again
    async with db.transaction() as session:
        person = await session.get(Participant, first)
        rating = await session.scalar(select(ObjectiveRating.rating))
        count = await session.scalar(select(func.count()).select_from(ObjectiveRating))
    assert person is not None and person.department == "Legal"
    assert (rating, count) == (5, 1)
