"""Keeping under Slack's rate limits before Slack has to say so: each method's per-minute tier
and chat.postMessage's pace of one message a second per channel. A 429's Retry-After holds
the method (or the channel) for as long as Slack asks."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

WINDOW = 60.0
PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
# Tiers of the methods the sender calls; chat.postMessage is paced per channel instead.
METHOD_TIERS = {"chat.update": 3, "conversations.open": 3, "users.info": 4, "views.publish": 4}
CHANNEL_PACED = {"chat.postMessage": 1.0}  # seconds between messages in one channel


class Pacer:
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._calls: dict[str, deque[float]] = {}
        self._next_in_channel: dict[tuple[str, str], float] = {}
        self._held_until: dict[str, float] = {}

    def reserve(self, method: str, channel: str | None = None) -> float:
        """0 and the call is counted, or the seconds to wait before it may go."""
        now = self._now()
        wait = max(0.0, self._held_until.get(method, 0.0) - now)
        gap = CHANNEL_PACED.get(method)
        if gap is not None and channel is not None:
            wait = max(wait, self._next_in_channel.get((method, channel), 0.0) - now)
        tier = METHOD_TIERS.get(method)
        calls = self._calls.setdefault(method, deque())
        while calls and calls[0] <= now - WINDOW:
            calls.popleft()
        if tier is not None and len(calls) >= PER_MINUTE[tier]:
            wait = max(wait, calls[0] + WINDOW - now)
        if wait > 0:
            return wait
        calls.append(now)
        if gap is not None and channel is not None:
            self._next_in_channel[(method, channel)] = now + gap
        return 0.0

    def hold(self, method: str, seconds: float, channel: str | None = None) -> None:
        """Slack said 429 with Retry-After: wait that long (the channel only, when paced)."""
        until = self._now() + seconds
        if channel is not None and method in CHANNEL_PACED:
            key = (method, channel)
            self._next_in_channel[key] = max(self._next_in_channel.get(key, 0.0), until)
        else:
            self._held_until[method] = max(self._held_until.get(method, 0.0), until)
