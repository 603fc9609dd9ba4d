"""`/mentoring rematch`: a participant asks for a new partner. After a confirmation the pair
ends with the same words to both (never who asked), both return to the pool, and the leads are
told who asked, as no-fault."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.flows.access import Click, button
from bot.flows.endings import announce
from bot.flows.home import publish_home
from bot.ids import Action
from bot.services import pairs
from bot.slack.replies import Reply
from bot.slack.routing import then


async def confirmed(click: Click) -> None:
    deps = click.deps
    ending, asker = await click.apply(pairs.ask_for_rematch, pair_id=click.number)
    await click.reply(
        "Done: your pairing has ended and you are back in the pool.", replace_original=True
    )
    await announce(click.client, ending, decider=asker)
    # The Home of who asked; the other sees the pairing gone when they next open theirs.
    await publish_home(deps, click.client, team_id=click.team_id, user_id=click.user_id)


async def cancelled(body: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
    reply = Reply(client=client, user_id=body["user"]["id"], respond=respond, body=body)
    await reply("Your pair stays as it is.", replace_original=True)


def register(app: AsyncApp) -> None:
    button(app.action(Action.NO_FAULT_CONFIRM), replace=True)(confirmed)
    then(app.action(Action.NO_FAULT_CANCEL))(cancelled)
