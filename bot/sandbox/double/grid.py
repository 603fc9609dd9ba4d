"""Enterprise Grid: an org-wide bot token works in every workspace of its org, so a call made
with it is for the workspace its arguments name (as Slack finds it from the team, channel,
trigger, view or user the call is about)."""

from __future__ import annotations

from typing import Any

from bot.sandbox.double.state import DoubleState
from bot.sandbox.double.triggers import TriggerRegistry
from bot.sandbox.double.workspace import TokenGrant

Accepting = list[tuple[TokenGrant, DoubleState]]
# Arguments that may name a person; a channel argument may be a user id (their DM).
USER_ARGS = ("user", "user_id", "users", "channel")


def workspace_of_call(
    accepting: Accepting, args: dict[str, Any], triggers: TriggerRegistry
) -> tuple[TokenGrant, DoubleState]:
    """Which of the workspaces accepting one token a call is for; the first when nothing says."""
    by_team = {state.workspace.team_id: (grant, state) for grant, state in accepting}
    named = _text(args, "team_id") or triggers.team_of(_text(args, "trigger_id")) or ""
    if named in by_team:
        return by_team[named]
    channel, view_id = _text(args, "channel") or _text(args, "channel_id"), _text(args, "view_id")
    for grant, state in accepting:
        if channel in state.workspace.channels or view_id in state.views.views:
            return grant, state
    for name in USER_ARGS:
        first = _text(args, name).split(",")[0]
        for grant, state in accepting:
            if first in state.workspace.users:
                return grant, state
    return accepting[0]


def _text(args: dict[str, Any], name: str) -> str:
    return str(args.get(name) or "")
