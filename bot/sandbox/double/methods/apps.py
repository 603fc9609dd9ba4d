"""apps.connections.open: the URL of a Socket Mode connection, for an app-level token."""

from __future__ import annotations

from typing import Any

from bot.sandbox.double.errors import SlackError
from bot.sandbox.double.method_registry import CallContext, handles

SOCKET_SCOPE = "connections:write"


@handles("apps.connections.open")
def connections_open(ctx: CallContext) -> dict[str, Any]:
    if not ctx.has_scope(SOCKET_SCOPE):
        provided = ",".join(sorted(ctx.grant.scopes))
        raise SlackError("missing_scope", needed=SOCKET_SCOPE, provided=provided)
    return {"url": ctx.open_socket()}
