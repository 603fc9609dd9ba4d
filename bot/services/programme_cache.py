"""Programme facts kept in memory briefly, so acknowledgements never wait on the database.

Anything decided from a snapshot before the ack is checked again inside the transaction that
does the work, so a snapshot a few seconds old can delay an error message but never corrupt data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.db import Database
from bot.models import MatchingMode, Programme, ProgrammeStatus
from bot.services.recent import Recent


@dataclass(frozen=True)
class ObjectiveSnapshot:
    id: int
    title: str
    measure: str


@dataclass(frozen=True)
class ProgrammeSnapshot:
    id: int
    team_id: str
    name: str
    description: str
    ground_rules: str
    status: ProgrammeStatus
    enrolment_deadline: date
    topics: tuple[str, ...]
    objectives: tuple[ObjectiveSnapshot, ...]
    matching_mode: MatchingMode = MatchingMode.LEAD

    @classmethod
    def of(cls, programme: Programme) -> ProgrammeSnapshot:
        return cls(
            id=programme.id,
            team_id=programme.team_id,
            name=programme.name,
            description=programme.description,
            ground_rules=programme.ground_rules,
            status=programme.status,
            enrolment_deadline=programme.enrolment_deadline,
            topics=tuple(programme.topics),
            objectives=tuple(
                ObjectiveSnapshot(o.id, o.title, o.measure) for o in programme.objectives
            ),
            matching_mode=programme.matching_mode,
        )


class ProgrammeCache:
    def __init__(
        self, db: Database, *, ttl_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._db = db
        self._snapshots = Recent(self._load, ttl_seconds=ttl_seconds, clock=clock)

    async def get(self, *, team_id: str, programme_id: int) -> ProgrammeSnapshot | None:
        """The snapshot; a stale one is returned at once and refreshed in the background, so
        only the very first read of a programme in this process waits for the database."""
        snapshot = await self._snapshots.get(programme_id)
        if snapshot is None or snapshot.team_id != team_id:
            return None
        return snapshot

    async def _load(self, programme_id: int) -> ProgrammeSnapshot | None:
        async with self._db.transaction() as session:
            programme = await session.scalar(
                select(Programme)
                .where(Programme.id == programme_id)
                .options(selectinload(Programme.objectives))
            )
            return ProgrammeSnapshot.of(programme) if programme else None

    def forget(self, programme_id: int) -> None:
        """Drop a programme this process just changed, so its next read is fresh."""
        self._snapshots.forget(programme_id)
