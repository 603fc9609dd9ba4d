"""Telling people a pair has ended, whoever ended it, and withdrawing what Slack still holds."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.flows.calendar import share_calendar
from bot.flows.scheduled import withdraw_scheduled
from bot.models import PairEnd
from bot.services.pairs import Ending, Member
from bot.views import chemistry as views

log = logging.getLogger(__name__)


async def _dm(client: AsyncWebClient, user_id: str, text: str) -> None:
    try:
        await client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError:
        log.warning("could not tell %s about a pair ending", user_id, exc_info=True)


async def announce(
    client: AsyncWebClient,
    ending: Ending,
    *,
    decider: Member | None = None,
    reason: str = "",
) -> None:
    """Both people hear the same words whoever decided; leads hear who and why. Meetings
    still ahead come out of their calendars."""
    await withdraw_scheduled(client, ending.cancelled)
    await share_calendar(client, ending.calendar)
    pair = ending.pair
    if pair.ended_by == PairEnd.NOT_FOR_ME:
        for member in pair.members:
            await _dm(client, member.user_id, views.not_continuing(pair.other(member.user_id)))
        if decider is not None:
            for lead in ending.lead_ids:
                await _dm(client, lead, views.lead_dissolved(pair, decider, reason))
    elif pair.ended_by == PairEnd.LEAD:
        for member in pair.members:
            await _dm(client, member.user_id, views.ended_by_lead(pair.other(member.user_id)))
    elif pair.ended_by == PairEnd.NO_FAULT:
        for member in pair.members:
            await _dm(client, member.user_id, views.no_fault(pair.other(member.user_id)))
        if decider is not None:
            for lead in ending.lead_ids:
                await _dm(client, lead, views.lead_no_fault(pair, decider))
    elif pair.ended_by == PairEnd.WITHDRAWAL and decider is not None:
        partner = pair.other(decider.user_id)
        await _dm(client, partner.user_id, views.partner_left(decider))
        for lead in ending.lead_ids:
            await _dm(client, lead, views.lead_partner_left(pair, decider))
