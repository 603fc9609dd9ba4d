"""What tests look at in one workspace the double hosts, and what a request signer for that
workspace needs: its conversations, views, trigger ids and response URLs."""

from __future__ import annotations

from typing import Any

from bot.sandbox.double.modal_acks import apply_submission_ack
from bot.sandbox.double.response_urls import ResponseUrlRegistry
from bot.sandbox.double.slack_objects import user_json
from bot.sandbox.double.socket_mode import SocketModeLink
from bot.sandbox.double.state import DoubleState
from bot.sandbox.double.triggers import TriggerRegistry
from bot.sandbox.double.workspace import Workspace


class TeamSide:
    """One workspace's side of the double; the double itself is its first workspace's."""

    state: DoubleState
    triggers: TriggerRegistry
    response_urls: ResponseUrlRegistry
    # The app's Socket Mode connections: one set for the app, whichever workspace sends.
    socket_mode: SocketModeLink

    def new_trigger_id(self, user_id: str | None = None) -> str:
        return self.triggers.issue(user_id, team_id=self.workspace.team_id)

    def new_response_url(self, channel_id: str, user_id: str, message_ts: str | None = None) -> str:
        key = self.response_urls.issue(channel_id, user_id, message_ts, self.workspace.team_id)
        return f"{self.base_url}/response/{key}"

    def response_url_user(self, url: str) -> str | None:
        """The user a response URL was issued for (None if the double did not issue it)."""
        target = self.response_urls.get(url.rpartition("/response/")[2])
        return target.user_id if target else None

    def set_active(self, user_id: str, *, active: bool) -> dict[str, Any]:
        """A workspace admin deactivates someone (or re-activates them): users.info and
        users.list show it at once (`deleted`, a new `updated`), and the `user_change` event
        Slack sends the app about it is returned, for the caller to deliver (or not)."""
        user = self.workspace.users[user_id]
        now = int(self.state.now_epoch())
        user.deleted, user.updated = not active, max(now, user.updated + 1)
        return {
            "type": "user_change",
            "user": user_json(user, self.workspace, with_email=False),
            "cache_ts": now,
        }

    def dm_channel(self, user_id: str) -> str:
        return self.state.dm_channel(user_id).id

    def _channel_id(self, channel_or_user_id: str) -> str:
        if channel_or_user_id in self.workspace.users:
            return self.dm_channel(channel_or_user_id)
        return channel_or_user_id

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        """Messages in a conversation, oldest first (a user id means the bot's IM with them)."""
        return list(self.state.messages.get(self._channel_id(channel_id), []))

    def ephemeral_messages(
        self, channel_id: str, user_id: str | None = None
    ) -> list[dict[str, Any]]:
        found = self.state.ephemeral.get(self._channel_id(channel_id), [])
        return [m for m in found if user_id is None or m["recipient"] == user_id]

    def scheduled_messages(self, channel_id: str) -> list[dict[str, Any]]:
        return list(self.state.scheduled.get(self._channel_id(channel_id), []))

    def pins(self, channel_id: str) -> list[str]:
        return list(self.state.pins.get(channel_id, []))

    def find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        return self.state.find_message(self._channel_id(channel_id), ts)

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return self.state.files

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        return self.state.views.views

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        return self.state.views.home_view(user_id)

    def open_modals(self, user_id: str) -> list[dict[str, Any]]:
        return self.state.views.open_modals(user_id)

    def apply_view_submission_ack(
        self, user_id: str, view_id: str, status: int, body: Any
    ) -> str | None:
        return apply_submission_ack(self.state.views, user_id, view_id, status, body)

    def close_modal(self, user_id: str, *, clear: bool = False) -> None:
        """The user closes the top modal (or, with `clear`, the whole stack)."""
        if clear:
            self.state.views.clear_modals(user_id)
        else:
            self.state.views.close_top_modal(user_id)

    # The workspace is the state's; the base URL is the double's server's.
    @property
    def workspace(self) -> Workspace:
        return self.state.workspace

    @property
    def base_url(self) -> str:
        raise NotImplementedError


class TeamView(TeamSide):
    """Another hosted workspace, seen through the double: the rest (recorded calls, faults,
    rate limits) is the double's own."""

    def __init__(self, double: TeamSide, state: DoubleState) -> None:
        self.double = double
        self.state = state
        self.triggers = double.triggers
        self.response_urls = double.response_urls

    @property
    def base_url(self) -> str:
        return self.double.base_url

    def __getattr__(self, name: str) -> Any:
        return getattr(self.double, name)
