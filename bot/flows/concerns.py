"""Opening the form that raises a concern with a programme's leads and supporter."""

from __future__ import annotations

from bot.flows.access import Ask
from bot.services import concerns
from bot.views import concerns as views

NOWHERE_TO_RAISE = (
    "Concerns go to a programme's leads, so you can raise one once you have joined a "
    "programme. Until then, talk to your manager or HR."
)


async def start_concern(ask: Ask) -> None:
    mine = await ask.their_own(concerns.concern_programmes, none=NOWHERE_TO_RAISE)
    if mine:
        await ask.client.views_open(trigger_id=ask.trigger_id, view=views.concern_modal(mine))
