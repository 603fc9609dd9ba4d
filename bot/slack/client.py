"""The one outbound Web API client: Slack's base URL from settings, rate-limit and error retries."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.views.mrkdwn import guard


def api_logger() -> logging.Logger:
    """slack_sdk tests `logger.level` itself, not the effective level: on a logger left at
    NOTSET it formats every request and response body for a debug line nobody sees, which cost
    more CPU than the call. An explicit level (DEBUG only if asked for) avoids that."""
    logger = logging.getLogger("bot.slack.api")
    if logger.level == logging.NOTSET:
        logger.setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    return logger


class GuardedWebClient(AsyncWebClient):
    """Every Web API call passes `guard`: mrkdwn the views did not build as `Mrkdwn` goes out
    inert, whichever method, listener or job sent it."""

    async def api_call(
        self,
        api_method: str,
        *,
        params: dict | None = None,
        json: dict | None = None,
        data: Any = None,
        **kwargs: Any,
    ):
        return await super().api_call(
            api_method,
            params=guard(params) if params else params,
            json=guard(json) if json else json,
            data=guard(data) if isinstance(data, dict) else data,
            **kwargs,
        )


def guarded(client: AsyncWebClient) -> GuardedWebClient:
    """The same client behind the guard. Bolt builds a plain AsyncWebClient for every request
    from the app's one, so each request's client is swapped for this."""
    if isinstance(client, GuardedWebClient):
        return client
    return GuardedWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        session=client.session,
        trust_env_in_session=client.trust_env_in_session,
        headers=client.headers,
        team_id=client.default_params.get("team_id"),
        logger=api_logger(),  # as build_web_client's (older slack_sdk has no `logger` to copy)
        retry_handlers=client.retry_handlers,
    )


def build_web_client(settings: Settings, *, retries: bool = True) -> AsyncWebClient:
    """With `retries=False` every failure comes back at once: the outbox's sender decides
    when to try again, instead of sleeping inside a call."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    handlers = [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]
    return GuardedWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=10,
        logger=api_logger(),
        retry_handlers=handlers if retries else [],
    )
