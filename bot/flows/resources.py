"""A programme's resource library as its leads see it."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import the_one_programme
from bot.services import resources
from bot.slack.replies import Reply
from bot.views import resources as views


async def resources_command(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, lead_id: str, name: str
) -> None:
    programme = await the_one_programme(
        deps, reply, team_id=team_id, lead_id=lead_id, name=name, word="resources"
    )
    if programme is None:
        return
    async with deps.db.transaction() as session:
        items = await resources.library(session, programme_id=programme.id)
    await reply("Resources", views.library_blocks(programme.name, programme.id, items))
