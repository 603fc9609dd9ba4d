"""Bodies of the requests Slack sends to an app: slash commands, interactions, events.

Shapes follow Slack's recorded payloads (payload-samples in the Slack contracts). A workspace
of an Enterprise Grid org adds its `enterprise_id`; with the app installed org-wide,
`is_enterprise_install` is true and an event's authorization names the org, not the team.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from bot.sandbox.double.slack_objects import public_view
from bot.sandbox.double.view_state import STATE_KEYS, Missing, StatefulElement, ValueChecker
from bot.sandbox.double.workspace import Channel, Workspace


@dataclass(frozen=True)
class Actor:
    """Who an interaction comes from: a user of the workspace, with the app's legacy token."""

    ws: Workspace
    token: str
    user_id: str


def team_part(ws: Workspace) -> dict[str, Any]:
    part = {"id": ws.team_id, "domain": ws.domain}
    if ws.enterprise_id:
        part.update(enterprise_id=ws.enterprise_id, enterprise_name=ws.enterprise_name)
    return part


def enterprise_part(ws: Workspace) -> dict[str, Any] | None:
    return {"id": ws.enterprise_id, "name": ws.enterprise_name} if ws.enterprise_id else None


def user_part(ws: Workspace, user_id: str) -> dict[str, Any]:
    user = ws.users.get(user_id)
    name = user.name if user else user_id
    return {"id": user_id, "username": name, "name": name, "team_id": ws.team_id}


def channel_name(channel: Channel | None) -> str:
    if channel is None:
        return ""
    if channel.is_im:
        return "directmessage"
    return channel.name


def view_with_state(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    shown = copy.deepcopy(public_view(view))
    shown["state"] = {"values": values}
    return shown


def slash_command_form(
    ws: Workspace,
    *,
    token: str,
    user_id: str,
    command: str,
    text: str,
    channel_id: str,
    channel: Channel | None,
    trigger_id: str,
    response_url: str,
) -> dict[str, str]:
    org = {"enterprise_id": ws.enterprise_id, "enterprise_name": ws.enterprise_name}
    return {
        "token": token,
        "team_id": ws.team_id,
        "team_domain": ws.domain,
        **(org if ws.enterprise_id else {}),
        "channel_id": channel_id,
        "channel_name": channel_name(channel),
        "user_id": user_id,
        "user_name": user_part(ws, user_id)["username"],
        "command": command,
        "text": text,
        "api_app_id": ws.app_id,
        "is_enterprise_install": "true" if ws.org_installed else "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def _interaction(actor: Actor, kind: str) -> dict[str, Any]:
    ws = actor.ws
    return {
        "type": kind,
        "user": user_part(ws, actor.user_id),
        "api_app_id": ws.app_id,
        "token": actor.token,
        "team": team_part(ws),
        "enterprise": enterprise_part(ws),
        "is_enterprise_install": ws.org_installed,
    }


def block_actions_payload(
    actor: Actor,
    *,
    trigger_id: str,
    action: dict[str, Any],
    container: dict[str, Any],
    state: dict[str, Any],
    view: dict[str, Any] | None = None,
    message: dict[str, Any] | None = None,
    channel: Channel | None = None,
    response_url: str | None = None,
) -> dict[str, Any]:
    payload = _interaction(actor, "block_actions")
    payload.update(container=container, trigger_id=trigger_id)
    if channel is not None:
        payload["channel"] = {"id": channel.id, "name": channel_name(channel)}
    if message is not None:
        payload["message"] = {k: v for k, v in message.items() if k != "channel"}
    if view is not None:
        # In views the state travels inside the view.
        payload["view"] = view
    else:
        payload["state"] = {"values": state}
    if response_url is not None:
        payload["response_url"] = response_url
    payload["actions"] = [action]
    return payload


def view_submission_payload(
    actor: Actor, *, trigger_id: str, view: dict[str, Any]
) -> dict[str, Any]:
    payload = _interaction(actor, "view_submission")
    payload.update(trigger_id=trigger_id, view=view, response_urls=[])
    return payload


def view_closed_payload(actor: Actor, *, view: dict[str, Any], is_cleared: bool) -> dict[str, Any]:
    payload = _interaction(actor, "view_closed")
    payload.update(view=view, is_cleared=is_cleared)
    return payload


def shortcut_payload(
    actor: Actor,
    *,
    callback_id: str,
    trigger_id: str,
    action_ts: str,
    message: dict[str, Any] | None = None,
    channel: Channel | None = None,
    response_url: str | None = None,
) -> dict[str, Any]:
    """A global shortcut's payload or, given the message it was used on (with its channel
    and a response URL), a message shortcut's."""
    payload = _interaction(actor, "shortcut" if message is None else "message_action")
    if message is None:
        # Slack's recorded global shortcut names the user by username only.
        payload["user"] = {k: v for k, v in payload["user"].items() if k != "name"}
    payload.update(callback_id=callback_id, trigger_id=trigger_id, action_ts=action_ts)
    if message is not None:
        assert channel is not None and response_url is not None
        payload.update(
            message_ts=message["ts"],
            channel={"id": channel.id, "name": channel_name(channel)},
            message={k: v for k, v in message.items() if k != "channel"},
            response_url=response_url,
        )
    return payload


def event_envelope(
    ws: Workspace, event: dict[str, Any], *, token: str, event_id: str, event_time: int
) -> dict[str, Any]:
    return {
        "token": token,
        **({"enterprise_id": ws.enterprise_id} if ws.enterprise_id else {}),
        "team_id": ws.team_id,
        "api_app_id": ws.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": ws.enterprise_id,
                # An org-wide install is authorised for the org, in no one workspace.
                "team_id": None if ws.org_installed else ws.team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": ws.org_installed,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event_id}",
    }


def action_entry(
    checker: ValueChecker,
    block: dict[str, Any],
    element: dict[str, Any],
    given: Any,
    *,
    action_ts: str,
) -> dict[str, Any]:
    """One entry of a block_actions payload's `actions` for the element the user used."""
    action: dict[str, Any] = {
        "type": element["type"],
        "action_id": element["action_id"],
        "block_id": block["block_id"],
        "action_ts": action_ts,
    }
    kind = element["type"]
    item = StatefulElement(block, element)
    if kind in ("button", "workflow_button"):
        action["text"] = copy.deepcopy(element.get("text"))
        value = element.get("value") if isinstance(given, Missing) else given
        if value is not None:
            action["value"] = value
        if element.get("style"):
            action["style"] = element["style"]
    elif kind == "overflow":
        if isinstance(given, Missing):
            raise ValueError(f"{item.where}: give the value of the overflow option chosen")
        action["selected_option"] = checker.convert(item, "selected_option", given)
    elif kind in STATE_KEYS:
        action.update(checker.entry(item, given))
    return action
