"""Bolt's `authorize`: the bot identity from one cached `auth.test`; requests never wait on it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient


class BotIdentity:
    def __init__(self, token: str) -> None:
        self._token = token
        self._result: dict | None = None
        self._lock = asyncio.Lock()

    async def load(self, client: AsyncWebClient) -> dict:
        if self._result is None:
            async with self._lock:
                if self._result is None:
                    response = await client.auth_test(token=self._token)
                    self._result = dict(response.data)  # type: ignore[arg-type]
        return self._result

    def authorize_function(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        """A plain function for Bolt, which passes arguments by name and would trip over `self`."""

        async def authorize(
            enterprise_id: str | None, team_id: str | None, client: AsyncWebClient
        ) -> AuthorizeResult:
            result = await self.load(client)
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id or result.get("team_id"),
                bot_token=self._token,
                bot_id=result.get("bot_id"),
                bot_user_id=result.get("user_id"),
            )

        return authorize
