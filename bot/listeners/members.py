"""`user_change`: Slack tells the app when someone's account changes. Deactivated
(`deleted: true`) means they have left the workspace; re-activated, they are back. Recorded
for retention (services/members); their cached profile is dropped so the next users.info is
fresh. Slack's retry of the event is claimed by its id and changes nothing."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from bot.services import members
from bot.slack.members import seen_of
from bot.slack.routing import then

log = logging.getLogger(__name__)


async def user_change(deps: Deps, event: dict, context: dict) -> None:
    seen = seen_of(event.get("user"))
    team_id = context.get("team_id")
    if seen is None or not team_id:
        log.info("a user_change event without a user in it; nothing recorded")
        return
    async with deps.db.transaction() as session:
        await members.record(session, team_id=team_id, seen=[seen], now=deps.clock.now())
    for team in {team_id, context.get("workspace_id") or team_id}:
        deps.profiles.forget(team_id=team, user_id=seen.user_id)


def register(app: AsyncApp) -> None:
    then(app.event("user_change"))(user_change)
