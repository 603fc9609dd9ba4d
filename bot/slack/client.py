"""The one outbound Web API client: Slack's base URL from settings, rate-limit and error retries."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.observe.metrics import Metrics
from bot.slack.inflight import waiting_on_slack
from bot.views.mrkdwn import guard

# Seconds one Web API call may take, answer included.
API_TIMEOUT = 10


class SharedSession:
    """One pooled HTTP session for every Web API client of a process. A client without one
    makes slack_sdk open a session, a connection and, against Slack, a TLS handshake for each
    call and close them after it. Made on first use, in the event loop it then belongs to
    (a test's next loop gets a new one)."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            # A shared session's own timeout is the one slack_sdk applies to each call.
            timeout = aiohttp.ClientTimeout(total=API_TIMEOUT)
            self._session, self._loop = aiohttp.ClientSession(timeout=timeout), loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and self._loop is asyncio.get_running_loop():
            await self._session.close()
        self._session = self._loop = None


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
    inert, whichever method, listener or job sent it. With `http`, every call goes over the
    process's one pooled session."""

    def __init__(self, *args: Any, http: SharedSession | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = http

    async def api_call(
        self,
        api_method: str,
        *,
        params: dict | None = None,
        json: dict | None = None,
        data: Any = None,
        **kwargs: Any,
    ):
        params = guard(params) if params else params
        json = guard(json) if json else json
        data = guard(data) if isinstance(data, dict) else data
        if self.http is not None:
            self.session = self.http.get()
        async with waiting_on_slack():
            return await super().api_call(api_method, params=params, json=json, data=data, **kwargs)


def guarded(client: AsyncWebClient, http: SharedSession | None = None) -> GuardedWebClient:
    """The same client behind the guard, calling over `http`. Bolt builds a plain
    AsyncWebClient for every request from the app's one, so each request's client is swapped
    for this."""
    if isinstance(client, GuardedWebClient):
        return client
    return GuardedWebClient(
        http=http,
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


SLACK_METHOD = re.compile(r"[a-z]+(?:\.[A-Za-z]+)+")


class CallCounter(AsyncRetryHandler):
    """Counts every HTTP answer from the Web API (and every call that got none) by method,
    429s apart. slack_sdk asks each retry handler in turn about every attempt, so placed
    first this one sees retries too; it never asks for one itself. Bolt copies an app's
    handlers into each request's client, so every call the app makes passes here."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self.metrics = metrics

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = request.url.rsplit("/", 1)[-1]
        if not SLACK_METHOD.fullmatch(method):
            method = "other"  # an upload URL, say: one label, not one per file
        self.metrics.api_calls.labels(method).inc()
        if response is not None and response.status_code == 429:
            self.metrics.api_ratelimited.labels(method).inc()
        return False


def build_web_client(
    settings: Settings,
    *,
    retries: bool = True,
    metrics: Metrics | None = None,
    http: SharedSession | None = None,
) -> AsyncWebClient:
    """With `retries=False` every failure comes back at once: the outbox's sender decides
    when to try again, instead of sleeping inside a call. With `metrics`, every call is
    counted there; with `http`, every call goes over that pooled session."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    handlers: list[AsyncRetryHandler] = [CallCounter(metrics)] if metrics is not None else []
    if retries:
        handlers += [
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ]
    return GuardedWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=API_TIMEOUT,
        logger=api_logger(),
        retry_handlers=handlers,
        http=http,
    )
