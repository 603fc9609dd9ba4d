"""Read a submitted modal's state into plain values keyed by block id."""

from __future__ import annotations

from typing import Any


def form_values(view: dict[str, Any]) -> dict[str, Any]:
    """One plain value per input block: str, list[str] or None, whatever the element type."""
    result: dict[str, Any] = {}
    for block_id, elements in (view.get("state") or {}).get("values", {}).items():
        for element in elements.values():
            result[block_id] = _value(element)
    return result


def _value(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if kind in ("static_select", "radio_buttons", "external_select"):
        chosen = element.get("selected_option")
        return chosen["value"] if chosen else None
    if kind in ("multi_static_select", "checkboxes", "multi_external_select"):
        return [o["value"] for o in element.get("selected_options") or []]
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "multi_users_select":
        return element.get("selected_users") or []
    if kind == "conversations_select":
        return element.get("selected_conversation")
    if kind == "channels_select":
        return element.get("selected_channel")
    if kind == "datepicker":
        return element.get("selected_date")
    if kind == "timepicker":
        return element.get("selected_time")
    if kind == "datetimepicker":
        return element.get("selected_date_time")
    return element.get("value")
