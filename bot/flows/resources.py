"""A programme's resource library as its leads see it."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.services import resources
from bot.services.programmes import find_programmes
from bot.slack.replies import Reply
from bot.views import resources as views
from bot.views.mrkdwn import join, mrkdwn


async def resources_command(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, lead_id: str, name: str
) -> None:
    async with deps.db.transaction() as session:
        found = await find_programmes(session, team_id=team_id, name=name or None, lead_id=lead_id)
        if len(found) != 1:
            named = join(", ", (mrkdwn("“{name}”", name=p.name) for p in found)) or "none yet"
            await reply(
                mrkdwn("Which programme? `/mentoring-admin resources NAME` ({named}).", named=named)
            )
            return
        items = await resources.library(session, programme_id=found[0].id)
    await reply("Resources", views.library_blocks(found[0].name, found[0].id, items))
