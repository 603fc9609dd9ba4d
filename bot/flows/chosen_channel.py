"""Posting in a channel a lead picked on a form: Slack may refuse (the app is not a member,
the channel is archived), and the form has closed, so the lead is advised in a DM."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.views.admin import channel_advice
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn


async def post_in_chosen_channel(
    client: AsyncWebClient,
    *,
    lead_id: str,
    channel: str,
    message: tuple[str, list[Block]],
    refused: str,
    advised: Callable[[Mrkdwn], Mrkdwn],
) -> AsyncSlackResponse | None:
    """Post `message` in `channel`; when Slack refuses, None, after telling the lead what to do
    in `advised`'s words (`refused` names what was refused, for Slack's rarer reasons)."""
    text, blocks = message
    try:
        return await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except SlackApiError as exc:
        what_to_do = channel_advice(exc.response.get("error", ""), channel, refused=refused)
        await client.chat_postMessage(channel=lead_id, text=advised(what_to_do))
        return None
