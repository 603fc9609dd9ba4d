"""App Home: published when opened and whenever something the person sees there changes."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.home import publish_home
from bot.slack.routing import then


async def home_opened(
    deps: Deps, event: dict, body: dict, context: dict, client: AsyncWebClient
) -> None:
    if event.get("tab", "home") != "home":
        return
    await publish_home(deps, client, team_id=context["team_id"], user_id=event["user"])


def register(app: AsyncApp) -> None:
    then(app.event("app_home_opened"))(home_opened)
