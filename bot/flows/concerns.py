"""Opening the form that raises a concern with a programme's leads and supporter."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.services import concerns
from bot.slack.replies import Reply
from bot.views import concerns as views


async def start_concern(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, user_id: str, trigger_id: str
) -> None:
    async with deps.db.transaction() as session:
        mine = await concerns.concern_programmes(session, team_id=team_id, user_id=user_id)
    if not mine:
        await reply(
            "Concerns go to a programme's leads, so you can raise one once you have joined a "
            "programme. Until then, talk to your manager or HR."
        )
        return
    await client.views_open(trigger_id=trigger_id, view=views.concern_modal(mine))
