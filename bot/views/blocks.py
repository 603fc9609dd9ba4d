"""Small Block Kit helpers shared by the view builders: data in, dicts out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, LiteralString, TypeVar

from bot.views.mrkdwn import Mrkdwn

Block = dict[str, Any]
# mrkdwn positions take `Mrkdwn`, or a literal of the code (the guard makes anything else inert).
Text = Mrkdwn | LiteralString
_T = TypeVar("_T", bound=str)
# The end of a clipped Mrkdwn that would leave a `<…>` sequence or an entity half-open.
_OPEN_SEQUENCE = re.compile(r"(?:<[^>]*|&[a-z]*)$")


def plain(text: str) -> dict[str, Any]:
    """plain_text shows its text literally: it takes the raw words, never escaped mrkdwn."""
    if isinstance(text, Mrkdwn):
        raise TypeError("plain_text takes raw text, not Mrkdwn")
    return {"type": "plain_text", "text": text, "emoji": True}


def md(text: Text) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: Text, *, block_id: str | None = None, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": md(clip(text, 3000))}
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def header(text: str) -> Block:
    return {"type": "header", "text": plain(clip(text, 150))}


def context(text: Text) -> Block:
    return {"type": "context", "elements": [md(clip(text, 3000))]}


def divider() -> Block:
    return {"type": "divider"}


def button(
    text: str, action_id: str, value: str | None = None, *, style: str | None = None
) -> Block:
    element: Block = {"type": "button", "text": plain(clip(text, 75)), "action_id": action_id}
    if value is not None:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def confirmed(element: Block, *, title: str, text: str, confirm: str, deny: str) -> Block:
    """The element with Slack's "are you sure?" dialog in front of it."""
    return {
        **element,
        "confirm": {
            "title": plain(title),
            "text": plain(text),
            "confirm": plain(confirm),
            "deny": plain(deny),
        },
    }


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"text": plain(clip(text, 75)), "value": value}
    if description:
        result["description"] = plain(clip(description, 75))
    return result


def options(pairs: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    return [option(text, value) for text, value in pairs]


def find_option(choices: Sequence[dict[str, Any]], value: object) -> dict[str, Any] | None:
    return next((o for o in choices if o["value"] == str(value)), None)


def input_block(
    block_id: str,
    label: str,
    element: Block,
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    element = {**element, "action_id": block_id}
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(clip(label, 2000)),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(clip(hint, 2000))
    return block


def text_input(
    *,
    initial: str | None = None,
    multiline: bool = False,
    max_length: int | None = None,
    placeholder: str | None = None,
) -> Block:
    element: Block = {"type": "plain_text_input", "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if max_length:
        element["max_length"] = max_length
    if placeholder:
        element["placeholder"] = plain(clip(placeholder, 150))
    return element


def number_input(*, initial: int | None, low: int, high: int) -> Block:
    element: Block = {
        "type": "number_input",
        "is_decimal_allowed": False,
        "min_value": str(low),
        "max_value": str(high),
    }
    if initial is not None:
        element["initial_value"] = str(initial)
    return element


def static_select(choices: list[dict[str, Any]], *, initial: object = None) -> Block:
    return _with_initial({"type": "static_select", "options": choices}, choices, initial)


def radio_buttons(choices: list[dict[str, Any]], *, initial: object = None) -> Block:
    return _with_initial({"type": "radio_buttons", "options": choices}, choices, initial)


def _with_initial(element: Block, choices: list[dict[str, Any]], initial: object) -> Block:
    chosen = find_option(choices, initial) if initial is not None else None
    if chosen:
        element["initial_option"] = chosen
    return element


def checkboxes(choices: list[dict[str, Any]], *, chosen: Sequence[dict[str, Any]] = ()) -> Block:
    return _multiple({"type": "checkboxes", "options": choices}, chosen)


def multi_select(choices: list[dict[str, Any]], *, chosen: Sequence[dict[str, Any]] = ()) -> Block:
    return _multiple({"type": "multi_static_select", "options": choices}, chosen)


def _multiple(element: Block, initial: Sequence[dict[str, Any]]) -> Block:
    if initial:
        element["initial_options"] = list(initial)
    return element


def date_picker(initial: date | None = None) -> Block:
    element: Block = {"type": "datepicker"}
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return element


def modal(
    callback_id: str,
    title: str,
    blocks: list[Block],
    *,
    submit: str | None = None,
    close: str = "Cancel",
    private_metadata: str = "",
) -> Block:
    view: Block = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(clip(title, 24)),
        "close": plain(clip(close, 24)),
        "blocks": blocks,
    }
    if submit:
        view["submit"] = plain(clip(submit, 24))
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def clip(text: _T, limit: int) -> _T:
    """Keep within a Slack length limit, marking the cut. Mrkdwn stays Mrkdwn, and is never
    cut inside a mention, link or entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if isinstance(cut, Mrkdwn):
        open_end = _OPEN_SEQUENCE.search(cut)
        if open_end:
            cut = cut[: open_end.start()]
    return cut + "…"  # type: ignore[return-value]


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 pair', '2 pairs'."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
