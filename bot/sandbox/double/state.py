"""What the double remembers between calls: conversations, messages, pins, files, views."""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Iterator
from typing import Any

from bot.sandbox.double.view_store import ViewStore
from bot.sandbox.double.workspace import Channel, User, Workspace


def _stable_suffix(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:10].upper()


class DoubleState:
    def __init__(
        self,
        workspace: Workspace,
        clock: Callable[[], float],
        epoch: Callable[[], float] | None = None,
        counter: Iterator[int] | None = None,
    ) -> None:
        self.workspace = workspace
        self.clock = clock
        self.epoch = epoch
        # Message timestamps follow the wall clock at start, moved on by the injected clock,
        # so a fake clock also moves `ts` forward.
        self._epoch_at_start = time.time()
        self._clock_at_start = clock()
        self._last_ts_micros = 0
        # Shared by every workspace a double hosts, so channel and file ids never collide.
        self.counter = counter or itertools.count(1)
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.ephemeral: dict[str, list[dict[str, Any]]] = {}
        self.scheduled: dict[str, list[dict[str, Any]]] = {}
        self.pins: dict[str, list[str]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.views = ViewStore(workspace)
        # The workspaces of its Enterprise Grid org (itself among them), as the double hosts them.
        self.org: list[DoubleState] = [self]

    def org_member(self, user_id: str) -> User | None:
        """A person of the org, whichever of its workspaces they are in: one person to Slack."""
        for state in self.org:
            if user_id in state.workspace.users:
                return state.workspace.users[user_id]
        return None

    # -- time and ids ----------------------------------------------------------------

    def now_epoch(self) -> float:
        if self.epoch is not None:
            return self.epoch()
        return self._epoch_at_start + (self.clock() - self._clock_at_start)

    def next_ts(self) -> str:
        """A message ts: unique and increasing, in Slack's "1700000000.000100" form."""
        micros = max(int(self.now_epoch() * 1_000_000), self._last_ts_micros + 1)
        self._last_ts_micros = micros
        seconds, fraction = divmod(micros, 1_000_000)
        return f"{seconds}.{fraction:06d}"

    def new_id(self, prefix: str) -> str:
        while True:
            candidate = f"{prefix}0{next(self.counter):08X}"
            if candidate not in self.workspace.channels and candidate not in self.files:
                return candidate

    # -- conversations ---------------------------------------------------------------

    def channel(self, channel_id: str) -> Channel | None:
        return self.workspace.channels.get(channel_id)

    def dm_channel(self, user_id: str) -> Channel:
        """The bot's IM with a user; the same id every time."""
        ws = self.workspace
        if user_id not in ws.users:
            raise KeyError(f"no user {user_id} in the workspace")
        channel_id = self._dm_id(user_id)
        channel = ws.channels.get(channel_id)
        if channel is None:
            channel = ws.add_channel(
                Channel(
                    id=channel_id,
                    is_im=True,
                    user=user_id,
                    members={user_id, ws.bot_user_id},
                    created=int(self.now_epoch()),
                )
            )
        return channel

    def existing_dm_channel(self, user_id: str) -> Channel | None:
        """The bot's IM with a user if it was ever opened; looking never opens one."""
        return self.workspace.channels.get(self._dm_id(user_id))

    def _dm_id(self, user_id: str) -> str:
        return "D" + _stable_suffix(self.workspace.team_id, user_id)

    def mpim_channel(self, user_ids: list[str]) -> Channel:
        ws = self.workspace
        members = sorted({*user_ids, ws.bot_user_id})
        channel_id = "G" + _stable_suffix(ws.team_id, *members)
        channel = ws.channels.get(channel_id)
        if channel is None:
            names = [p.name for p in map(self.org_member, members) if p is not None]
            channel = ws.add_channel(
                Channel(
                    id=channel_id,
                    name="mpdm-" + "--".join(names) + "-1",
                    is_private=True,
                    is_mpim=True,
                    members=set(members),
                    created=int(self.now_epoch()),
                )
            )
        return channel

    def resolve_target(self, channel_arg: str, *, users_too: bool = True) -> Channel | None:
        """The conversation a `channel` argument names: an id, a `#name`, or (for posting)
        a user id, which means the bot's IM with that user."""
        ws = self.workspace
        if channel_arg in ws.channels:
            return ws.channels[channel_arg]
        if users_too and channel_arg in ws.users and channel_arg != ws.bot_user_id:
            return self.dm_channel(channel_arg)
        name = channel_arg.removeprefix("#")
        for channel in ws.channels.values():
            if channel.name == name and not channel.is_im:
                return channel
        return None

    # -- messages --------------------------------------------------------------------

    def add_message(self, channel_id: str, message: dict[str, Any]) -> dict[str, Any]:
        self.messages.setdefault(channel_id, []).append(message)
        return message

    def find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        for message in self.messages.get(channel_id, []):
            if message["ts"] == ts:
                return message
        return None

    def find_ephemeral(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        for message in self.ephemeral.get(channel_id, []):
            if message["ts"] == ts:
                return message
        return None

    def deliver_scheduled(self) -> list[dict[str, Any]]:
        """Post every scheduled message that is due, as Slack does when its time comes."""
        now = self.now_epoch()
        due = sorted(
            (
                (entry["post_at"], entry["id"], channel_id, entry)
                for channel_id, entries in self.scheduled.items()
                for entry in entries
                if entry["post_at"] <= now
            ),
            key=lambda item: (item[0], item[1]),
        )
        delivered = []
        for _, _, channel_id, entry in due:
            self.scheduled[channel_id].remove(entry)
            message = {k: v for k, v in entry.items() if k not in ("id", "post_at", "date_created")}
            message["ts"] = self.next_ts()
            parent_ts = message.get("thread_ts")
            parent = self.find_message(channel_id, parent_ts) if parent_ts else None
            if parent is not None:
                parent["reply_count"] = parent.get("reply_count", 0) + 1
            delivered.append(self.add_message(channel_id, message))
        return delivered

    def remove_message(self, channel_id: str, ts: str) -> bool:
        messages = self.messages.get(channel_id, [])
        for index, message in enumerate(messages):
            if message["ts"] == ts:
                del messages[index]
                return True
        return False
