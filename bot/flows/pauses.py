"""Opening the form that pauses a pair for a while."""

from __future__ import annotations

from bot.flows.access import Ask
from bot.services import checkins
from bot.views.support import pause_modal


async def start_pause(ask: Ask) -> None:
    mine = await ask.their_own(
        checkins.live_pairs_for,
        none="You are not in a confirmed pair, so there is nothing to pause.",
    )
    if mine:
        await ask.client.views_open(trigger_id=ask.trigger_id, view=pause_modal(mine, ask.user_id))
