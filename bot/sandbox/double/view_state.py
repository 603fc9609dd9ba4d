"""The `state.values` Slack sends with interactions: each stateful element's current value,
in the exact shape Slack uses for that element type."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from bot.sandbox.double.block_kit import block_elements

# Element type -> the key its value is under in state.values and in block_actions.
STATE_KEYS = {
    "plain_text_input": "value",
    "number_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "static_select": "selected_option",
    "external_select": "selected_option",
    "radio_buttons": "selected_option",
    "multi_static_select": "selected_options",
    "multi_external_select": "selected_options",
    "checkboxes": "selected_options",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
    "rich_text_input": "rich_text_value",
    "file_input": "files",
}

# State key -> the element field holding its initial value.
INITIAL_FIELDS = {
    "value": "initial_value",
    "selected_option": "initial_option",
    "selected_options": "initial_options",
    "selected_user": "initial_user",
    "selected_users": "initial_users",
    "selected_conversation": "initial_conversation",
    "selected_conversations": "initial_conversations",
    "selected_channel": "initial_channel",
    "selected_channels": "initial_channels",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_date_time": "initial_date_time",
    "rich_text_value": "initial_value",
}

LIST_KEYS = frozenset(
    {
        "selected_options",
        "selected_users",
        "selected_conversations",
        "selected_channels",
        "files",
    }
)


class Missing:
    """No value given for an element: it keeps its initial value."""


MISSING = Missing()


@dataclass(frozen=True)
class StatefulElement:
    block: dict[str, Any]
    element: dict[str, Any]

    @property
    def block_id(self) -> str:
        return self.block["block_id"]

    @property
    def action_id(self) -> str:
        return self.element["action_id"]

    @property
    def where(self) -> str:
        return f"block {self.block_id!r} / action {self.action_id!r} ({self.element['type']})"


def stateful_elements(blocks: list[dict[str, Any]]) -> Iterator[StatefulElement]:
    for block in blocks:
        for _, element in block_elements(block):
            if element.get("type") in STATE_KEYS:
                yield StatefulElement(block, element)


def _all_options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


class ValueChecker:
    """Turns the plain values a test gives into Slack's state entries, refusing values the
    element could not have produced."""

    def __init__(self, users: Collection[str], channels: Collection[str]) -> None:
        self.users = users
        self.channels = channels

    def _option(self, item: StatefulElement, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            value = value.get("value")
        options = _all_options(item.element)
        if not options and item.element["type"] in ("external_select", "multi_external_select"):
            # External selects load options from the app; any value is one it could offer.
            return {
                "text": {"type": "plain_text", "text": str(value), "emoji": True},
                "value": str(value),
            }
        for option in options:
            if option.get("value") == value:
                return copy.deepcopy(option)
        known = [o.get("value") for o in options]
        raise ValueError(f"{item.where}: option value {value!r} is not one of {known}")

    def _known(self, item: StatefulElement, value: Any, known: Collection[str], kind: str) -> str:
        if not isinstance(value, str) or value not in known:
            raise ValueError(f"{item.where}: {value!r} is not a {kind} of the workspace")
        return value

    def convert(self, item: StatefulElement, key: str, value: Any) -> Any:
        many = value if isinstance(value, list | tuple) else [value]
        kind = item.element["type"]
        if key == "value":
            text = str(value)
            if kind == "number_input":
                try:
                    float(text)
                except ValueError as exc:
                    raise ValueError(f"{item.where}: {value!r} is not a number") from exc
            return text
        if key == "selected_option":
            return self._option(item, value)
        if key == "selected_options":
            return [self._option(item, v) for v in many]
        if key == "selected_user":
            return self._known(item, value, self.users, "user")
        if key == "selected_users":
            return [self._known(item, v, self.users, "user") for v in many]
        if key in ("selected_conversation", "selected_channel"):
            return self._known(item, value, self.channels, "conversation")
        if key in ("selected_conversations", "selected_channels"):
            return [self._known(item, v, self.channels, "conversation") for v in many]
        if key == "selected_date":
            try:
                dt.date.fromisoformat(str(value))
            except ValueError as exc:
                raise ValueError(f"{item.where}: {value!r} is not a YYYY-MM-DD date") from exc
            return str(value)
        if key == "selected_time":
            try:
                dt.datetime.strptime(str(value), "%H:%M")
            except ValueError as exc:
                raise ValueError(f"{item.where}: {value!r} is not an HH:MM time") from exc
            return str(value)
        if key == "selected_date_time":
            return int(value)
        if key == "rich_text_value" and isinstance(value, str):
            return {
                "type": "rich_text",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": value}]}
                ],
            }
        return copy.deepcopy(value)

    def entry(self, item: StatefulElement, given: Any = MISSING) -> dict[str, Any]:
        """The element's state entry: the given value, else its initial value, else empty."""
        key = STATE_KEYS[item.element["type"]]
        if not isinstance(given, Missing):
            value = self.convert(item, key, given)
        elif INITIAL_FIELDS.get(key) in item.element:
            value = copy.deepcopy(item.element[INITIAL_FIELDS[key]])
        else:
            value = [] if key in LIST_KEYS else None
        return {"type": item.element["type"], key: value}


def match_values(
    items: list[StatefulElement], values: dict[str, Any]
) -> dict[tuple[str, str], Any]:
    """Which element each given value is for; keys are block_ids or action_ids."""
    matched: dict[tuple[str, str], Any] = {}
    for key, value in values.items():
        by_block = [i for i in items if i.block_id == key]
        by_action = [i for i in items if i.action_id == key]
        candidates = by_block or by_action
        if not candidates:
            known = sorted({i.block_id for i in items} | {i.action_id for i in items})
            raise ValueError(f"{key!r} is no block_id or action_id of an input; known: {known}")
        if len(candidates) > 1:
            raise ValueError(f"{key!r} names several elements; use their action_ids")
        item = candidates[0]
        matched[(item.block_id, item.action_id)] = value
    return matched


def _is_empty(entry: dict[str, Any]) -> bool:
    value = next(v for k, v in entry.items() if k != "type")
    return value is None or value == "" or value == []


def state_values(
    blocks: list[dict[str, Any]],
    checker: ValueChecker,
    given: dict[tuple[str, str], Any],
    *,
    require_inputs: bool = False,
) -> dict[str, dict[str, Any]]:
    """`state.values` for `blocks`: the `given` values (keyed by (block_id, action_id)) over
    the initial values.

    With `require_inputs`, an input block that is not `optional` and ends up empty is an
    error: Slack's client would not let the user submit the form.
    """
    state: dict[str, dict[str, Any]] = {}
    for item in stateful_elements(blocks):
        entry = checker.entry(item, given.get((item.block_id, item.action_id), MISSING))
        state.setdefault(item.block_id, {})[item.action_id] = entry
        required = item.block.get("type") == "input" and not item.block.get("optional")
        if require_inputs and required and _is_empty(entry):
            raise ValueError(
                f"{item.where} is a required input with no value; Slack would not submit"
            )
    return state
