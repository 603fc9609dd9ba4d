"""chat.* methods: posting, updating, deleting and scheduling messages."""

from __future__ import annotations

import copy
from typing import Any

from bot.sandbox.double.block_kit import check_message_blocks, with_generated_ids
from bot.sandbox.double.errors import SlackError, invalid_arguments
from bot.sandbox.double.method_registry import CallContext, handles
from bot.sandbox.double.methods.conversations import visible_channel
from bot.sandbox.double.pagination import page
from bot.sandbox.double.workspace import Channel

MAX_TEXT_LENGTH = 40_000
MAX_ATTACHMENTS = 100
MAX_SCHEDULE_AHEAD_SECONDS = 120 * 24 * 60 * 60


def message_content(ctx: CallContext) -> dict[str, Any]:
    """The text, blocks, attachments and metadata of a message call, checked like Slack."""
    content: dict[str, Any] = {}
    if ctx.args.get("text") is not None:
        content["text"] = str(ctx.args["text"])
        if len(content["text"]) > MAX_TEXT_LENGTH:
            raise SlackError("msg_too_long")
    blocks = ctx.json_value("blocks", error="invalid_blocks_format")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        problems = check_message_blocks(blocks)
        if problems:
            raise SlackError("invalid_blocks", response_metadata={"messages": problems})
        content["blocks"] = with_generated_ids(blocks)
    attachments = ctx.json_value("attachments", error="invalid_attachments")
    if attachments is not None:
        if not isinstance(attachments, list):
            raise SlackError("invalid_attachments")
        if len(attachments) > MAX_ATTACHMENTS:
            raise SlackError("too_many_attachments")
        content["attachments"] = copy.deepcopy(attachments)
    metadata = ctx.json_value("metadata", error="invalid_metadata_format")
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise SlackError("invalid_metadata_format")
        content["metadata"] = copy.deepcopy(metadata)
    return content


def postable_channel(ctx: CallContext, channel_arg: str) -> Channel:
    """Where a message may go: a conversation id, a #name, or a user id (the bot's IM)."""
    channel = ctx.state.resolve_target(channel_arg)
    if channel is None:
        raise SlackError("channel_not_found")
    is_member = ctx.grant.user_id in channel.members
    if (channel.is_private or channel.is_conversation_with_people) and not is_member:
        raise SlackError("channel_not_found")
    if channel.is_archived:
        raise SlackError("is_archived")
    if not is_member and not ctx.has_scope("chat:write.public"):
        raise SlackError("not_in_channel")
    return channel


def _author_fields(ctx: CallContext) -> dict[str, Any]:
    fields: dict[str, Any] = {"user": ctx.grant.user_id, "team": ctx.ws.team_id}
    if ctx.grant.is_bot:
        fields.update(bot_id=ctx.ws.bot_id, app_id=ctx.ws.app_id)
    return fields


def _new_message(
    ctx: CallContext, channel: Channel, ts: str, content: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "message",
        "ts": ts,
        "channel": channel.id,
        "text": content.get("text", ""),
        "blocks": content.get("blocks", []),
        "thread_ts": ctx.text("thread_ts"),
        **_author_fields(ctx),
        **{k: v for k, v in content.items() if k in ("attachments", "metadata")},
    }


def _as_returned(message: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in message.items() if k != "channel"}
    if shown.get("thread_ts") is None:
        shown.pop("thread_ts", None)
    return shown


@handles("chat.postMessage")
def post_message(ctx: CallContext) -> dict[str, Any]:
    channel = postable_channel(ctx, ctx.require("channel"))
    content = message_content(ctx)
    retry_after = ctx.pace_channel(channel.id)
    if retry_after is not None:
        raise SlackError("ratelimited", status=429, headers={"Retry-After": str(retry_after)})
    message = _new_message(ctx, channel, ctx.state.next_ts(), content)
    parent_ts = message["thread_ts"]
    parent = ctx.state.find_message(channel.id, parent_ts) if parent_ts else None
    if parent is not None:
        parent["reply_count"] = parent.get("reply_count", 0) + 1
    ctx.state.add_message(channel.id, message)
    return {"channel": channel.id, "ts": message["ts"], "message": _as_returned(message)}


@handles("chat.postEphemeral")
def post_ephemeral(ctx: CallContext) -> dict[str, Any]:
    channel = postable_channel(ctx, ctx.require("channel"))
    user_id = ctx.require("user")
    in_own_im = channel.is_im and channel.user == user_id
    if user_id not in channel.members and not in_own_im:
        raise SlackError("user_not_in_channel")
    content = message_content(ctx)
    message = _new_message(ctx, channel, ctx.state.next_ts(), content)
    # Stored with the recipient, since only they see it.
    message["recipient"] = user_id
    ctx.state.ephemeral.setdefault(channel.id, []).append(message)
    return {"message_ts": message["ts"]}


