"""`/mentoring rematch`: a participant asks for a new partner. After a confirmation the pair
ends with the same words to both (never who asked), both return to the pool, and the leads are
told who asked, as no-fault."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.endings import announce
from bot.flows.home import publish_home
from bot.ids import Action
from bot.services import pairs
from bot.services.pairs import PairError
from bot.slack.replies import Reply
from bot.slack.routing import then
from bot.views.mrkdwn import escape


async def confirmed(
    deps: Deps,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict,
) -> None:
    user_id = body["user"]["id"]
    reply = Reply(client=client, user_id=user_id, respond=respond, body=body)
    value = action.get("value") or ""
    try:
        if not value.isdigit():
            raise PairError("That button is not valid any more.")
        async with deps.db.transaction() as session:
            ending, asker = await pairs.ask_for_rematch(
                session,
                team_id=context["team_id"],
                pair_id=int(value),
                user_id=user_id,
                now=deps.clock.now(),
            )
    except PairError as exc:
        await reply(escape(exc), replace_original=True)
        return
    await reply("Done: your pairing has ended and you are back in the pool.", replace_original=True)
    await announce(client, ending, decider=asker)
    for member in ending.pair.members:
        await publish_home(deps, client, team_id=context["team_id"], user_id=member.user_id)


async def cancelled(body: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
    reply = Reply(client=client, user_id=body["user"]["id"], respond=respond, body=body)
    await reply("Your pair stays as it is.", replace_original=True)


def register(app: AsyncApp, deps: Deps) -> None:
    then(app.action(Action.NO_FAULT_CONFIRM))(confirmed)
    then(app.action(Action.NO_FAULT_CANCEL))(cancelled)
