"""The executive sponsor's digest: **Ask the leads for more**, for the programme's sponsor only.
The sponsor is not a lead: this button is all they can do."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.flows.access import Click, button
from bot.flows.delivery import deliver_now
from bot.ids import Action
from bot.services import sponsors
from bot.views import sponsor as views


async def ask_clicked(click: Click) -> None:
    """The leads are told (once a month, however often it is pressed), then the sponsor."""
    done = await click.apply(sponsors.ask_leads, programme_id=click.number)
    await deliver_now(click.deps, done.keys)
    await click.reply(views.asked(done))


def register(app: AsyncApp) -> None:
    button(app.action(Action.ASK_LEADS))(ask_clicked)
