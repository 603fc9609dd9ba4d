"""Acknowledgements carry text and views too (a command's help, a modal's next step): they pass
the same mrkdwn guard as every Web API call, installed for every request, and so does the
request's own Web API client (Bolt builds a fresh, unguarded one per request), which calls
over the process's pooled HTTP session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.client import SharedSession, guarded
from bot.slack.routing import Step
from bot.views.mrkdwn import guard


class GuardedAck(AsyncAck):
    async def __call__(self, text: str | dict = "", **kwargs: Any) -> BoltResponse:  # type: ignore[override]
        if isinstance(text, dict):
            return await super().__call__(guard(text))
        guarded = guard({"text": text, **kwargs})
        return await super().__call__(**guarded)


def install(http: SharedSession) -> Step:
    async def guard_request(req: AsyncBoltRequest, next: Callable[[], Awaitable[Any]]) -> Any:
        req.context["ack"] = GuardedAck()
        req.context["client"] = guarded(req.context.client, http)
        return await next()

    return guard_request
