"""A workspace that uninstalls the app (or revokes its bot token) is left alone: nothing is
queued or sent for it until it installs again. Plain values in and out; no Slack."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Outbox, OutboxStatus, Pair, Programme, Workspace
from bot.services.outbox import CLAIMABLE


def installed(team_id: ColumnElement[str]) -> ColumnElement[bool]:
    """A filter for sweeps: the team has not uninstalled the app."""
    gone = select(Workspace.team_id).where(Workspace.uninstalled_at.is_not(None))
    return team_id.not_in(gone)


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
        .values(status=OutboxStatus.CANCELLED, due_at=now, last_error="app uninstalled")
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Pair)
        .where(Pair.programme_id.in_(select(Programme.id).where(Programme.team_id == team_id)))
        .values(momentum_due_at=None)
        .execution_options(synchronize_session=False)
    )
    return withdrawn.rowcount or 0
