"""A participant's preparation track: the one-tap "Mark done" on a lesson in their DM."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.flows.access import Click, button
from bot.ids import Action, matching
from bot.services import preparation
from bot.views import preparation as views


async def done_clicked(click: Click) -> None:
    """Marked done (again: it stays done) by the person it was sent to, in place of the
    button; anyone else's press is refused and changes nothing."""
    marked = await click.apply(preparation.mark_done, progress_id=click.number)
    if click.value.endswith(views.IN_A_LIST):  # one of several: the list stays as it was
        await click.reply(views.marked_line(marked))
        return
    text, blocks = views.lesson_marked(marked)
    await click.reply(text, blocks, replace_original=True)


def register(app: AsyncApp) -> None:
    button(app.action(matching(Action.LESSON_DONE)))(done_clicked)
