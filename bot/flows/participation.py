"""Leaving a programme: the confirmation a participant is shown first."""

from __future__ import annotations

from bot.flows.access import Ask
from bot.models import ParticipantStatus
from bot.services import signup
from bot.views import signup as views


async def start_leave(ask: Ask) -> None:
    async with ask.deps.db.transaction() as session:
        mine = await signup.participations(session, team_id=ask.team_id, user_id=ask.user_id)
    active = [p for p in mine if p.status != ParticipantStatus.WITHDRAWN]
    if not active:
        await ask.reply("You're not in any programme, so there is nothing to leave.")
    else:
        await ask.reply("Leave a programme?", views.leave_confirmation(active))
