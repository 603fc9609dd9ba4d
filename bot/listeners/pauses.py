"""`/mentoring pause`: one of a pair pauses it for one to four weeks; both people and the
leads are told until when, and it resumes by itself (the momentum sweep)."""

from __future__ import annotations

from datetime import date

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.ids import Field, View
from bot.services import momentum
from bot.services.leads import lead_ids
from bot.services.pairs import PairError, PairFacts
from bot.slack.routing import FieldErrors, form
from bot.views.mrkdwn import mention, mrkdwn
from bot.views.state import form_values

# The paused pair, the day it resumes, and whom to tell.
Paused = tuple[PairFacts, date, tuple[str, ...]]


async def check_pause(deps: Deps, body: dict, view: dict, context: dict) -> Paused | FieldErrors:
    # The pause is made here: whether it can be (the pair's state) is the form's error.
    values = form_values(view)
    raw_pair = str(values.get(Field.PAIR) or view.get("private_metadata") or "")
    raw_weeks = str(values.get(Field.WEEKS) or "")
    if not raw_pair.isdigit() or not raw_weeks.isdigit():
        return FieldErrors({Field.WEEKS: "Choose how long."})
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
        return FieldErrors({Field.WEEKS: str(exc)})
    return info, until, leads


async def pause_submitted(checked: Paused, body: dict, client: AsyncWebClient) -> None:
    info, until, leads = checked
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


def register(app: AsyncApp) -> None:
    form(app.view(View.PAUSE_SELF), check=check_pause, writes=True)(pause_submitted)
