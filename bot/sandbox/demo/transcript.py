"""Turns what the Slack double received into lines a person can read: who saw what."""

from __future__ import annotations

import json
from typing import Any

from bot.sandbox.double import SlackDouble


def _text_of(blocks: list[dict[str, Any]] | None, fallback: str = "") -> str:
    parts = []
    for block in blocks or []:
        text = block.get("text")
        if isinstance(text, dict) and text.get("text"):
            parts.append(text["text"])
        for element in block.get("elements", []) if block.get("type") == "context" else []:
            if element.get("text"):
                parts.append(element["text"])
    return " / ".join(parts) or fallback


def _buttons(blocks: list[dict[str, Any]] | None) -> list[str]:
    labels = []
    for block in blocks or []:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        if block.get("accessory"):
            elements = [*elements, block["accessory"]]
        labels += [f"[{e['text']['text']}]" for e in elements if e.get("type") == "button"]
    return labels


def the_other(count: int) -> str:
    """'the other pair' or 'the other 10 pairs'."""
    return "the other pair" if count == 1 else f"the other {count} pairs"


def short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Transcript:
    def __init__(self, double: SlackDouble, names: dict[str, str]) -> None:
        self.double = double
        self.names = names
        self._calls = 0
        self._posts = 0
        self.lines: list[str] = []

    def name(self, user_id: str | None) -> str:
        return self.names.get(user_id or "", user_id or "?")

    def say(self, line: str) -> None:
        self.lines.append(line)
        print(line, flush=True)

    def skip(self) -> None:
        """Forget what happened so far without printing it."""
        self._calls = len(self.double.calls)
        self._posts = len(self.double.response_posts)

    def flush(self, indent: str = "    ") -> None:
        for call in self.double.calls[self._calls :]:
            line = self.describe(call.method, call.args, call.response)
            if line:
                self.say(indent + line)
        for _url, body in self.double.response_posts[self._posts :]:
            text = body.get("text") or ""
            shown = _text_of(body.get("blocks"), text)
            buttons = " ".join(_buttons(body.get("blocks")))
            self.say(f"{indent}(only you) {short(shown)} {buttons}".rstrip())
        self.skip()

    def describe(self, method: str, args: dict[str, Any], response: dict[str, Any]) -> str | None:
        if not response.get("ok"):
            return f"Slack refused {method}: {response.get('error')}"
        if method == "views.open":
            view = args.get("view") or {}
            inputs = sum(1 for b in view.get("blocks", []) if b.get("type") == "input")
            asks = "1 question" if inputs == 1 else f"{inputs} questions"
            return f"a form opens: “{view.get('title', {}).get('text')}” ({asks})"
        if method == "views.publish":
            return f"{self.name(args.get('user_id'))}'s App Home is refreshed"
        if method in ("chat.postMessage", "chat.update", "chat.scheduleMessage"):
            where = self.where(args.get("channel", ""))
            verb = {"chat.update": "edited", "chat.scheduleMessage": "scheduled"}.get(
                method, "message"
            )
            shown = _text_of(args.get("blocks"), args.get("text") or "")
            buttons = " ".join(_buttons(args.get("blocks")))
            return f"{where} ({verb}): {short(shown)} {buttons}".rstrip()
        if method == "files.completeUploadExternal":
            shared = args.get("files") or "[]"
            files = json.loads(shared) if isinstance(shared, str) else shared
            parts = [
                short(args.get("initial_comment") or ""),
                *(f"📎 {f.get('title')}" for f in files),
            ]
            where = self.where(args.get("channel_id") or args.get("channels") or "")
            return f"{where} (file): {' '.join(p for p in parts if p)}"
        if method == "chat.deleteScheduledMessage":
            return f"a scheduled message to {self.where(args.get('channel', ''))} is withdrawn"
        return None

    def where(self, channel_id: str) -> str:
        """'DM to Ada', 'group DM with Ada and Bea' or '#general'."""
        if channel_id.startswith("U"):
            return f"DM to {self.name(channel_id)}"
        channel = self.double.workspace.channels.get(channel_id)
        if channel is None:
            return channel_id
        if channel.is_im:
            return f"DM to {self.name(channel.user)}"
        if channel.is_mpim:
            people = sorted(
                self.name(u) for u in channel.members if u != self.double.workspace.bot_user_id
            )
            return "group DM with " + " and ".join(people)
        return f"#{channel.name}"

    def delivered(self, messages: list[dict[str, Any]]) -> None:
        """Messages Slack posted on schedule."""
        self.sent(messages, how="posted on schedule")

    def sent(self, messages: list[dict[str, Any]], how: str = "message") -> None:
        """Messages as they reached their conversations, told where the story needs them."""
        for message in messages:
            shown = _text_of(message.get("blocks"), message.get("text") or "")
            buttons = " ".join(_buttons(message.get("blocks")))
            self.say(
                f"    {self.where(message['channel'])} ({how}): {short(shown)} {buttons}".rstrip()
            )
