"""Answering the balance question (who did most of the teaching in a session) from one's own
DM. The services check that the presser is the person asked, in that pair and that session,
and that the question is still open; a drift the answer completes is told to each at once."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.flows.access import Click, button
from bot.flows.delivery import deliver_now
from bot.ids import Action, matching
from bot.models import Taught
from bot.services import balance
from bot.services.pairs import PairError
from bot.views import balance as views
from bot.views.admin import STALE_BUTTON

ANSWERS = {t.value: t for t in Taught}


async def balance_answered(click: Click) -> None:
    """The value is `session:participant:answer`, as the question was sent."""
    _, participant, answer = [*click.value.split(":"), "", ""][:3]
    if not participant.isdigit() or answer not in ANSWERS:
        raise PairError(STALE_BUTTON)
    done = await click.apply(
        balance.answer,
        session_id=click.number,
        participant_id=int(participant),
        taught=ANSWERS[answer],
    )
    text, blocks = views.answered(done)
    await click.reply(text, blocks, replace_original=True)
    await deliver_now(click.deps, done.queued)


def register(app: AsyncApp) -> None:
    button(app.action(matching(Action.BALANCE_ANSWER)))(balance_answered)
