"""Who may run programmes: the one check every lead-only route makes, and the wrapper for
lead-only buttons whose value is an id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.listeners.replies import Reply
from bot.listeners.routing import then
from bot.services.people import is_lead
from bot.views import admin as admin_views


async def is_lead_user(deps: Deps, client: AsyncWebClient, *, team_id: str, user_id: str) -> bool:
    profile = await deps.profiles.get(client, team_id=team_id, user_id=user_id)
    return is_lead(profile, deps.settings.lead_user_ids)


async def lead_reply(
    deps: Deps, body: dict, client: AsyncWebClient, respond: AsyncRespond, team_id: str
) -> Reply | None:
    """A reply for the lead, or None after refusing someone who is not one."""
    user_id = body["user"]["id"]
    reply = Reply(client=client, user_id=user_id, respond=respond, body=body)
    if not await is_lead_user(deps, client, team_id=team_id, user_id=user_id):
        await reply(admin_views.NOT_A_LEAD)
        return None
    return reply


@dataclass(frozen=True)
class LeadClick:
    """A lead's press of a button whose value is an id, after the lead check."""

    reply: Reply
    client: AsyncWebClient
    team_id: str
    lead_id: str
    number: int
    trigger_id: str
    at: tuple[str, str] | None  # the message the button is in: (channel, ts)


LeadWork = Callable[[LeadClick], Awaitable[None]]


def lead_buttons(deps: Deps) -> Callable[[Callable[..., Any]], Callable[[LeadWork], LeadWork]]:
    """`@lead_button(app.action(...))`: anyone but a lead is refused, a bad value ignored."""

    def lead_button(route: Callable[..., Any]) -> Callable[[LeadWork], LeadWork]:
        def register_work(work: LeadWork) -> LeadWork:
            async def listener(
                action: dict,
                body: dict,
                client: AsyncWebClient,
                respond: AsyncRespond,
                context: dict,
            ) -> None:
                reply = await lead_reply(deps, body, client, respond, context["team_id"])
                value = action.get("value") or ""
                if reply is None or not value.isdigit():
                    return
                container = body.get("container") or {}
                at = None
                if container.get("channel_id") and container.get("message_ts"):
                    at = (container["channel_id"], container["message_ts"])
                await work(
                    LeadClick(
                        reply,
                        client,
                        context["team_id"],
                        body["user"]["id"],
                        int(value),
                        body.get("trigger_id", ""),
                        at,
                    )
                )

            listener.__name__ = work.__name__
            then(route)(listener)
            return work

        return register_work

    return lead_button
