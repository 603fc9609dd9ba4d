"""Slack's retries and anyone's replay of a signed request change nothing: each request's
natural key (an event's `event_id`, an interaction's or command's single-use `trigger_id`, a
closed view's id and hash) is claimed in the database before anything changes state, so the
second arrival, on this replica or another, changes nothing. The claim is made after the
acknowledgement (the routes in bot/slack/routing.py do it), so Slack's answer never waits on
a write. Option lists for selects (`block_suggestion`) change nothing and are not claimed."""

from __future__ import annotations

import hashlib
import logging
from typing import Protocol

from slack_bolt.request.async_request import AsyncBoltRequest

from bot.clock import Clock
from bot.db import Database
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


class _Claims(Protocol):
    """What claiming takes from the app's Deps (held in Bolt's context, set below this layer)."""

    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...


async def first_time(request: AsyncBoltRequest) -> bool:
    """Claim the request; False when it (or a replay of it) was claimed already."""
    key = replay_key(request.body, request.context.team_id)
    if key is None:
        return True
    deps: _Claims = request.context["deps"]
    async with deps.db.single_statement() as session:
        first = await replays.claim(session, key=key, now=deps.clock.now())
    if not first:
        kind = request.body.get("type") or request.body.get("command") or "request"
        log.info("a repeat of a handled %s was dropped", kind)
    return first
