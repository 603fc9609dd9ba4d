"""A workspace that uninstalls the app (or revokes its bot token) is left alone: nothing is
queued or sent for it until it installs again. Slack sends a single-workspace app no event
when it is installed again, so the first verified request from the team after the uninstall
is the sign that it is back. Plain values in and out; no Slack."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, SQLColumnExpression, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database, rowcount
from bot.models import (
    Outbox,
    OutboxStatus,
    Pair,
    PairStatus,
    Programme,
    ProgrammeStatus,
    Workspace,
)
from bot.services import momentum
from bot.services.outbox import CLAIMABLE, dialect_insert
from bot.services.recent import Recent

log = logging.getLogger(__name__)

# Why what was queued for a workspace was withdrawn when it uninstalled the app.
UNINSTALLED = "app uninstalled"


def installed(team_id: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """A filter for sweeps: the team has not uninstalled the app."""
    gone = select(Workspace.team_id).where(Workspace.uninstalled_at.is_not(None))
    return team_id.not_in(gone)


def _in_team(team_id: str) -> ColumnElement[bool]:
    return Pair.programme_id.in_(select(Programme.id).where(Programme.team_id == team_id))


async def uninstall(session: AsyncSession, *, team_id: str, now: datetime) -> int:
    """Mark the workspace gone, withdraw everything queued for it and stop its pairs' ladders;
    returns how many queued messages were withdrawn."""
    workspace = await session.get(Workspace, team_id, with_for_update=True)
    if workspace is None:
        workspace = Workspace(team_id=team_id, installed_at=now)
        session.add(workspace)
    workspace.uninstalled_at = workspace.uninstalled_at or now
    withdrawn = await session.execute(
        update(Outbox)
        .where(Outbox.team_id == team_id, Outbox.status.in_(CLAIMABLE))
        .values(status=OutboxStatus.CANCELLED, due_at=now, last_error=UNINSTALLED)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Pair)
        .where(_in_team(team_id))
        .values(momentum_due_at=None)
        .execution_options(synchronize_session=False)
    )
    return rowcount(withdrawn) or 0


async def reinstall(session: AsyncSession, *, team_id: str, now: datetime) -> bool:
    """The workspace is back: the sweeps take it up again, its running pairs' ladders start
    again from today (nobody could log a session meanwhile), and what its uninstall withdrew
    is queued again, for the sender to check as it checks everything. False if it was not
    marked gone."""
    workspace = await session.get(Workspace, team_id, with_for_update=True)
    if workspace is None or workspace.uninstalled_at is None:
        return False
    workspace.uninstalled_at = None
    workspace.installed_at = now
    running = await session.scalars(
        select(Pair)
        .join(Programme, Programme.id == Pair.programme_id)
        .where(
            Programme.team_id == team_id,
            Programme.status != ProgrammeStatus.CLOSED,
            Pair.status == PairStatus.CONFIRMED,
            Pair.agreed_at.is_not(None),
            Pair.paused_at.is_(None),
        )
    )
    for pair in running:
        momentum.restart(pair, on=now.date(), now=now)
    await session.execute(
        update(Outbox)
        .where(
            Outbox.team_id == team_id,
            Outbox.status == OutboxStatus.CANCELLED,
            Outbox.last_error == UNINSTALLED,
        )
        .values(status=OutboxStatus.PENDING, due_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return True


class UninstalledTeams:
    """The workspaces marked gone, as the database said a few seconds ago, so the check
    every request makes is answered from memory: only a process's first request waits for
    the database, and a refresh runs in the background."""

    def __init__(
        self, db: Database, *, ttl_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._db = db
        self._teams: set[str] = set()
        self._marks = 0  # changes this process made, which a refresh begun earlier must keep
        # One entry: the whole set, read in one query.
        self._recent = Recent[None, set[str]](self._load, ttl_seconds=ttl_seconds, clock=clock)

    async def contains(self, team_id: str) -> bool:
        return team_id in await self._recent.get(None)

    def mark(self, team_id: str, *, gone: bool) -> None:
        """This process just uninstalled or reinstalled the team."""
        (self._teams.add if gone else self._teams.discard)(team_id)
        self._marks += 1

    async def _load(self, _: None) -> set[str]:
        marks = self._marks
        try:
            async with self._db.transaction() as session:
                teams = set(
                    await session.scalars(
                        select(Workspace.team_id).where(Workspace.uninstalled_at.is_not(None))
                    )
                )
            if self._marks == marks:
                self._teams = teams
        except Exception:  # the request goes on with what is known; tried again later
            log.warning("could not read which workspaces uninstalled the app", exc_info=True)
        return self._teams


async def belongs_to(
    session: AsyncSession, *, team_id: str, enterprise_id: str, now: datetime
) -> None:
    """Slack said the team is a workspace of the Enterprise Grid org."""
    insert = dialect_insert(session)(Workspace).values(
        team_id=team_id, enterprise_id=enterprise_id, installed_at=now
    )
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["team_id"], set_={"enterprise_id": enterprise_id}
        )
    )


class TeamEnterprises:
    """Which Enterprise Grid org each workspace belongs to. An org-wide installation names
    the org, never its workspaces, so this is learnt from the requests Slack signs: once per
    team and process a write, then answered from memory."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._known: dict[str, str] = {}

    async def learn(self, *, team_id: str, enterprise_id: str, now: datetime) -> None:
        if self._known.get(team_id) == enterprise_id:
            return
        async with self._db.transaction() as session:
            await belongs_to(session, team_id=team_id, enterprise_id=enterprise_id, now=now)
        self._known[team_id] = enterprise_id

    async def of(self, team_id: str) -> str | None:
        """The team's org, or None for a workspace outside Enterprise Grid (or not yet heard)."""
        if team_id in self._known:
            return self._known[team_id]
        async with self._db.transaction() as session:
            found = await session.scalar(
                select(Workspace.enterprise_id).where(Workspace.team_id == team_id)
            )
        if found is not None:
            self._known[team_id] = found
        return found

    async def teams_of(self, enterprise_id: str) -> list[str]:
        """Every workspace of the org the app has heard from."""
        async with self._db.transaction() as session:
            teams = await session.scalars(
                select(Workspace.team_id).where(Workspace.enterprise_id == enterprise_id)
            )
            return sorted(teams)