def _own_message(ctx: CallContext, *, not_yours: str) -> tuple[Channel, dict[str, Any]]:
    # chat.update and chat.delete want the conversation id itself, never a user id.
    channel = visible_channel(ctx, ctx.require("channel"))
    message = ctx.state.find_message(channel.id, ctx.require("ts"))
    if message is None:
        raise SlackError("message_not_found")
    if message["user"] != ctx.grant.user_id:
        raise SlackError(not_yours)
    return channel, message


@handles("chat.update")
def update_message(ctx: CallContext) -> dict[str, Any]:
    channel, message = _own_message(ctx, not_yours="cant_update_message")
    content = message_content(ctx)
    message.update(content)
    message["edited"] = {"user": ctx.grant.user_id, "ts": ctx.state.next_ts()}
    return {
        "channel": channel.id,
        "ts": message["ts"],
        "text": message["text"],
        "message": _as_returned(message),
    }


@handles("chat.delete")
def delete_message(ctx: CallContext) -> dict[str, Any]:
    channel, message = _own_message(ctx, not_yours="cant_delete_message")
    ctx.state.remove_message(channel.id, message["ts"])
    pins = ctx.state.pins.get(channel.id, [])
    if message["ts"] in pins:
        pins.remove(message["ts"])
    return {"channel": channel.id, "ts": message["ts"]}


@handles("chat.scheduleMessage")
def schedule_message(ctx: CallContext) -> dict[str, Any]:
    channel = postable_channel(ctx, ctx.require("channel"))
    post_at = ctx.integer("post_at", 0, error="invalid_time")
    now = ctx.state.now_epoch()
    if post_at <= now:
        raise SlackError("time_in_past")
    if post_at > now + MAX_SCHEDULE_AHEAD_SECONDS:
        raise SlackError("time_too_far")
    content = message_content(ctx)
    scheduled_id = ctx.state.new_id("Q")
    message = _new_message(ctx, channel, "", content)
    message.pop("ts")
    entry = {"id": scheduled_id, "post_at": post_at, "date_created": int(now), **message}
    ctx.state.scheduled.setdefault(channel.id, []).append(entry)
    return {
        "scheduled_message_id": scheduled_id,
        "channel": channel.id,
        "post_at": post_at,
        "message": _as_returned(message),
    }


def _schedule_of(ctx: CallContext, channel_arg: str, *, not_found: str) -> Channel:
    """The conversation scheduled messages are kept under: its id, or a user id for the bot's
    IM with them (chat.scheduleMessage accepts one), if the caller can see it."""
    channel = ctx.state.channel(channel_arg)
    if channel is None and channel_arg in ctx.ws.users:
        channel = ctx.state.existing_dm_channel(channel_arg)
    if channel is None:
        raise SlackError(not_found)
    hidden = channel.is_private or channel.is_conversation_with_people
    if hidden and ctx.grant.user_id not in channel.members:
        raise SlackError(not_found)
    return channel


@handles("chat.deleteScheduledMessage")
def delete_scheduled_message(ctx: CallContext) -> dict[str, Any]:
    channel = _schedule_of(ctx, ctx.require("channel"), not_found="channel_not_found")
    wanted = ctx.require("scheduled_message_id")
    entries = ctx.state.scheduled.get(channel.id, [])
    for entry in entries:
        if entry["id"] == wanted and entry["user"] == ctx.grant.user_id:
            entries.remove(entry)
            return {}
    # Unknown, already posted, already deleted, someone else's, or scheduled in another channel.
    raise SlackError("invalid_scheduled_message_id")


def _epoch_arg(ctx: CallContext, name: str) -> float | None:
    value = ctx.text(name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise invalid_arguments(f"[ERROR] {name} must be a Unix timestamp") from exc


@handles("chat.scheduledMessages.list")
def list_scheduled_messages(ctx: CallContext) -> dict[str, Any]:
    """The caller's pending messages, soonest first; `oldest` and `latest` bound `post_at`."""
    channel_arg = ctx.text("channel")
    if channel_arg is not None:
        channel_ids = [_schedule_of(ctx, channel_arg, not_found="invalid_channel").id]
    else:
        channel_ids = list(ctx.state.scheduled)
    oldest, latest = _epoch_arg(ctx, "oldest"), _epoch_arg(ctx, "latest")
    pending = sorted(
        (
            entry
            for channel_id in channel_ids
            for entry in ctx.state.scheduled.get(channel_id, [])
            if entry["user"] == ctx.grant.user_id
            and (oldest is None or entry["post_at"] >= oldest)
            and (latest is None or entry["post_at"] <= latest)
        ),
        key=lambda entry: (entry["post_at"], entry["id"]),
    )
    by_id = {entry["id"]: entry for entry in pending}
    chosen, next_cursor = page(ctx, list(by_id), kind="scheduled", default_limit=100)
    return {
        "scheduled_messages": [
            {
                "id": by_id[i]["id"],
                "channel_id": by_id[i]["channel"],
                "post_at": by_id[i]["post_at"],
                "date_created": by_id[i]["date_created"],
                "text": by_id[i]["text"],
            }
            for i in chosen
        ],
        "response_metadata": {"next_cursor": next_cursor},
    }
