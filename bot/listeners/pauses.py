"""`/mentoring pause`: one of a pair pauses it for one to four weeks; both people and the
leads are told until when, and it resumes by itself (the momentum sweep)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.ids import Field, View
from bot.listeners.replies import Reply
from bot.listeners.routing import then
from bot.services import checkins, momentum
from bot.services.leads import lead_ids
from bot.services.pairs import PairError, PairFacts
from bot.views.blocks import Block, context, input_block, modal, option, static_select
from bot.views.mrkdwn import mention, mrkdwn
from bot.views.state import form_values


def pause_modal(mine: list[PairFacts], user_id: str) -> Block:
    blocks: list[Block] = []
    if len(mine) > 1:
        choices = [option(f"With {p.other(user_id).name}", str(p.id)) for p in mine]
        blocks.append(input_block(Field.PAIR, "Which pair", static_select(choices)))
    weeks = [option("1 week" if n == 1 else f"{n} weeks", str(n)) for n in range(1, 5)]
    blocks += [
        input_block(Field.WEEKS, "Pause for", static_select(weeks, initial="2")),
        context(
            "No nudges or surveys until then; your partner and the programme's leads see that "
            "you paused and until when. It picks up again by itself."
        ),
    ]
    metadata = str(mine[0].id) if len(mine) == 1 else ""
    return modal(
        View.PAUSE_SELF, "Pause our pair", blocks, submit="Pause", private_metadata=metadata
    )


async def start_pause(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, user_id: str, trigger_id: str
) -> None:
    async with deps.db.transaction() as session:
        mine = await checkins.live_pairs_for(session, team_id=team_id, user_id=user_id)
    if not mine:
        await reply("You are not in a confirmed pair, so there is nothing to pause.")
        return
    await client.views_open(trigger_id=trigger_id, view=pause_modal(mine, user_id))


def register(app: AsyncApp, deps: Deps) -> None:
    async def ack_pause(ack: AsyncAck, body: dict, view: dict, context: dict) -> None:
        values = form_values(view)
        raw_pair = str(values.get(Field.PAIR) or view.get("private_metadata") or "")
        raw_weeks = str(values.get(Field.WEEKS) or "")
        if not raw_pair.isdigit() or not raw_weeks.isdigit():
            await ack(response_action="errors", errors={Field.WEEKS: "Choose how long."})
            return
        user_id = body["user"]["id"]
        try:
            async with deps.db.transaction() as session:
                info, until = await momentum.pause_for(
                    session,
                    team_id=context["team_id"],
                    pair_id=int(raw_pair),
                    user_id=user_id,
                    weeks=int(raw_weeks),
                    now=deps.clock.now(),
                )
                leads = await lead_ids(
                    session, programme_id=info.programme_id, with_supporter=True
                )
        except PairError as exc:
            await ack(response_action="errors", errors={Field.WEEKS: str(exc)})
            return
        context["paused"] = (info, until, leads)
        await ack()

    @then(app.view(View.PAUSE_SELF), ack=ack_pause)
    async def pause_submitted(body: dict, client: AsyncWebClient, context: dict) -> None:
        paused = context.get("paused")
        if paused is None:
            return
        info, until, leads = paused
        user_id = body["user"]["id"]
        me, partner = info.member(user_id), info.other(user_id)
        assert me is not None
        when = f"{until:%a %d %b}"
        await client.chat_postMessage(
            channel=user_id,
            text=mrkdwn(
                "Your pair with {partner} is paused until {when}. Take care; it picks up "
                "again by itself.",
                partner=partner.name,
                when=when,
            ),
        )
        await client.chat_postMessage(
            channel=partner.user_id,
            text=mrkdwn(
                "{me} paused your reverse mentoring pair until {when}. No nudges or "
                "surveys till then; it picks up again by itself.",
                me=me.name,
                when=when,
            ),
        )
        for lead in leads:
            await client.chat_postMessage(
                channel=lead,
                text=mrkdwn(
                    "{me} paused their pair with {partner} in “{programme}” until {when}.",
                    me=mention(user_id),
                    partner=mention(partner.user_id),
                    programme=info.programme_name,
                    when=when,
                ),
            )
