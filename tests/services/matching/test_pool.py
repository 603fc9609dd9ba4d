"""The pool the engine sees: signed-up people not yet paired, their rules and constraints."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.models import (
    ConstraintKind,
    Medium,
    Pair,
    PairConstraint,
    PairStatus,
    Participant,
    ParticipantStatus,
    Personality,
    Role,
)
from bot.services import programmes, signup
from bot.services.matching.engine import match
from bot.services.matching.pool import load_pool
from bot.services.people import Profile
from bot.services.programme_rules import ProgrammeInput, validate_programme
from tests.services.test_programme_rules import good_form

NOW = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)  # winter: New York is UTC-5


async def seed(db: Database) -> dict[str, int]:
    data = validate_programme(good_form(), today=date(2026, 1, 5))
    assert isinstance(data, ProgrammeInput)
    people: dict[str, int] = {}  # participant ids by user
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
        for user, role, grade, tz, manager in (
            ("UM1", Role.MENTOR, 1, "Europe/London", None),
            ("UM2", Role.MENTOR, 2, "Europe/Berlin", "UE1"),  # reports to UE1
            ("UM3", Role.MENTOR, 2, "America/New_York", None),
            ("UE1", Role.MENTEE, 7, "America/New_York", None),
            ("UE2", Role.MENTEE, 6, "Europe/London", None),
        ):
            people[user] = await join(session, programme.id, user, role, grade, tz, manager)
        await session.flush()
    return people


async def join(
    session: AsyncSession,
    programme_id: int,
    user: str,
    role: Role,
    grade: int,
    tz: str,
    manager: str | None = None,
) -> int:
    answers = signup.SignupInput(
        role=role,
        department="Sales",
        grade_level=grade,
        line_manager_id=manager,
        topics=["AI"],
        skills="",
        baseline={},
        personality=Personality.EITHER,
        preferred_medium=Medium.VIDEO,
        goals="g",
    )
    participant_id, _ = await signup.sign_up(
        session,
        team_id="T1",
        programme_id=programme_id,
        profile=Profile(user, user, tz),
        data=answers,
        now=NOW,
    )
    return participant_id


async def test_pool_holds_the_unpaired_with_the_programmes_rules(db: Database) -> None:
    people = await seed(db)
    async with db.transaction() as session:
        withdrawn = await session.get(Participant, people["UM3"])
        withdrawn.status = ParticipantStatus.WITHDRAWN
        programme = (await programmes.find_programmes(session, team_id="T1"))[0]
        data = await load_pool(session, programme=programme, at=NOW)
    assert [m.id for m in data.mentors] == ["UM1", "UM2"]
    assert [e.id for e in data.mentees] == ["UE1", "UE2"]
    assert data.managers == {"UM2": "UE1"}
    assert {e.id: e.utc_offset_hours for e in data.mentees} == {"UE1": -5.0, "UE2": 0.0}
    assert data.rules.outside_reporting_line and data.rules.mentor_more_junior
    result = match(data)
    assert ("UM2", "UE1") not in {(p.mentor_id, p.mentee_id) for p in result.pairs}
    assert len(result.pairs) == 2


async def test_active_pairs_leave_the_pool_and_constraints_apply(db: Database) -> None:
    people = await seed(db)
    async with db.transaction() as session:
        programme = (await programmes.find_programmes(session, team_id="T1"))[0]
        session.add_all(
            [
                Pair(
                    programme_id=programme.id,
                    mentor_id=people["UM3"],
                    mentee_id=people["UE2"],
                    status=PairStatus.CONFIRMED,
                    created_at=NOW,
                    updated_at=NOW,
                ),
                Pair(
                    programme_id=programme.id,
                    mentor_id=people["UM1"],
                    mentee_id=people["UE1"],
                    status=PairStatus.DISSOLVED,
                    created_at=NOW,
                    updated_at=NOW,
                ),
                PairConstraint(
                    programme_id=programme.id,
                    mentor_id=people["UM2"],
                    mentee_id=people["UE1"],
                    kind=ConstraintKind.PIN,
                    created_at=NOW,
                ),
            ]
        )
        await session.flush()
        data = await load_pool(session, programme=programme, at=NOW)
    assert [m.id for m in data.mentors] == ["UM1", "UM2"]
    assert [e.id for e in data.mentees] == ["UE1"]
    assert data.forbidden == {("UM1", "UE1")}  # dissolved pairs are never proposed again
    assert data.pinned == {("UM2", "UE1")}


async def test_a_mentor_with_room_stays_in_the_pool(db: Database) -> None:
    people = await seed(db)
    async with db.transaction() as session:
        programme = (await programmes.find_programmes(session, team_id="T1"))[0]
        programme.mentor_capacity = 2
        session.add(
            Pair(
                programme_id=programme.id,
                mentor_id=people["UM1"],
                mentee_id=people["UE2"],
                status=PairStatus.INTRODUCED,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        await session.flush()
        data = await load_pool(session, programme=programme, at=NOW)
    assert {m.id: m.taken for m in data.mentors} == {"UM1": 1, "UM2": 0, "UM3": 0}
    assert [e.id for e in data.mentees] == ["UE1"]


async def test_the_pool_comes_in_sign_up_order(db: Database) -> None:
    """The same pool reads the same from one run to the next, in sign-up order, whatever plan
    the database picks: not in user-id order (as the programme's unique index reads it), nor
    with an edited sign-up last (as PostgreSQL's table holds its new version)."""
    people = await seed(db)
    async with db.transaction() as session:
        programme = (await programmes.find_programmes(session, team_id="T1"))[0]
        await join(session, programme.id, "UA1", Role.MENTOR, 1, "Europe/London")
        first = await session.get(Participant, people["UM1"])
        assert first is not None
        first.goals = "edited after the others signed up"
    if db.url.startswith("postgresql"):
        async with db.transaction() as session:
            # Statistics of a small table, as autovacuum gathers them: PostgreSQL then reads
            # the table itself rather than the index, in the order its rows lie.
            await session.execute(text("ANALYZE participant"))
    async with db.transaction() as session:
        data = await load_pool(session, programme=programme, at=NOW)
    assert [m.id for m in data.mentors] == ["UM1", "UM2", "UM3", "UA1"]
    assert [e.id for e in data.mentees] == ["UE1", "UE2"]
