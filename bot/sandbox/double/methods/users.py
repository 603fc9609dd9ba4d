"""users.info and users.list."""

from __future__ import annotations

from typing import Any

from bot.sandbox.double.errors import SlackError
from bot.sandbox.double.method_registry import CallContext, handles
from bot.sandbox.double.pagination import page
from bot.sandbox.double.slack_objects import user_json


@handles("users.info")
def users_info(ctx: CallContext) -> dict[str, Any]:
    user = ctx.ws.users.get(ctx.require("user"))
    if user is None:
        raise SlackError("user_not_found")
    return {
        "user": user_json(
            user,
            ctx.ws,
            with_email=ctx.has_scope("users:read.email"),
            include_locale=ctx.flag("include_locale"),
        )
    }


@handles("users.list")
def users_list(ctx: CallContext) -> dict[str, Any]:
    ids = sorted(ctx.ws.users)
    # Slack's users.list returns everyone when no limit is given.
    chosen, next_cursor = page(ctx, ids, kind="user", default_limit=0)
    members = [
        user_json(
            ctx.ws.users[i],
            ctx.ws,
            with_email=ctx.has_scope("users:read.email"),
            include_locale=ctx.flag("include_locale"),
        )
        for i in chosen
    ]
    return {
        "members": members,
        "cache_ts": int(ctx.state.now_epoch()),
        "response_metadata": {"next_cursor": next_cursor},
    }
