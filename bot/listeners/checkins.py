"""Logging sessions (command, shortcut or button), rating them, and closing actions."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import Click, apply_as_sender, button, like_its_word
from bot.flows.calendar import share_calendar
from bot.flows.checkins import show_actions, start_checkin
from bot.flows.delivery import deliver_now
from bot.flows.home import publish_home
from bot.flows.scheduled import hold, withdraw_scheduled
from bot.ids import Action, Shortcut, View, matching
from bot.models import Programme
from bot.services import checkins
from bot.services.checkins import CheckinInput, Logged
from bot.services.pairs import PairError, load_pair
from bot.services.programme_rules import FormErrors
from bot.slack.routing import form
from bot.views import checkins as views
from bot.views.admin import STALE_BUTTON
from bot.views.mrkdwn import mrkdwn
from bot.views.state import form_values
from bot.views.when import slack_date


async def check_form(
    deps: Deps, view: dict, team_id: str
) -> tuple[int, CheckinInput] | dict[str, str]:
    raw = view.get("private_metadata") or ""
    if not raw.isdigit():
        return {"held_on": "This form is out of date; open it again."}
    async with deps.db.transaction() as session:
        found = await load_pair(session, team_id=team_id, pair_id=int(raw))
        pair = found[0] if found is not None else None
        if pair is None or pair.confirmed_at is None:
            return {"held_on": "This pair is not confirmed."}
        programme = await session.get(Programme, pair.programme_id)
        confirmed_on = pair.confirmed_at.date()
    assert programme is not None
    now = deps.clock.now()
    checked = checkins.validate_checkin(
        form_values(view),
        now=now,
        today=now.date(),
        confirmed_on=confirmed_on,
        offered_topics=programme.topics,
    )
    return checked.errors if isinstance(checked, FormErrors) else (int(raw), checked)


async def checkin_submitted(
    deps: Deps,
    checked: tuple[int, CheckinInput],
    body: dict,
    client: AsyncWebClient,
    context: dict,
) -> None:
    pair_id, data = checked
    user_id, team_id = body["user"]["id"], context["team_id"]
    logged = await apply_as_sender(deps, context, checkins.log_session, pair_id=pair_id, data=data)
    await withdraw_scheduled(client, logged.cancelled)
    text, blocks = views.logged_message(logged, now=deps.clock.now())
    await client.chat_postMessage(
        channel=logged.pair.conversation_id or user_id, text=text, blocks=blocks
    )
    await share_calendar(client, [logged.calendar])
    other = logged.pair.other(user_id)
    text, blocks = views.rate_prompt(logged)
    await client.chat_postMessage(channel=other.user_id, text=text, blocks=blocks)
    await deliver_now(deps, logged.asked)  # each one's balance question, in their own DM
    await schedule_reminders(deps, client, logged)
    # The Home of who logged it; the other sees the session when they next open theirs.
    await publish_home(deps, client, team_id=team_id, user_id=user_id)


async def schedule_reminders(deps: Deps, client: AsyncWebClient, logged: Logged) -> None:
    for planned in logged.planned:
        member = logged.pair.member(planned.channel)
        assert member is not None and logged.next_session_at is not None
        text = views.next_session_reminder(logged.pair, member, slack_date(logged.next_session_at))
        await hold(deps, client, planned, text)


async def rated(click: Click) -> None:
    rating = click.value.partition(":")[2]
    if not rating.isdigit():
        raise PairError(STALE_BUTTON)
    held_on = await click.apply(checkins.rate, session_id=click.number, rating=int(rating))
    await click.reply(
        mrkdwn(
            "Thanks: you rated the session of {day:%a %d %b} {rating} out of 5.",
            day=held_on,
            rating=rating,
        ),
        replace_original=True,
    )


async def close(click: Click, *, done: bool) -> None:
    closed = await click.apply(checkins.close_action, action_id=click.number, done=done)
    await click.reply(mrkdwn("“{text}” is {status}.", text=closed.text, status=closed.status.value))
    await publish_home(click.deps, click.client, team_id=click.team_id, user_id=click.user_id)


async def done_clicked(click: Click) -> None:
    await close(click, done=True)


async def drop_clicked(click: Click) -> None:
    await close(click, done=False)


def register(app: AsyncApp) -> None:
    like_its_word(app.shortcut(Shortcut.LOG_SESSION), start_checkin)
    like_its_word(app.action(matching(Action.LOG_SESSION)), start_checkin)
    form(app.view(View.CHECKIN), check=check_form, tells_refusals=True)(checkin_submitted)
    button(app.action(matching(Action.RATE_SESSION)))(rated)
    like_its_word(app.action(Action.MY_ACTIONS), show_actions)
    button(app.action(matching(Action.ACTION_DONE)))(done_clicked)
    button(app.action(matching(Action.ACTION_DROP)))(drop_clicked)
