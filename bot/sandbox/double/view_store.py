"""Views the app has opened, pushed and published, and each user's stack of open modals."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from bot.sandbox.double.block_kit import with_generated_ids
from bot.sandbox.double.errors import SlackError
from bot.sandbox.double.workspace import Workspace

MAX_MODAL_STACK = 3


class ViewStore:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.views: dict[str, dict[str, Any]] = {}
        self.modal_stacks: dict[str | None, list[str]] = {}
        self.home_by_user: dict[str, str] = {}
        self._open: set[str] = set()
        # What users have entered in open views, keyed by (block_id, action_id); Slack keeps
        # it across interactions and across updates that keep the same ids.
        self.user_input: dict[str, dict[tuple[str, str], Any]] = {}
        # The errors a modal shows under its inputs (block_id -> message) after the app's
        # acknowledgement refused its submission; gone with the next submission.
        self.field_errors: dict[str, dict[str, str]] = {}
        self._counter = itertools.count(1)
        self._hashes = itertools.count(1)

    def _new_hash(self) -> str:
        return f"1700000000.{next(self._hashes):08x}"

    def _new_view_id(self) -> str:
        return f"V{next(self._counter):010d}"

    def _build(
        self,
        given: dict[str, Any],
        *,
        view_id: str,
        user_id: str | None,
        root_view_id: str | None,
        previous_view_id: str | None,
    ) -> dict[str, Any]:
        ws = self.workspace
        return {
            "id": view_id,
            "team_id": ws.team_id,
            "type": given["type"],
            "title": copy.deepcopy(given.get("title")),
            "submit": copy.deepcopy(given.get("submit")),
            "close": copy.deepcopy(given.get("close")),
            "blocks": with_generated_ids(given.get("blocks") or []),
            "private_metadata": given.get("private_metadata") or "",
            "callback_id": given.get("callback_id") or "",
            "external_id": given.get("external_id") or "",
            "state": {"values": {}},
            "hash": self._new_hash(),
            "clear_on_close": bool(given.get("clear_on_close", False)),
            "notify_on_close": bool(given.get("notify_on_close", False)),
            "submit_disabled": bool(given.get("submit_disabled", False)),
            "root_view_id": root_view_id or view_id,
            "previous_view_id": previous_view_id,
            "app_id": ws.app_id,
            "app_installed_team_id": ws.team_id,
            "bot_id": ws.bot_id,
            "user_id": user_id,
        }

    def check_external_id(self, given: dict[str, Any], replacing: str | None = None) -> None:
        external_id = given.get("external_id")
        if not external_id:
            return
        for view_id in self._open - {replacing}:
            if self.views[view_id]["external_id"] == external_id:
                raise SlackError("duplicate_external_id")

    def is_open(self, view_id: str) -> bool:
        return view_id in self._open

    def stack(self, user_id: str | None) -> list[str]:
        return self.modal_stacks.get(user_id, [])

    def open_modal(self, given: dict[str, Any], user_id: str | None) -> dict[str, Any]:
        # A new modal replaces whatever stack the user had open.
        self.clear_modals(user_id)
        view = self._build(
            given,
            view_id=self._new_view_id(),
            user_id=user_id,
            root_view_id=None,
            previous_view_id=None,
        )
        self.views[view["id"]] = view
        self._open.add(view["id"])
        self.modal_stacks[user_id] = [view["id"]]
        return view

    def push_modal(self, given: dict[str, Any], user_id: str | None) -> dict[str, Any]:
        stack = self.modal_stacks.get(user_id)
        if not stack:
            raise SlackError("not_found")
        if len(stack) >= MAX_MODAL_STACK:
            raise SlackError("push_limit_reached")
        view = self._build(
            given,
            view_id=self._new_view_id(),
            user_id=user_id,
            root_view_id=stack[0],
            previous_view_id=stack[-1],
        )
        self.views[view["id"]] = view
        self._open.add(view["id"])
        stack.append(view["id"])
        return view

    def find_open(self, *, view_id: str | None, external_id: str | None) -> dict[str, Any]:
        if view_id:
            view = self.views.get(view_id)
        else:
            view = next(
                (
                    v
                    for v in self.views.values()
                    if v["external_id"] == external_id and v["id"] in self._open
                ),
                None,
            )
        if view is None or view["id"] not in self._open:
            raise SlackError("not_found")
        return view

    def replace_content(self, view: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        """Give an open view new content; it keeps its id and place, and gets a new hash."""
        rebuilt = self._build(
            given,
            view_id=view["id"],
            user_id=view["user_id"],
            root_view_id=view["root_view_id"],
            previous_view_id=view["previous_view_id"],
        )
        view.clear()
        view.update(rebuilt)
        return view

    def publish_home(self, given: dict[str, Any], user_id: str) -> dict[str, Any]:
        # A user's Home tab keeps its view id across publishes.
        view_id = self.home_by_user.get(user_id) or self._new_view_id()
        view = self._build(
            given, view_id=view_id, user_id=user_id, root_view_id=None, previous_view_id=None
        )
        self.views[view_id] = view
        self._open.add(view_id)
        self.home_by_user[user_id] = view_id
        return view

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        view_id = self.home_by_user.get(user_id)
        return self.views[view_id] if view_id else None

    def open_modals(self, user_id: str | None) -> list[dict[str, Any]]:
        return [self.views[v] for v in self.stack(user_id)]

    def close_top_modal(self, user_id: str | None) -> None:
        stack = self.modal_stacks.get(user_id)
        if stack:
            self._open.discard(stack.pop())
        if not stack:
            self.modal_stacks.pop(user_id, None)

    def clear_modals(self, user_id: str | None) -> None:
        for view_id in self.modal_stacks.pop(user_id, []):
            self._open.discard(view_id)
