"""Asking for a no-fault re-match: the confirmation shown first."""

from __future__ import annotations

from bot.flows.access import Ask
from bot.services import checkins
from bot.views.support import rematch_confirmation


async def start_rematch(ask: Ask) -> None:
    mine = await ask.their_own(
        checkins.live_pairs_for,
        none="You are not in a confirmed pair, so there is nothing to re-match.",
    )
    if mine:
        await ask.reply("Ask for a new partner?", rematch_confirmation(mine, ask.user_id))
