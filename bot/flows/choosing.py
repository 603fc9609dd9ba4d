"""Mentees choosing their mentor, in Slack: the suggestions shown in place of the message whose
button was pressed, a request (and, when the mentor's last place has just gone, the next
suggestions at once), a mentor's private answer, and the gate on the lead's matching while
mentees still choose."""

from __future__ import annotations

from bot.deps import Deps
from bot.flows.access import Click, apply_rule
from bot.models import MatchingMode
from bot.services import audit
from bot.services.matching import choosing
from bot.services.programmes import get_programme
from bot.slack.replies import Reply
from bot.views import choosing as views
from bot.views.admin import STALE_BUTTON


async def show_suggestions(click: Click) -> None:
    """The mentee's suggestions for the programme the button names, in its place."""
    found = await click.apply(choosing.shortlist, programme_id=click.number)
    text, blocks = views.shortlist_message(found)
    await click.reply(text, blocks, replace_original=True)


async def ask_mentor(click: Click) -> None:
    """A mentee asks the mentor of a suggestion (`mentor:mentee` participant ids)."""
    mentee = click.value.partition(":")[2]
    if not mentee.isdigit():
        raise choosing.ChoosingError(STALE_BUTTON)
    try:
        done = await click.apply(
            choosing.request_mentor, mentor_id=click.number, mentee_id=int(mentee)
        )
    except choosing.MentorFull as full:
        found = await click.apply(choosing.shortlist, programme_id=full.programme_id)
        text, blocks = views.shortlist_message(found, note=views.mentor_taken(full.mentor_name))
        await click.reply(text, blocks, replace_original=True)
        return
    await click.reply(views.requested(done), replace_original=True)


async def answer(click: Click, *, accept: bool) -> None:
    """The mentor's answer, in place of the request."""
    done = await click.apply(choosing.answer_request, request_id=click.number, accept=accept)
    await click.reply(views.answered(done), replace_original=True)


async def may_match(
    deps: Deps, reply: Reply, *, team_id: str, lead_id: str, programme_id: int
) -> bool:
    """Whether the lead's matching may run now. While mentees choose: where they choose, the
    lead sees who is still without a partner and may close choosing (False); where both
    decide, matching closes choosing first (True)."""
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        programme = await get_programme(session, team_id=team_id, programme_id=programme_id)
        if programme is None or not choosing.choosing_open(programme):
            return True
        mode = programme.matching_mode
        if mode == MatchingMode.CHOOSE:
            standing = await choosing.standing(session, programme=programme)
            await audit.record(
                session,
                team_id=team_id,
                lead_id=lead_id,
                view=audit.View.CHOOSING,
                programme_id=programme_id,
                participant_ids=[pid for pid, _ in standing.without[: views.NAMES_SHOWN]],
                now=now,
            )
    if mode == MatchingMode.CHOOSE:
        text, blocks = views.standing_message(standing)
        await reply(text, blocks)
        return False
    closed = await apply_rule(
        deps, choosing.close_choosing, team_id=team_id, programme_id=programme_id
    )
    await reply(views.closed_summary(closed))
    return True
