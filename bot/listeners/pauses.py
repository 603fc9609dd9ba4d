"""`/mentoring pause`: one of a pair pauses it for one to four weeks; both people and the
leads are told until when, and it resumes by itself (the momentum sweep)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.ids import Field, View
from bot.services import momentum
from bot.services.leads import lead_ids
from bot.services.pairs import PairError
from bot.slack.routing import then
from bot.views.mrkdwn import mention, mrkdwn
from bot.views.state import form_values


async def ack_pause(deps: Deps, ack: AsyncAck, body: dict, view: dict, context: dict) -> None:
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
            leads = await lead_ids(session, programme_id=info.programme_id, with_supporter=True)
    except PairError as exc:
        await ack(response_action="errors", errors={Field.WEEKS: str(exc)})
        return
    context["paused"] = (info, until, leads)
    await ack()


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


def register(app: AsyncApp, deps: Deps) -> None:
    then(app.view(View.PAUSE_SELF), ack=ack_pause)(pause_submitted)
