"""`/mentoring rematch`: a participant asks for a new partner. After a confirmation the pair
ends with the same words to both (never who asked), both return to the pool, and the leads are
told who asked, as no-fault."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.ids import Action
from bot.listeners.endings import announce
from bot.listeners.home import publish_home
from bot.listeners.replies import Reply
from bot.listeners.routing import then
from bot.services import checkins, pairs
from bot.services.pairs import PairError, PairFacts
from bot.views.blocks import Block, actions, button, context, plain, section
from bot.views.mrkdwn import escape, mrkdwn


def rematch_confirmation(mine: list[PairFacts], user_id: str) -> list[Block]:
    blocks: list[Block] = []
    for pair in mine[:5]:
        partner = pair.other(user_id)
        end = {
            **button(
                "Ask for a new partner", Action.NO_FAULT_CONFIRM, str(pair.id), style="danger"
            ),
            "confirm": {
                "title": plain("End this pairing?"),
                "text": plain("You both go back to the pool. This cannot be undone."),
                "confirm": plain("End it"),
                "deny": plain("Keep it"),
            },
        }
        blocks += [
            section(
                mrkdwn(
                    "*A fresh start instead of {partner}?* The pairing ends with the "
                    "same words to both of you and no fault on either side; your partner is never "
                    "told who asked. Your programme's leads are told, so they can match you both "
                    "again.",
                    partner=partner.name,
                )
            ),
            actions(end, button("Keep my pair", Action.NO_FAULT_CANCEL, "keep")),
        ]
    blocks.append(context("Something wrong you would rather talk about? `/mentoring concern`."))
    return blocks


async def start_rematch(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, user_id: str
) -> None:
    async with deps.db.transaction() as session:
        mine = await checkins.live_pairs_for(session, team_id=team_id, user_id=user_id)
    if not mine:
        await reply("You are not in a confirmed pair, so there is nothing to re-match.")
        return
    await reply("Ask for a new partner?", rematch_confirmation(mine, user_id))


def register(app: AsyncApp, deps: Deps) -> None:
    @then(app.action(Action.NO_FAULT_CONFIRM))
    async def confirmed(
        action: dict, body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
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
        await reply(
            "Done: your pairing has ended and you are back in the pool.", replace_original=True
        )
        await announce(client, ending, decider=asker)
        for member in ending.pair.members:
            await publish_home(deps, client, team_id=context["team_id"], user_id=member.user_id)

    @then(app.action(Action.NO_FAULT_CANCEL))
    async def cancelled(body: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
        reply = Reply(client=client, user_id=body["user"]["id"], respond=respond, body=body)
        await reply("Your pair stays as it is.", replace_original=True)
