"""How a listener answers the person who acted, wherever they acted from."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.views.blocks import Block
from bot.views.mrkdwn import guard


class Reply:
    """Ephemeral through the response URL when Slack gave one, else a DM from the app."""

    def __init__(
        self, *, client: AsyncWebClient, user_id: str, respond: AsyncRespond | None, body: dict
    ) -> None:
        self._client = client
        self._user_id = user_id
        self._respond = respond if body.get("response_url") else None

    async def __call__(
        self, text: str, blocks: list[Block] | None = None, *, replace_original: bool = False
    ) -> None:
        if self._respond is not None:
            kwargs: dict[str, Any] = {"text": text, "response_type": "ephemeral"}
            if blocks:
                kwargs["blocks"] = blocks
            if replace_original:
                kwargs["replace_original"] = True
            # Response URLs bypass the Web API client, so they pass the same guard here.
            await self._respond(**guard(kwargs))
        else:
            await self._client.chat_postMessage(channel=self._user_id, text=text, blocks=blocks)


def acting_user(body: dict) -> str:
    """The Slack user behind any payload: slash command, interaction or event."""
    if "user_id" in body:
        return body["user_id"]
    user = body.get("user")
    if isinstance(user, dict):
        return user["id"]
    event = body.get("event") or {}
    return event.get("user", "")
