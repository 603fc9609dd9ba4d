"""`/mentoring mydata`: the person's own data as a JSON file in their DM with the app;
`/mentoring delete`: after a confirmation, their data erased."""

from __future__ import annotations

import json
import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.ids import Action
from bot.listeners.endings import announce
from bot.listeners.home import publish_home
from bot.listeners.replies import Reply
from bot.listeners.routing import then
from bot.listeners.spaces import remove_from
from bot.services import spaces
from bot.services.data_rights import erase, export_for
from bot.slack.uploads import Upload, send_files
from bot.views.blocks import Block, actions, button, plain, section

log = logging.getLogger(__name__)


async def send_my_data(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, user_id: str
) -> None:
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        document = await export_for(session, team_id=team_id, user_id=user_id, now=now)
    if document is None:
        await reply("Nothing is stored about you: you have not joined a programme.")
        return
    content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    upload = Upload(f"my-mentoring-data-{now:%Y-%m-%d}.json", "Your mentoring data", content)
    try:
        await send_files(client, user_id=user_id, files=[upload])
    except SlackApiError as exc:
        log.warning("data export not uploaded: %s", exc.response.get("error"))
        await reply("Your data could not be sent just now. Please try again in a minute.")
        return
    await reply(
        "Your data is in your DM with the app, as a file: your answers, your pairs, the "
        "sessions and notes you share with your partner, and your own private notes."
    )


ERASE_WARNING = (
    "*Erase your data?* You will leave every programme you are in (your partner is told the "
    "pairing has ended, not why), and the app erases your sign-up answers, self-ratings, the "
    "session notes you logged, your private notes, the actions you wrote, your stories and "
    "your concerns. Your partner keeps what they wrote. Survey answers have no name on them, so "
    "they stay in the totals. This cannot be undone; `/mentoring mydata` first gives you a copy."
)


def erase_confirmation() -> list[Block]:
    erase = {
        **button("Erase my data", Action.ERASE_CONFIRM, "erase", style="danger"),
        "confirm": {
            "title": plain("Erase your data?"),
            "text": plain("This cannot be undone."),
            "confirm": plain("Erase"),
            "deny": plain("Keep it"),
        },
    }
    return [
        section(ERASE_WARNING),
        actions(erase, button("Keep my data", Action.ERASE_CANCEL, "keep")),
    ]


def register(app: AsyncApp, deps: Deps) -> None:
    @then(app.action(Action.ERASE_CONFIRM))
    async def erase_confirmed(
        body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
    ) -> None:
        user_id = body["user"]["id"]
        reply = Reply(client=client, user_id=user_id, respond=respond, body=body)
        async with deps.db.transaction() as session:
            channels = await spaces.spaces_with(
                session, team_id=context["team_id"], user_id=user_id
            )
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

    @then(app.action(Action.ERASE_CANCEL))
    async def erase_cancelled(body: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
        reply = Reply(client=client, user_id=body["user"]["id"], respond=respond, body=body)
        await reply("Nothing is erased.", replace_original=True)
