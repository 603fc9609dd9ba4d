"""Many active pairs straight into the database, for load tests and bench/sweep.py: a
programme too large to build one signed request at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select

from bot.db import Database
from bot.models import (
    Agreement,
    AgreementStatus,
    Medium,
    Pair,
    PairStatus,
    Participant,
    Personality,
    Programme,
    ProgrammeLead,
    ProgrammeStatus,
    Role,
    Scheduler,
    Workspace,
)

CHUNK = 5000


@dataclass(frozen=True)
class Seeded:
    programme_id: int
    user_ids: list[str]  # everyone in a pair, mentors then mentees
    due: int  # pairs whose ladder is due now


async def seed_active_pairs(
    db: Database,
    *,
    pairs: int,
    due: int,
    now: datetime,
    team_id: str = "T0TEST",
    lead_id: str = "U0LEAD",
    prefix: str = "U",
    tz: str = "Europe/London",
) -> Seeded:
    """`pairs` agreed pairs (cadence 14, grace 7); `due` of them last met 22 days ago, so the
    first rung is due, the rest last met yesterday and are not due for weeks."""
    programme_id = await _add_programme(
        db, team_id=team_id, lead_id=lead_id, name=f"Load {prefix} {pairs}", now=now
    )
    # Mentors first, then mentees: the n-th mentor pairs with the n-th mentee.
    users = [f"{prefix}{n:07d}{side}" for side in "ME" for n in range(pairs)]
    await _add_participants(db, programme_id, users, tz, now)
    ids = await _participant_ids(db, programme_id)
    for start in range(0, pairs, CHUNK):
        chunk = range(start, min(pairs, start + CHUNK))
        couples = [(ids[users[n]], ids[users[pairs + n]], n < due) for n in chunk]
        await _add_agreed_pairs(db, programme_id, couples, now)
    return Seeded(programme_id, users, due)


async def _add_programme(
    db: Database, *, team_id: str, lead_id: str, name: str, now: datetime
) -> int:
    """A running programme (and its workspace, if new) led by `lead_id`; its id."""
    today = now.date()
    async with db.transaction() as session:
        if await session.get(Workspace, team_id) is None:
            session.add(Workspace(team_id=team_id, installed_at=now))
            await session.flush()
        programme = Programme(
            team_id=team_id,
            name=name,
            status=ProgrammeStatus.RUNNING,
            sessions_planned=6,
            cadence_days=14,
            session_minutes=60,
            default_medium=Medium.VIDEO,
            nudge_grace_days=7,
            enrolment_deadline=today - timedelta(days=60),
            starts_on=today - timedelta(days=50),
            midpoint_on=today + timedelta(days=40),
            ends_on=today + timedelta(days=130),
            created_by=lead_id,
            created_at=now,
            updated_at=now,
        )
        session.add(programme)
        await session.flush()
        session.add(ProgrammeLead(programme_id=programme.id, user_id=lead_id, added_at=now))
        return programme.id


async def _add_participants(
    db: Database, programme_id: int, users: list[str], tz: str, now: datetime
) -> None:
    """Each user joins as a mentor (id ending M) or a mentee (id ending E), CHUNK a transaction."""
    for start in range(0, len(users), CHUNK):
        async with db.transaction() as session:
            await session.execute(
                insert(Participant),
                [
                    _person(
                        programme_id, user, Role.MENTOR if user[-1] == "M" else Role.MENTEE, tz, now
                    )
                    for user in users[start : start + CHUNK]
                ],
            )


async def _participant_ids(db: Database, programme_id: int) -> dict[str, int]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(Participant.user_id, Participant.id).where(
                Participant.programme_id == programme_id
            )
        )
        return dict(rows.all())


async def _add_agreed_pairs(
    db: Database, programme_id: int, couples: list[tuple[int, int, bool]], now: datetime
) -> None:
    """Confirmed pairs of (mentor id, mentee id, due), each with an agreement the mentee
    proposed, in one transaction."""
    async with db.transaction() as session:
        pair_ids = (
            (
                await session.execute(
                    insert(Pair).returning(Pair.id, sort_by_parameter_order=True),
                    [
                        _pair(programme_id, mentor, mentee, due, now)
                        for mentor, mentee, due in couples
                    ],
                )
            )
            .scalars()
            .all()
        )
        await session.execute(
            insert(Agreement),
            [
                _agreement(pair_id, mentee, now.date(), now)
                for pair_id, (_, mentee, _) in zip(pair_ids, couples, strict=True)
            ],
        )


def _person(programme_id: int, user: str, role: Role, tz: str, now: datetime) -> dict:
    return {
        "programme_id": programme_id,
        "user_id": user,
        "role": role,
        "display_name": f"Person {user}",
        "tz": tz,
        "department": "IT" if role == Role.MENTOR else "Sales",
        "grade_level": 2 if role == Role.MENTOR else 6,
        "topics": [],
        "skills": "",
        "personality": Personality.EITHER,
        "preferred_medium": Medium.VIDEO,
        "goals": "",
        "consented_at": now,
        "joined_at": now,
        "updated_at": now,
    }


def _pair(programme_id: int, mentor: int, mentee: int, due: bool, now: datetime) -> dict:
    return {
        "programme_id": programme_id,
        "mentor_id": mentor,
        "mentee_id": mentee,
        "status": PairStatus.CONFIRMED,
        "score": 1.0,
        "explanation": "",
        "pinned": False,
        "confirmed_at": now - timedelta(days=30),
        "agreed_at": now - timedelta(days=30),
        "momentum_anchor_on": (now - timedelta(days=22 if due else 1)).date(),
        "ladder_step": 0,
        "momentum_due_at": now - timedelta(hours=1) if due else now + timedelta(days=20),
        "created_at": now,
        "updated_at": now,
    }


def _agreement(pair_id: int, mentee: int, today: date, now: datetime) -> dict:
    return {
        "pair_id": pair_id,
        "version": 1,
        "status": AgreementStatus.CONFIRMED,
        "proposed_by": mentee,
        "sessions_planned": 6,
        "cadence_days": 14,
        "session_minutes": 60,
        "medium": Medium.VIDEO,
        "ends_on": today + timedelta(days=120),
        "mentor_goals": "",
        "mentee_goals": "",
        "scheduler": Scheduler.BOTH,
        "created_at": now,
        "confirmed_at": now,
    }
