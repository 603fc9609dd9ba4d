"""Opening the check-in form for a pair, and a person's open actions."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.models import Medium, Programme
from bot.services import agreements, checkins
from bot.services.pairs import PairError
from bot.slack.replies import Reply
from bot.views import checkins as views
from bot.views.mrkdwn import escape


async def start_checkin(
    deps: Deps,
    client: AsyncWebClient,
    reply: Reply,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    pair_id: int | None = None,
) -> None:
    """Open the form for the given pair, or the person's only pair, or ask which."""
    now = deps.clock.now()
    if pair_id is None:
        async with deps.db.transaction() as session:
            pairs = await checkins.live_pairs_for(session, team_id=team_id, user_id=user_id)
        if not pairs:
            await reply("You can log sessions once you're in a confirmed pair.")
            return
        if len(pairs) > 1:
            await reply("Which pair?", views.choose_pair(pairs, user_id))
            return
        pair_id = pairs[0].id
    try:
        async with deps.db.transaction() as session:
            pair, topics, _ = await checkins.form_start(
                session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
            )
            agreed = await agreements.in_force(session, pair_id=pair_id)
            programme = await session.get(Programme, pair.programme_id)
    except PairError as exc:
        await reply(escape(exc))
        return
    assert programme is not None
    minutes = agreed.session_minutes if agreed else programme.session_minutes
    medium = agreed.medium if agreed else programme.default_medium
    await client.views_open(
        trigger_id=trigger_id,
        view=views.checkin_modal(
            pair,
            user_id,
            topics=topics,
            today=now.date(),
            minutes=minutes,
            medium=medium if medium != Medium.ANY else Medium.VIDEO,
        ),
    )


async def show_actions(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, user_id: str
) -> None:
    async with deps.db.transaction() as session:
        pairs = await checkins.live_pairs_for(session, team_id=team_id, user_id=user_id)
        mine, theirs, partner = [], [], None
        for pair in pairs:
            open_actions = await checkins.actions_of(session, pair)
            mine += [a for a in open_actions if a.owner.user_id == user_id]
            me = pair.member(user_id)
            if me is not None and me.role.value == "mentor":
                partner = pair.other(user_id)
                theirs += [a for a in open_actions if a.owner.user_id == partner.user_id]
    await reply(
        "Your actions",
        views.actions_message(mine, theirs, today=deps.clock.now().date(), partner=partner),
    )
