"""Success stories: the form a participant shares one with, and the list leads decide from."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import Ask
from bot.services import audit, stories
from bot.services.programmes import find_programmes
from bot.slack.replies import Reply
from bot.views import stories as views
from bot.views.mrkdwn import mrkdwn


async def start_story(ask: Ask) -> None:
    mine = await ask.their_own(
        stories.story_programmes,
        none="You can share a success story once you have joined a programme.",
    )
    if mine:
        await ask.client.views_open(trigger_id=ask.trigger_id, view=views.story_modal(mine))


async def stories_command(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, name: str, lead_id: str
) -> None:
    async with deps.db.transaction() as session:
        found = await find_programmes(session, team_id=team_id, name=name or None, lead_id=lead_id)
        if name and not found:
            await reply(mrkdwn("No programme is called “{name}”.", name=name))
            return
        waiting = await stories.for_leads(
            session, team_id=team_id, programme_ids=[p.id for p in found]
        )
        for programme in found:
            await audit.record(
                session,
                team_id=team_id,
                lead_id=lead_id,
                view=audit.View.STORIES,
                programme_id=programme.id,
                participant_ids=[
                    s.participant_id for s in waiting if s.author and s.programme_id == programme.id
                ],
                now=deps.clock.now(),
            )
    await reply("Success stories", views.lead_list(waiting))
