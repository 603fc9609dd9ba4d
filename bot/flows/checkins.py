"""Opening the check-in form for a pair, and a person's open actions."""

from __future__ import annotations

from bot.flows.access import Ask
from bot.models import Medium, Programme
from bot.services import agreements, checkins
from bot.services.pairs import PairError
from bot.views import checkins as views
from bot.views.mrkdwn import escape


async def start_checkin(ask: Ask) -> None:
    """Open the form for the pair asked for, or the person's only pair, or ask which."""
    deps, reply, team_id, user_id = ask.deps, ask.reply, ask.team_id, ask.user_id
    now = deps.clock.now()
    pair_id = ask.number
    if pair_id is None:
        pairs = await ask.their_own(
            checkins.live_pairs_for, none="You can log sessions once you're in a confirmed pair."
        )
        if len(pairs) > 1:
            await reply("Which pair?", views.choose_pair(pairs, user_id))
        if len(pairs) != 1:
            return
        pair_id = pairs[0].id
    try:
        async with deps.db.transaction() as session:
            pair, topics, _ = await checkins.form_start(
                session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
            )
            suggested = await checkins.next_session_times(session, pair=pair, now=now)
            agreed = await agreements.in_force(session, pair_id=pair_id)
            programme = await session.get(Programme, pair.programme_id)
    except PairError as exc:
        await reply(escape(exc))
        return
    assert programme is not None
    minutes = agreed.session_minutes if agreed else programme.session_minutes
    medium = agreed.medium if agreed else programme.default_medium
    await ask.client.views_open(
        trigger_id=ask.trigger_id,
        view=views.checkin_modal(
            pair,
            user_id,
            topics=topics,
            today=now.date(),
            minutes=minutes,
            medium=medium if medium != Medium.ANY else Medium.VIDEO,
            suggested=suggested,
        ),
    )


async def show_actions(ask: Ask) -> None:
    user_id = ask.user_id
    async with ask.deps.db.transaction() as session:
        pairs = await checkins.live_pairs_for(session, team_id=ask.team_id, user_id=user_id)
        mine, theirs, partner = [], [], None
        for pair in pairs:
            open_actions = await checkins.actions_of(session, pair)
            mine += [a for a in open_actions if a.owner.user_id == user_id]
            me = pair.member(user_id)
            if me is not None and me.role.value == "mentor":
                partner = pair.other(user_id)
                theirs += [a for a in open_actions if a.owner.user_id == partner.user_id]
    await ask.reply(
        "Your actions",
        views.actions_message(mine, theirs, today=ask.deps.clock.now().date(), partner=partner),
    )
