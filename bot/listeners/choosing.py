"""Mentees choosing their mentor: see the suggestions, ask one; the mentor accepts or declines;
a lead closes choosing and matches whoever is left. The services check who acts on what."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.flows import choosing
from bot.flows.access import Click, LeadClick, button, lead_button
from bot.flows.matching import match_for
from bot.ids import Action, matching
from bot.services.leads import programme_of_programme
from bot.services.matching.choosing import close_choosing
from bot.views import choosing as views


async def accept_clicked(click: Click) -> None:
    await choosing.answer(click, accept=True)


async def decline_clicked(click: Click) -> None:
    await choosing.answer(click, accept=False)


async def close_clicked(click: LeadClick) -> None:
    closed = await click.apply(close_choosing, programme_id=click.programme_id)
    await click.reply(views.closed_summary(closed))
    await match_for(click, click.programme_id)


def register(app: AsyncApp) -> None:
    button(app.action(Action.SEE_SUGGESTIONS))(choosing.show_suggestions)
    button(app.action(matching(Action.REQUEST_MENTOR)))(choosing.ask_mentor)
    button(app.action(Action.ACCEPT_REQUEST))(accept_clicked)
    button(app.action(Action.DECLINE_REQUEST))(decline_clicked)
    lead_button(app.action(matching(Action.CLOSE_CHOOSING)), owner=programme_of_programme)(
        close_clicked
    )
