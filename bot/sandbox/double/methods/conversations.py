"""conversations.* methods: opening IMs, reading channels, managing membership."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.double.errors import SlackError
from bot.sandbox.double.method_registry import CallContext, handles
from bot.sandbox.double.pagination import page
from bot.sandbox.double.slack_objects import channel_json
from bot.sandbox.double.workspace import Channel

MAX_MPIM_USERS = 8
MAX_INVITES = 100
MAX_NAME_LENGTH = 80
MAX_PURPOSE_LENGTH = 250


def visible_channel(ctx: CallContext, channel_id: str) -> Channel:
    """The channel, if the caller can see it: private ones only by their members."""
    channel = ctx.state.channel(channel_id)
    if channel is None:
        raise SlackError("channel_not_found")
    hidden = channel.is_private or channel.is_conversation_with_people
    if hidden and ctx.grant.user_id not in channel.members:
        raise SlackError("channel_not_found")
    return channel


def _reject_people_conversations(channel: Channel) -> None:
    if channel.is_conversation_with_people:
        raise SlackError("method_not_supported_for_channel_type")


@handles("conversations.open")
def conversations_open(ctx: CallContext) -> dict[str, Any]:
    ws = ctx.ws
    channel_id = ctx.text("channel")
    if channel_id is not None:
        channel = visible_channel(ctx, channel_id)
        if not channel.is_conversation_with_people:
            raise SlackError("method_not_supported_for_channel_type")
        return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
    user_ids = [u.strip() for u in (ctx.text("users") or "").split(",") if u.strip()]
    if not user_ids:
        raise SlackError("users_list_not_supplied")
    for user_id in user_ids:
        user = ctx.person(user_id)
        if user is None:
            raise SlackError("user_not_found")
        if user.deleted:
            raise SlackError("user_disabled")
    others = [u for u in dict.fromkeys(user_ids) if u != ws.bot_user_id]
    if not others:
        raise SlackError("invalid_user_combination")
    if len(others) > MAX_MPIM_USERS:
        raise SlackError("too_many_users")
    if len(others) == 1:
        existed = any(c.is_im and c.user == others[0] for c in ws.channels.values())
    else:
        existed = any(
            c.is_mpim and c.members == {*others, ws.bot_user_id} for c in ws.channels.values()
        )
    if not existed and ctx.flag("prevent_creation"):
        raise SlackError("channel_not_found")
    if len(others) == 1:
        channel = ctx.state.dm_channel(others[0])
    else:
        channel = ctx.state.mpim_channel(others)
    body: dict[str, Any] = {"no_op": existed, "already_open": existed}
    body["channel"] = channel_json(channel, ws) if ctx.flag("return_im") else {"id": channel.id}
    return body


@handles("conversations.info")
def conversations_info(ctx: CallContext) -> dict[str, Any]:
    channel = visible_channel(ctx, ctx.require("channel"))
    return {
        "channel": channel_json(
            channel, ctx.ws, include_num_members=ctx.flag("include_num_members")
        )
    }


@handles("conversations.members")
def conversations_members(ctx: CallContext) -> dict[str, Any]:
    channel = visible_channel(ctx, ctx.require("channel"))
    chosen, next_cursor = page(ctx, sorted(channel.members), kind="member", default_limit=100)
    return {"members": chosen, "response_metadata": {"next_cursor": next_cursor}}


@handles("conversations.join")
def conversations_join(ctx: CallContext) -> dict[str, Any]:
    channel = ctx.state.channel(ctx.require("channel"))
    if channel is None:
        raise SlackError("channel_not_found")
    if channel.is_private or channel.is_conversation_with_people:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    body: dict[str, Any] = {}
    if ctx.grant.user_id in channel.members:
        body["warning"] = "already_in_channel"
        body["response_metadata"] = {"warnings": ["already_in_channel"]}
    channel.members.add(ctx.grant.user_id)
    body["channel"] = channel_json(channel, ctx.ws)
    return body


_NAME_CHARS = re.compile(r"^[a-z0-9_-]+$")
_ONLY_PUNCTUATION = re.compile(r"^[-_]+$")


@handles("conversations.create")
def conversations_create(ctx: CallContext) -> dict[str, Any]:
    name = ctx.require("name", error="invalid_name_required")
    if len(name) > MAX_NAME_LENGTH:
        raise SlackError("invalid_name_maxlength")
    if _ONLY_PUNCTUATION.match(name):
        raise SlackError("invalid_name_punctuation")
    if not _NAME_CHARS.match(name):
        raise SlackError("invalid_name_specials")
    if ctx.grant.org_wide and ctx.text("team_id") is None:
        raise SlackError("missing_argument")  # an org's token must say which workspace
    ws = ctx.ws
    if any(c.name == name and not c.is_im for c in ws.channels.values()):
        raise SlackError("name_taken")
    channel = ws.add_channel(
        Channel(
            id=ctx.state.new_id("C"),
            name=name,
            is_private=ctx.flag("is_private"),
            members={ctx.grant.user_id},
            creator=ctx.grant.user_id,
            created=int(ctx.state.now_epoch()),
        )
    )
    return {"channel": channel_json(channel, ws)}


def _managed_channel(ctx: CallContext) -> Channel:
    """A channel the caller manages: visible, not an IM, not archived, and joined."""
    channel = visible_channel(ctx, ctx.require("channel"))
    _reject_people_conversations(channel)
    if channel.is_archived:
        raise SlackError("is_archived")
    if ctx.grant.user_id not in channel.members:
        raise SlackError("not_in_channel")
    return channel


@handles("conversations.invite")
def conversations_invite(ctx: CallContext) -> dict[str, Any]:
    channel = _managed_channel(ctx)
    user_ids = [u.strip() for u in (ctx.text("users") or "").split(",") if u.strip()]
    if not user_ids:
        raise SlackError("no_user")
    if len(user_ids) > MAX_INVITES:
        raise SlackError("cant_invite")
    for user_id in user_ids:
        if user_id == ctx.grant.user_id:
            raise SlackError("cant_invite_self")
        if user_id not in ctx.ws.users:
            found = ctx.person(user_id) or ctx.state.org_member(user_id)
            raise SlackError("org_user_not_in_team" if found else "user_not_found")
        if user_id in channel.members:
            raise SlackError("already_in_channel")
    channel.members.update(user_ids)
    return {"channel": channel_json(channel, ctx.ws)}


@handles("conversations.kick")
def conversations_kick(ctx: CallContext) -> dict[str, Any]:
    channel = _managed_channel(ctx)
    user_id = ctx.require("user", error="user_not_found")
    if user_id not in ctx.ws.users:
        raise SlackError("user_not_found")
    if user_id == ctx.grant.user_id:
        raise SlackError("cant_kick_self")
    if channel.is_general:
        raise SlackError("cant_kick_from_general")
    if user_id not in channel.members:
        raise SlackError("not_in_channel")
    channel.members.discard(user_id)
    return {}


@handles("conversations.archive")
def conversations_archive(ctx: CallContext) -> dict[str, Any]:
    channel = visible_channel(ctx, ctx.require("channel"))
    _reject_people_conversations(channel)
    if channel.is_archived:
        raise SlackError("already_archived")
    if channel.is_general:
        raise SlackError("cant_archive_general")
    if ctx.grant.user_id not in channel.members:
        raise SlackError("not_in_channel")
    channel.is_archived = True
    return {}


@handles("conversations.setPurpose")
def conversations_set_purpose(ctx: CallContext) -> dict[str, Any]:
    channel = visible_channel(ctx, ctx.require("channel"))
    purpose = ctx.args.get("purpose")
    purpose = "" if purpose is None else str(purpose)
    if channel.is_archived:
        raise SlackError("is_archived")
    if ctx.grant.user_id not in channel.members:
        raise SlackError("not_in_channel")
    if len(purpose) > MAX_PURPOSE_LENGTH:
        raise SlackError("too_long")
    channel.purpose = purpose
    return {"channel": channel_json(channel, ctx.ws)}
