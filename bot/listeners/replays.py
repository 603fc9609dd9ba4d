"""Slack's retries and anyone's replay of a signed request change nothing: each request's
natural key (an event's `event_id`, an interaction's or command's single-use `trigger_id`, a
closed view's id and hash) is claimed in the database before any listener runs, so the second
arrival, on this replica or another, is answered 200 and dropped. Option lists for selects
(`block_suggestion`) change nothing and are always answered."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.deps import Deps
from bot.services import replays

log = logging.getLogger(__name__)

_MAX_KEY = 200


def _natural_id(body: dict) -> str | None:
    if body.get("type") == "event_callback":
        event_id = body.get("event_id")
        return f"event:{event_id}" if event_id else None
    if body.get("type") == "block_suggestion":
        return None
    trigger_id = body.get("trigger_id")
    if trigger_id:
        return f"trigger:{trigger_id}"
    if body.get("type") == "view_closed":
        view = body.get("view") or {}
        return f"view_closed:{view.get('id')}:{view.get('hash')}"
    return None


def replay_key(body: dict, team_id: str | None) -> str | None:
    """The key a repeat of this request would carry too; None for requests that change
    nothing (URL checks, option lists) or carry no natural key."""
    natural = _natural_id(body)
    if natural is None:
        return None
    key = f"{team_id or '-'}:{natural}"
    if len(key) > _MAX_KEY:  # ids are short; a forged long one still fits the column
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


async def once_only(deps: Deps, req: AsyncBoltRequest, next_: Callable[[], Awaitable[Any]]) -> Any:
    key = replay_key(req.body, req.context.team_id)
    if key is not None:
        async with deps.db.transaction() as session:
            first = await replays.claim(session, key=key, now=deps.clock.now())
        if not first:
            kind = req.body.get("type") or req.body.get("command") or "request"
            log.info("a repeat of a handled %s was answered and dropped", kind)
            return BoltResponse(status=200, body="")
    return await next_()


def register(app: AsyncApp, deps: Deps) -> None:
    app.middleware(once_only)
