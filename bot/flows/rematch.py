"""Asking for a no-fault re-match: the confirmation shown first."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.services import checkins
from bot.slack.replies import Reply
from bot.views.support import rematch_confirmation


async def start_rematch(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, user_id: str
) -> None:
    async with deps.db.transaction() as session:
        mine = await checkins.live_pairs_for(session, team_id=team_id, user_id=user_id)
    if not mine:
        await reply("You are not in a confirmed pair, so there is nothing to re-match.")
        return
    await reply("Ask for a new partner?", rematch_confirmation(mine, user_id))
