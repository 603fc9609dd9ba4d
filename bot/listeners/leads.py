"""Who may run programmes: the one check every lead-only route makes."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.services.people import is_lead


async def is_lead_user(deps: Deps, client: AsyncWebClient, *, team_id: str, user_id: str) -> bool:
    profile = await deps.profiles.get(client, team_id=team_id, user_id=user_id)
    return is_lead(profile, deps.settings.lead_user_ids)
