"""The one outbound Web API client: Slack's base URL from settings, rate-limit and error retries."""

from __future__ import annotations

import logging

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings


def api_logger() -> logging.Logger:
    """slack_sdk tests `logger.level` itself, not the effective level: on a logger left at
    NOTSET it formats every request and response body for a debug line nobody sees, which cost
    more CPU than the call. An explicit level (DEBUG only if asked for) avoids that."""
    logger = logging.getLogger("bot.slack.api")
    if logger.level == logging.NOTSET:
        logger.setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    return logger


def build_web_client(settings: Settings, *, retries: bool = True) -> AsyncWebClient:
    """With `retries=False` every failure comes back at once: the outbox's sender decides
    when to try again, instead of sleeping inside a call."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    handlers = [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=10,
        logger=api_logger(),
        retry_handlers=handlers if retries else [],
    )
