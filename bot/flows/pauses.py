"""Opening the form that pauses a pair for a while."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.services import checkins
from bot.slack.replies import Reply
from bot.views.support import pause_modal


async def start_pause(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, user_id: str, trigger_id: str
) -> None:
    async with deps.db.transaction() as session:
        mine = await checkins.live_pairs_for(session, team_id=team_id, user_id=user_id)
    if not mine:
        await reply("You are not in a confirmed pair, so there is nothing to pause.")
        return
    await client.views_open(trigger_id=trigger_id, view=pause_modal(mine, user_id))
