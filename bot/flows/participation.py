"""Leaving a programme: the confirmation a participant is shown first."""

from __future__ import annotations

from bot.deps import Deps
from bot.models import ParticipantStatus
from bot.services import signup
from bot.slack.replies import Reply
from bot.views import signup as views


async def start_leave(deps: Deps, reply: Reply, *, team_id: str, user_id: str) -> None:
    async with deps.db.transaction() as session:
        mine = await signup.participations(session, team_id=team_id, user_id=user_id)
    active = [p for p in mine if p.status != ParticipantStatus.WITHDRAWN]
    if not active:
        await reply("You're not in any programme, so there is nothing to leave.")
    else:
        await reply("Leave a programme?", views.leave_confirmation(active))
