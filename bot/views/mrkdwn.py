"""The one way text reaches Slack's mrkdwn: `Mrkdwn` is text the bot vouches for, all else is not.

Slack acts on `<…>` sequences (`<!channel>`, `<@U…>`, links) and formats `*`, `_`, `~` and
backtick runs. Text a person typed must do neither, so:

- `escape(text)` turns person-typed text into inert `Mrkdwn`;
- `mention`, `channel`, `date` and `link` build the sequences the bot means to send, and `code`
  a copyable command with a person's words in it;
- `mrkdwn(template, ...)` and `join(separator, parts)` compose them, escaping every value that is
  not already `Mrkdwn` (templates and separators are literals in the code, checked by a test);
- `guard(payload)` runs on every payload on its way out (the Web API client and response URLs):
  any mrkdwn text that is a plain `str` rather than `Mrkdwn` has its `<`, `>` and stray `&`
  escaped there, so a view that forgets all of the above sends inert text, never a live mention.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, LiteralString

# Formatting characters become look-alikes that Slack does not format: Slack has no escape for
# them, and the look-alikes keep the text the same length and readable.
_INERT = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})
# An `&` that already starts one of the three entities Slack decodes is left alone by the guard.
_STRAY_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt);)")


class Mrkdwn(str):
    """Text safe to send as mrkdwn. Concatenating or joining keeps it safe: plain parts are
    escaped. Build it with the functions of this module, never by calling the class."""

    __slots__ = ()

    def __add__(self, other: str) -> Mrkdwn:
        return Mrkdwn(str.__add__(self, escape(other)))

    def __radd__(self, other: str) -> Mrkdwn:
        return Mrkdwn(str.__add__(escape(other), self))

    def __getitem__(self, key: Any) -> Mrkdwn:
        return Mrkdwn(str.__getitem__(self, key))


def escape(text: object) -> Mrkdwn:
    """Person-typed text (or any value) as inert mrkdwn: no mention, link or formatting."""
    if isinstance(text, Mrkdwn):
        return text
    raw = "" if text is None else str(text)
    return Mrkdwn(
        raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").translate(_INERT)
    )


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Mrkdwn):
            return value
        return escape(format(value, format_spec))


_FORMATTER = _Formatter()


def mrkdwn(template: LiteralString, /, *args: object, **values: object) -> Mrkdwn:
    """`mrkdwn("*{who}* wrote {title}", who=mention(u), title=story.title)`: the literal template
    is trusted mrkdwn; every value is escaped unless it is `Mrkdwn` already."""
    return Mrkdwn(_FORMATTER.vformat(template, args, values))


def join(separator: LiteralString, parts: Iterable[object]) -> Mrkdwn:
    return Mrkdwn(separator.join(escape(part) for part in parts))


def mention(user_id: str) -> Mrkdwn:
    return Mrkdwn(f"<@{_slack_id(user_id)}>")


def channel(channel_id: str) -> Mrkdwn:
    return Mrkdwn(f"<#{_slack_id(channel_id)}>")


def date(at: datetime, token: LiteralString = "{date_short_pretty} at {time}") -> Mrkdwn:
    """Slack renders this in the time zone of whoever reads it; the fallback is UTC."""
    fallback = f"{at.astimezone(UTC):%a %d %b %Y %H:%M} UTC"
    return Mrkdwn(f"<!date^{int(at.timestamp())}^{token}|{fallback}>")


def link(url: str, label: object) -> Mrkdwn:
    """A link whose label is escaped; the URL must be the bot's own http(s) address."""
    if not re.fullmatch(r"https?://[^\s<>|]+", url):
        raise ValueError("not a link the bot can send")
    return Mrkdwn(f"<{url}|{escape(label).replace('|', '¦')}>")


def code(text: object) -> Mrkdwn:
    """An inline code span (a command to copy): Slack formats nothing inside one, so only the
    `<…>` characters are escaped and the words stay as typed; a backtick would end it early."""
    raw = "" if text is None else str(text)
    inert_raw = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Mrkdwn("`" + inert_raw.replace("`", "ˋ") + "`")


def _slack_id(value: str) -> str:
    # Ids come from Slack or the database; anything else would end the sequence early.
    if not re.fullmatch(r"[A-Z0-9]+", value):
        raise ValueError(f"not a Slack id: {value!r}")
    return value


# --- The guard on every outgoing payload ------------------------------------------------------

# An attachment's own text fields are mrkdwn (the app sends none today; a future one is guarded).
_ATTACHMENT_TEXT = ("text", "pretext", "fallback", "footer")


def inert(text: str) -> str:
    """What the guard does to mrkdwn that is not `Mrkdwn`: no live `<…>`, entities kept."""
    if isinstance(text, Mrkdwn):
        return text
    return _STRAY_AMPERSAND.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def guard(payload: dict[str, Any]) -> dict[str, Any]:
    """A copy of an outgoing payload (chat.*, views.*, files.*, a response URL's body) in which
    every mrkdwn string is either `Mrkdwn` or made inert."""
    result = dict(payload)
    for key in ("text", "initial_comment"):
        if isinstance(result.get(key), str):
            result[key] = inert(result[key])
    for key in ("blocks", "view"):
        if key in result:
            result[key] = _guard_tree(result[key])
    if isinstance(result.get("attachments"), list):
        result["attachments"] = [_guard_attachment(a) for a in result["attachments"]]
    return result


def _guard_attachment(attachment: Any) -> Any:
    if not isinstance(attachment, dict):
        return attachment
    guarded = _guard_tree(attachment)
    for key in _ATTACHMENT_TEXT:
        if isinstance(guarded.get(key), str):
            guarded[key] = inert(guarded[key])
    return guarded


def _guard_tree(node: Any) -> Any:
    """Every `{"type": "mrkdwn", "text": ...}` object, at any depth of blocks or a view."""
    if isinstance(node, list):
        return [_guard_tree(item) for item in node]
    if not isinstance(node, dict):
        return node
    guarded = {key: _guard_tree(value) for key, value in node.items()}
    if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
        guarded["text"] = inert(node["text"])
    return guarded
