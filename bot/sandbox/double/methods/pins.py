"""pins.add."""

from __future__ import annotations

from typing import Any

from bot.sandbox.double.errors import SlackError
from bot.sandbox.double.method_registry import CallContext, handles
from bot.sandbox.double.methods.conversations import visible_channel

MAX_PINS = 100


@handles("pins.add")
def pins_add(ctx: CallContext) -> dict[str, Any]:
    channel = visible_channel(ctx, ctx.require("channel"))
    ts = ctx.text("timestamp")
    if ts is None:
        raise SlackError("no_item_specified")
    if ctx.grant.user_id not in channel.members:
        raise SlackError("not_in_channel")
    if ctx.state.find_message(channel.id, ts) is None:
        raise SlackError("message_not_found")
    pins = ctx.state.pins.setdefault(channel.id, [])
    if ts in pins:
        raise SlackError("already_pinned")
    if len(pins) >= MAX_PINS:
        raise SlackError("too_many_pins")
    pins.append(ts)
    return {}
