"""Safe spaces in Slack: the channels are made when enrolment opens (or with
`/mentoring-admin spaces`), people are invited as they join and removed as they leave, and
member events undo hand-made changes that would let the wrong people in."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import Click, LeadClick, button, form_refusal, lead_button, number_in
from bot.flows.spaces import HARMLESS, ensure_spaces, invite, sync_members
from bot.ids import Action, Field, View
from bot.services import spaces
from bot.services.leads import programme_of_space
from bot.services.spaces import Space
from bot.slack.routing import FieldErrors, form, then
from bot.views import spaces as views
from bot.views.mrkdwn import join
from bot.views.state import form_values

log = logging.getLogger(__name__)

GONE = "That safe space is no longer there."


async def load(deps: Deps, space_id: int) -> Space | None:
    async with deps.db.transaction() as session:
        return await spaces.space_by_id(session, space_id=space_id)


async def clicked_space(click: LeadClick) -> Space | None:
    """The safe space a lead's button is for; None, after saying so, when it is gone."""
    space = await load(click.deps, click.number)
    if space is None:
        await click.reply(GONE)
    return space


async def retry_clicked(click: LeadClick) -> None:
    space = await clicked_space(click)
    if space is not None:
        lines = await ensure_spaces(
            click.deps, click.client, programme_id=space.programme_id, lead_id=click.lead_id
        )
        await click.reply(join("\n", lines))


async def pick_clicked(click: LeadClick) -> None:
    space = await clicked_space(click)
    if space is not None:
        await click.client.views_open(trigger_id=click.trigger_id, view=views.pick_modal(space))


async def check_pick(
    deps: Deps, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> tuple[str, str] | FieldErrors:
    refused = await form_refusal(
        deps,
        client,
        context,
        owner=programme_of_space,
        number=number_in(view.get("private_metadata")),
    )
    if refused:
        return FieldErrors({Field.CHANNEL: refused})
    channel = form_values(view).get(Field.CHANNEL)
    if not isinstance(channel, str):  # the input is required: Slack always sends one
        return FieldErrors({Field.CHANNEL: "Pick a channel."})
    try:
        info = await client.conversations_info(channel=channel)
    except SlackApiError as exc:
        error = exc.response.get("error", "")
        words = "The app cannot see that channel: invite it there first, then pick it again."
        if error != "channel_not_found":
            words = f"Slack says {error}; pick another channel."
        return FieldErrors({Field.CHANNEL: words})
    found = info["channel"]
    problem = None
    if found.get("is_archived"):
        problem = "That channel is archived; pick another."
    elif not found.get("is_private"):
        problem = "A safe space must be private; pick a private channel."
    if problem:
        return FieldErrors({Field.CHANNEL: problem})
    return (channel, found.get("name", ""))


async def pick_submitted(
    deps: Deps,
    checked: tuple[str, str],
    body: dict,
    view: dict,
    client: AsyncWebClient,
    context: dict,
) -> None:
    raw = view.get("private_metadata") or ""
    if not raw.isdigit():
        return
    channel, name = checked
    # An org's programme: the channel is in the workspace the lead picked it in.
    workspace = context.get("workspace_id")
    workspace_id = workspace if workspace != context["team_id"] else None
    async with deps.db.transaction() as session:
        await spaces.record(
            session, space_id=int(raw), channel_id=channel, name=name, workspace_id=workspace_id
        )
    space = await load(deps, int(raw))
    assert space is not None
    await sync_members(deps, client, space)
    await client.chat_postMessage(channel=body["user"]["id"], text=views.ready(space, channel))


async def member_joined(deps: Deps, event: dict, client: AsyncWebClient, context: dict) -> None:
    user, channel = event.get("user", ""), event.get("channel", "")
    if user == context.get("bot_user_id"):
        return
    async with deps.db.transaction() as session:
        space = await spaces.space_for_channel(session, channel_id=channel)
        wanted = await spaces.members(session, space=space) if space else set()
    if space is None or user in wanted:
        return
    try:
        await client.conversations_kick(channel=channel, user=user)
    except SlackApiError as exc:
        if exc.response.get("error") not in HARMLESS:
            log.warning("could not undo a manual add: %s", exc.response.get("error"))
            return
    inviter = event.get("inviter")
    if inviter and inviter != context.get("bot_user_id"):
        await client.chat_postMessage(channel=inviter, text=views.removed_note(space, user))


async def member_left(deps: Deps, event: dict, client: AsyncWebClient, context: dict) -> None:
    user, channel = event.get("user", ""), event.get("channel", "")
    async with deps.db.transaction() as session:
        space = await spaces.space_for_channel(session, channel_id=channel)
        wanted = await spaces.members(session, space=space) if space else set()
    if space is None or user not in wanted:
        return  # not a safe space, or someone who has left the programme
    text, blocks = views.left_note(space)
    await client.chat_postMessage(channel=user, text=text, blocks=blocks)


async def rejoin_clicked(click: Click) -> None:
    space = await load(click.deps, click.number)
    if space is None or not space.channel_id:
        await click.reply(GONE)
        return
    async with click.deps.db.transaction() as session:
        wanted = await spaces.members(session, space=space)
    if click.user_id not in wanted:
        await click.reply("That safe space is for the programme's participants on that side only.")
        return
    await invite(click.deps, click.client, space, [click.user_id])
    await click.reply(views.welcome_back(space))


def register(app: AsyncApp) -> None:
    lead_button(app.action(Action.SPACE_RETRY), owner=programme_of_space)(retry_clicked)
    lead_button(app.action(Action.SPACE_PICK), owner=programme_of_space)(pick_clicked)
    form(app.view(View.SPACE_CHANNEL), check=check_pick)(pick_submitted)
    then(app.event("member_joined_channel"))(member_joined)
    then(app.event("member_left_channel"))(member_left)
    button(app.action(Action.SPACE_REJOIN), stale=GONE)(rejoin_clicked)
