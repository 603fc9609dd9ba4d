"""`/mentoring mydata`: the person's own data as a JSON file in their DM with the app;
`/mentoring delete`: after a confirmation, their data erased."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.endings import announce
from bot.flows.home import publish_home
from bot.flows.spaces import remove_from
from bot.ids import Action
from bot.services import spaces
from bot.services.data_rights import erase
from bot.slack.replies import Reply
from bot.slack.routing import then

log = logging.getLogger(__name__)


async def erase_confirmed(
    deps: Deps, body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
) -> None:
    user_id = body["user"]["id"]
    reply = Reply(client=client, user_id=user_id, respond=respond, body=body)
    async with deps.db.transaction() as session:
        channels = await spaces.spaces_with(session, team_id=context["team_id"], user_id=user_id)
        endings = await erase(
            session, team_id=context["team_id"], user_id=user_id, now=deps.clock.now()
        )
    if endings is None:
        await reply("Nothing is stored about you.", replace_original=True)
        return
    await remove_from(client, channels, user_id)
    deps.profiles.forget(team_id=context["team_id"], user_id=user_id)
    await reply(
        "Your data is erased and you have left every programme. Thank you for taking part.",
        replace_original=True,
    )
    for ending in endings:
        await announce(client, ending, decider=ending.pair.member(user_id))
    await publish_home(deps, client, team_id=context["team_id"], user_id=user_id)


async def erase_cancelled(body: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
    reply = Reply(client=client, user_id=body["user"]["id"], respond=respond, body=body)
    await reply("Nothing is erased.", replace_original=True)


def register(app: AsyncApp) -> None:
    then(app.action(Action.ERASE_CONFIRM))(erase_confirmed)
    then(app.action(Action.ERASE_CANCEL))(erase_cancelled)
