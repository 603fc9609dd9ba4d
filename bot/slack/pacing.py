"""Slack's rate limits as the outbox's sender keeps to them, shared by every replica through
the database (services/pace.py): each method's per-minute tier per workspace, and
chat.postMessage's pace of one message a second per channel. A 429's Retry-After holds the
method (or the channel) for everyone for as long as Slack asks.

The tiers are Slack's (docs.slack.dev's method reference; a test checks them against it).
Each window is a little longer than Slack's minute, so a call that starts a moment after its
slot (the event loop was busy, the sweep came round late) still falls inside the limit.
"""

from __future__ import annotations

from bot.services.pace import Key, Rate, Want

PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
WINDOW = 60.0
MARGIN = 1.0  # seconds added to each tier's window
# Tiers of the methods the sender and the members' pass call; chat.postMessage is paced per
# channel instead.
METHOD_TIERS = {"conversations.open": 3, "views.publish": 4, "users.list": 2}
CHANNEL_PACED = {"chat.postMessage": 1.0}  # seconds between messages in one channel


def rate_of(method: str) -> Rate:
    gap = CHANNEL_PACED.get(method)
    if gap is not None:
        return Rate(limit=1, window=gap)
    return Rate(limit=PER_MINUTE[METHOD_TIERS[method]], window=WINDOW + MARGIN)


def key_of(team_id: str, method: str, channel: str = "") -> Key:
    """The pace a call keeps: its channel's for chat.postMessage, else its method's."""
    return Key(team_id, method, channel if method in CHANNEL_PACED else "")


def want(key: Key, held: float | None = None) -> Want:
    return Want(key, rate_of(key.method), held)
