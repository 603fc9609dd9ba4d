"""`app_uninstalled` and `tokens_revoked`: the workspace is marked gone, what was queued for it
is withdrawn, and the sweeps pass it by."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from bot.listeners.routing import then
from bot.services import workspaces

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: Deps) -> None:
    async def uninstall(team_id: str) -> None:
        async with deps.db.transaction() as session:
            withdrawn = await workspaces.uninstall(session, team_id=team_id, now=deps.clock.now())
        log.info(
            "workspace %s uninstalled the app; %d queued messages withdrawn", team_id, withdrawn
        )

    @then(app.event("app_uninstalled"))
    async def app_uninstalled(context: dict) -> None:
        await uninstall(context["team_id"])

    @then(app.event("tokens_revoked"))
    async def tokens_revoked(event: dict, context: dict) -> None:
        # Only the bot token matters: user tokens are not used.
        if (event.get("tokens") or {}).get("bot"):
            await uninstall(context["team_id"])
