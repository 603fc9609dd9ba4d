"""Slack's Web API rate limits: per-minute tiers per method and workspace, and the
per-channel pace of chat.postMessage."""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from bot.sandbox.double.contracts import ContractBook

WINDOW_SECONDS = 60.0
TIER_PER_MINUTE = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}

# chat.postMessage: about one message per second per channel, with short bursts.
POST_MESSAGE_BURST = 5
POST_MESSAGE_PER_SECOND = 1.0

# Tiers of the methods the double implements, used when no contracts directory is given.
BUILT_IN_TIERS = {
    "auth.test": "special",
    "team.info": "t3",
    "users.info": "t4",
    "users.list": "t2",
    "conversations.open": "t3",
    "conversations.info": "t3",
    "conversations.members": "t4",
    "conversations.join": "t3",
    "conversations.create": "t2",
    "conversations.invite": "t3",
    "conversations.kick": "t3",
    "conversations.archive": "t2",
    "conversations.setPurpose": "t2",
    "chat.postMessage": "special",
    "chat.postEphemeral": "t4",
    "chat.update": "t3",
    "chat.delete": "t3",
    "chat.scheduleMessage": "t3",
    "views.open": "t4",
    "views.push": "t4",
    "views.update": "t4",
    "views.publish": "t4",
    "pins.add": "t2",
    "files.getUploadURLExternal": "t4",
    "files.completeUploadExternal": "t4",
}

_PER_MINUTE_TEXT = re.compile(r"(\d+)\s+requests per minute")


def per_minute_limit(tier: str | None) -> int | None:
    """Calls allowed per minute for a tier as the reference spells it; None when unlimited.

    "Special" tiers other than chat.postMessage's are left unlimited: the reference gives
    no number for them.
    """
    if not tier:
        return None
    normalised = tier.lower().replace("tier", "t")
    if normalised in TIER_PER_MINUTE:
        return TIER_PER_MINUTE[normalised]
    match = _PER_MINUTE_TEXT.search(tier)
    return int(match.group(1)) if match else None


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, clock: Callable[[], float], contracts: ContractBook) -> None:
        self.clock = clock
        self.contracts = contracts
        self._windows: dict[tuple[str, str], deque[float]] = {}
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._limits: dict[str, int | None] = {}

    def reset(self) -> None:
        self._windows.clear()
        self._buckets.clear()

    def limit_for(self, method: str) -> int | None:
        if method not in self._limits:
            tier = self.contracts.tier(method) or BUILT_IN_TIERS.get(method)
            self._limits[method] = per_minute_limit(tier)
        return self._limits[method]

    def take_call(self, team_id: str, method: str) -> int | None:
        """Count one call; the Retry-After seconds when it is over the method's limit."""
        limit = self.limit_for(method)
        if limit is None:
            return None
        now = self.clock()
        calls = self._windows.setdefault((team_id, method), deque())
        while calls and calls[0] <= now - WINDOW_SECONDS:
            calls.popleft()
        if len(calls) >= limit:
            return max(1, math.ceil(calls[0] + WINDOW_SECONDS - now))
        calls.append(now)
        return None

    def take_channel_post(self, team_id: str, channel: str) -> int | None:
        """Count one chat.postMessage into `channel`; the Retry-After seconds when too fast."""
        now = self.clock()
        bucket = self._buckets.get((team_id, channel))
        if bucket is None:
            bucket = self._buckets[(team_id, channel)] = _Bucket(POST_MESSAGE_BURST, now)
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(POST_MESSAGE_BURST, bucket.tokens + elapsed * POST_MESSAGE_PER_SECOND)
        bucket.updated = now
        if bucket.tokens < 1:
            return max(1, math.ceil((1 - bucket.tokens) / POST_MESSAGE_PER_SECOND))
        bucket.tokens -= 1
        return None
