"""auth.test and team.info."""

from __future__ import annotations

from typing import Any

from bot.sandbox.double.errors import SlackError
from bot.sandbox.double.method_registry import CallContext, handles
from bot.sandbox.double.slack_objects import team_json


@handles("auth.test")
def auth_test(ctx: CallContext) -> dict[str, Any]:
    ws = ctx.ws
    user = ws.users.get(ctx.grant.user_id)
    body: dict[str, Any] = {
        "url": ws.url,
        "team": ws.team_name,
        "user": user.name if user else "",
        "team_id": ws.team_id,
        "user_id": ctx.grant.user_id,
        "is_enterprise_install": ws.org_installed,
    }
    if ws.enterprise_id:
        body["enterprise_id"] = ws.enterprise_id
    if ctx.grant.is_bot:
        body["bot_id"] = ws.bot_id
    return body


@handles("team.info")
def team_info(ctx: CallContext) -> dict[str, Any]:
    team = ctx.text("team")
    if team is not None and team != ctx.ws.team_id:
        raise SlackError("team_not_found")
    return {"team": team_json(ctx.ws)}
