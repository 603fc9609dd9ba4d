"""A lead's answers to an at-risk alert: pause (and resume), or end and match both again.
Ending alone is the pair list's End pair button (listeners/matching)."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.flows.access import LeadClick, lead_button
from bot.flows.matching import end_pair_as_lead, match_for
from bot.ids import Action, matching
from bot.services import momentum
from bot.services.leads import programme_of_pair
from bot.services.pairs import PairFacts
from bot.views import nudges as views
from bot.views.mrkdwn import Mrkdwn, mrkdwn


async def _tell_pair(
    client: AsyncWebClient, pair: PairFacts, words: Callable[[str, str], Mrkdwn]
) -> None:
    for member in pair.members:
        text = words(pair.other(member.user_id).name, pair.programme_name)
        await client.chat_postMessage(channel=member.user_id, text=text)


async def pause_clicked(click: LeadClick) -> None:
    pair = await click.apply(momentum.pause, pair_id=click.number)
    text, blocks = views.paused_for_lead(pair.mentor.name, pair.mentee.name, pair.id, click.lead_id)
    await click.reply(text, blocks, replace_original=True)
    await _tell_pair(click.client, pair, views.pair_paused)


async def resume_clicked(click: LeadClick) -> None:
    pair = await click.apply(momentum.resume, pair_id=click.number)
    await click.reply(
        views.resumed_for_lead(pair.mentor.name, pair.mentee.name, click.lead_id),
        replace_original=True,
    )
    await _tell_pair(click.client, pair, views.pair_resumed)


async def rematch_clicked(click: LeadClick) -> None:
    pair = await end_pair_as_lead(click)
    await click.reply(
        mrkdwn(
            "Ended the pairing of {mentor} and {mentee}. Matching both "
            "again: the preview will arrive in your messages with me.",
            mentor=pair.mentor.name,
            mentee=pair.mentee.name,
        ),
        replace_original=True,
    )
    await match_for(click, pair.programme_id)


def register(app: AsyncApp) -> None:
    lead_button(app.action(matching(Action.PAUSE_PAIR)), owner=programme_of_pair)(pause_clicked)
    lead_button(app.action(matching(Action.RESUME_PAIR)), owner=programme_of_pair)(resume_clicked)
    lead_button(app.action(matching(Action.REMATCH_PAIR)), owner=programme_of_pair)(rematch_clicked)
