"""App Home: published when opened and whenever something the person sees there changes."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.services import programmes, signup
from bot.services.people import is_lead
from bot.views.home import home_view


async def publish_home(deps: Deps, client: AsyncWebClient, *, team_id: str, user_id: str) -> None:
    profile = await deps.profiles.get(client, team_id=team_id, user_id=user_id)
    lead = is_lead(profile, deps.settings.lead_user_ids)
    today = deps.clock.now().date()
    async with deps.db.transaction() as session:
        mine = await signup.participations(session, team_id=team_id, user_id=user_id)
        open_count = len(await signup.open_programmes(session, team_id=team_id, today=today))
        led = (
            await programmes.summaries(session, team_id=team_id, lead_id=user_id) if lead else None
        )
    view = home_view(participations=mine, open_programme_count=open_count, lead_programmes=led)
    await client.views_publish(user_id=user_id, view=view)


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict, context: dict, client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        await publish_home(deps, client, team_id=context["team_id"], user_id=event["user"])
