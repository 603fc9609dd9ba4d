"""The Web API methods the double implements, and what a method handler gets to work with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.double.errors import SlackError, invalid_arguments, missing_field
from bot.sandbox.double.state import DoubleState
from bot.sandbox.double.triggers import TriggerRegistry
from bot.sandbox.double.workspace import TokenGrant, User, Workspace

Handler = Callable[["CallContext"], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def handles(method: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[method] = handler
        return handler

    return register


@dataclass
class CallContext:
    method: str
    args: dict[str, Any]
    grant: TokenGrant
    state: DoubleState
    triggers: TriggerRegistry
    base_url: str
    # Takes one chat.postMessage from a channel's allowance; the Retry-After seconds if none.
    pace_channel: Callable[[str], int | None]
    # Issues a one-use Socket Mode URL (apps.connections.open).
    open_socket: Callable[[], str]
    undecodable: set[str] = field(default_factory=set)

    @property
    def ws(self) -> Workspace:
        return self.state.workspace

    def person(self, user_id: str) -> User | None:
        """Someone the call may name: of this workspace, or with an org's token of its org."""
        if user_id in self.ws.users:
            return self.ws.users[user_id]
        return self.state.org_member(user_id) if self.grant.org_wide else None

    def has_scope(self, scope: str) -> bool:
        return scope in self.grant.scopes

    def text(self, name: str) -> str | None:
        value = self.args.get(name)
        if value is None or value == "":
            return None
        return value if isinstance(value, str) else str(value)

    def require(self, name: str, *, error: str | None = None) -> str:
        value = self.text(name)
        if value is None:
            raise SlackError(error) if error else missing_field(name)
        return value

    def flag(self, name: str) -> bool:
        value = self.args.get(name)
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("1", "true") if value is not None else False

    def integer(self, name: str, default: int, *, error: str = "invalid_arguments") -> int:
        value = self.args.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            if error == "invalid_arguments":
                raise invalid_arguments(f"[ERROR] {name} must be an integer") from exc
            raise SlackError(error) from exc

    def json_value(self, name: str, *, error: str) -> Any:
        """A JSON-valued argument, decoded; `error` when it was not valid JSON."""
        if name in self.undecodable:
            if error == "invalid_arguments":
                raise invalid_arguments(f"[ERROR] {name} must be valid JSON")
            raise SlackError(error)
        value = self.args.get(name)
        return None if value == "" else value
