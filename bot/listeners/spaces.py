"""Safe spaces in Slack: the channels are made when enrolment opens (or with
`/mentoring-admin spaces`), people are invited as they join and removed as they leave, and
member events undo hand-made changes that would let the wrong people in."""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.ids import Action, Field, View
from bot.listeners.leads import LeadClick, form_refusal, lead_buttons, number_in
from bot.listeners.replies import Reply
from bot.listeners.routing import then
from bot.models import Programme
from bot.services import resources, spaces
from bot.services.leads import lead_ids, programme_of_space
from bot.services.programmes import find_programmes
from bot.services.spaces import Space
from bot.views import spaces as views
from bot.views.mrkdwn import Mrkdwn, join, mrkdwn
from bot.views.outbound import render
from bot.views.state import form_values

log = logging.getLogger(__name__)

INVITE_BATCH = 1000  # conversations.invite takes at most 1,000 users at once
HARMLESS = {"already_in_channel", "not_in_channel", "cant_invite_self"}
# The channel itself is gone for the app: the space needs another.
LOST = {"is_archived", "channel_not_found", "not_in_channel"}  # not_in_channel: the app left


async def ensure_spaces(
    deps: Deps, client: AsyncWebClient, *, programme_id: int, lead_id: str
) -> list[Mrkdwn]:
    """Create what is missing and bring members up to date; returns one line per space."""
    async with deps.db.transaction() as session:
        programme = await session.get(Programme, programme_id)
        assert programme is not None
        planned = await spaces.spaces_of(session, programme=programme, now=deps.clock.now())
    lines: list[Mrkdwn] = []
    for space in planned:
        if space.channel_id is None:
            try:
                made = await client.conversations_create(name=space.name, is_private=True)
            except SlackApiError as exc:
                error = exc.response.get("error", "unknown")
                async with deps.db.transaction() as session:
                    await spaces.record(session, space_id=space.id, error=error)
                text, blocks = views.failed(space, error)
                await client.chat_postMessage(channel=lead_id, text=text, blocks=blocks)
                lines.append(text)
                continue
            async with deps.db.transaction() as session:
                await spaces.record(session, space_id=space.id, channel_id=made["channel"]["id"])
            space = replace(space, channel_id=made["channel"]["id"], last_error=None)
        await sync_members(deps, client, space)
        assert space.channel_id is not None
        lines.append(views.ready(space, space.channel_id))
    return lines


async def sync_members(deps: Deps, client: AsyncWebClient, space: Space) -> None:
    """Invite everyone who belongs and is not in yet (never removes: see member events)."""
    assert space.channel_id is not None
    async with deps.db.transaction() as session:
        wanted = await spaces.members(session, space=space)
    present: set[str] = set()
    cursor = None
    while True:
        page = await client.conversations_members(channel=space.channel_id, cursor=cursor)
        present |= set(page["members"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    missing = sorted(wanted - present)
    for start in range(0, len(missing), INVITE_BATCH):
        await _invite(deps, client, space, missing[start : start + INVITE_BATCH])


async def _invite(deps: Deps, client: AsyncWebClient, space: Space, users: list[str]) -> None:
    try:
        await client.conversations_invite(channel=space.channel_id, users=",".join(users))
    except SlackApiError as exc:
        error = exc.response.get("error", "")
        if error in LOST:
            await _lost(deps, client, space, error)
        elif error not in HARMLESS:
            log.warning("could not invite to safe space %s: %s", space.id, error)


async def _lost(deps: Deps, client: AsyncWebClient, space: Space, error: str) -> None:
    """The channel went away under us: the leads hear it, with the same ways to fix it."""
    async with deps.db.transaction() as session:
        await spaces.lose(session, space_id=space.id, error=error)
        leads = await lead_ids(session, programme_id=space.programme_id, with_supporter=True)
    text, blocks = views.failed(space, error)
    for lead in leads:
        await client.chat_postMessage(channel=lead, text=text, blocks=blocks)


async def join_spaces(
    deps: Deps, client: AsyncWebClient, *, team_id: str, programme_id: int, user_id: str
) -> None:
    """A new participant joins their side's channel, if it exists, and gets the starter set
    (the caller calls this once, for a first sign-up)."""
    async with deps.db.transaction() as session:
        theirs = await spaces.spaces_of_person(
            session, team_id=team_id, programme_id=programme_id, user_id=user_id
        )
        programme = await session.get(Programme, programme_id)
    for space in theirs:
        if space.channel_id and programme is not None:
            await _invite(deps, client, space, [user_id])
            welcome = resources.starter_message(
                programme, user_id=user_id, channel_id=space.channel_id, side=space.side
            )
            text, blocks = render(welcome.kind, welcome.params)
            await client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


async def leave_spaces(
    deps: Deps, client: AsyncWebClient, *, team_id: str, programme_id: int, user_id: str
) -> None:
    async with deps.db.transaction() as session:
        theirs = await spaces.spaces_of_person(
            session, team_id=team_id, programme_id=programme_id, user_id=user_id
        )
    await remove_from(client, theirs, user_id)


async def remove_from(client: AsyncWebClient, theirs: list[Space], user_id: str) -> None:
    for space in theirs:
        if space.channel_id:
            try:
                await client.conversations_kick(channel=space.channel_id, user=user_id)
            except SlackApiError as exc:
                if exc.response.get("error") not in HARMLESS:
                    log.warning("could not remove from safe space: %s", exc.response.get("error"))


async def spaces_command(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, lead_id: str, name: str
) -> None:
    async with deps.db.transaction() as session:
        found = await find_programmes(
            session, team_id=team_id, name=name or None, lead_id=lead_id
        )
    if len(found) != 1:
        named = join(", ", (mrkdwn("“{name}”", name=p.name) for p in found)) or "none yet"
        await reply(
            mrkdwn("Which programme? `/mentoring-admin spaces NAME` ({named}).", named=named)
        )
        return
    lines = await ensure_spaces(deps, client, programme_id=found[0].id, lead_id=lead_id)
    await reply(join("\n", lines))


def register(app: AsyncApp, deps: Deps) -> None:
    lead_button = lead_buttons(deps)

    async def load(space_id: int) -> Space | None:
        async with deps.db.transaction() as session:
            return await spaces.space_by_id(session, space_id=space_id)

    @lead_button(app.action(Action.SPACE_RETRY), owner=programme_of_space)
    async def retry_clicked(click: LeadClick) -> None:
        space = await load(click.number)
        if space is None:
            await click.reply("That safe space is no longer there.")
            return
        lines = await ensure_spaces(
            deps, click.client, programme_id=space.programme_id, lead_id=click.lead_id
        )
        await click.reply(join("\n", lines))

    @lead_button(app.action(Action.SPACE_PICK), owner=programme_of_space)
    async def pick_clicked(click: LeadClick) -> None:
        space = await load(click.number)
        if space is None:
            await click.reply("That safe space is no longer there.")
            return
        await click.client.views_open(trigger_id=click.trigger_id, view=views.pick_modal(space))

    async def ack_pick(
        ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: dict
    ) -> None:
        refused = await form_refusal(
            deps,
            client,
            team_id=context["team_id"],
            user_id=body["user"]["id"],
            owner=programme_of_space,
            number=number_in(view.get("private_metadata")),
        )
        if refused:
            await ack(response_action="errors", errors={Field.CHANNEL: refused})
            return
        channel = form_values(view).get(Field.CHANNEL)
        try:
            info = await client.conversations_info(channel=channel)
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            words = "The app cannot see that channel: invite it there first, then pick it again."
            if error != "channel_not_found":
                words = f"Slack says {error}; pick another channel."
            await ack(response_action="errors", errors={Field.CHANNEL: words})
            return
        found = info["channel"]
        problem = None
        if found.get("is_archived"):
            problem = "That channel is archived; pick another."
        elif not found.get("is_private"):
            problem = "A safe space must be private; pick a private channel."
        if problem:
            await ack(response_action="errors", errors={Field.CHANNEL: problem})
            return
        context["space_channel"] = (channel, found.get("name", ""))
        await ack()

    @then(app.view(View.SPACE_CHANNEL), ack=ack_pick)
    async def pick_submitted(body: dict, view: dict, client: AsyncWebClient, context: dict) -> None:
        picked = context.get("space_channel")
        raw = view.get("private_metadata") or ""
        if picked is None or not raw.isdigit():
            return
        channel, name = picked
        async with deps.db.transaction() as session:
            await spaces.record(session, space_id=int(raw), channel_id=channel, name=name)
        space = await load(int(raw))
        assert space is not None
        await sync_members(deps, client, space)
        await client.chat_postMessage(channel=body["user"]["id"], text=views.ready(space, channel))

    @then(app.event("member_joined_channel"))
    async def member_joined(event: dict, client: AsyncWebClient, context: dict) -> None:
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

    @then(app.event("member_left_channel"))
    async def member_left(event: dict, client: AsyncWebClient, context: dict) -> None:
        user, channel = event.get("user", ""), event.get("channel", "")
        async with deps.db.transaction() as session:
            space = await spaces.space_for_channel(session, channel_id=channel)
            wanted = await spaces.members(session, space=space) if space else set()
        if space is None or user not in wanted:
            return  # not a safe space, or someone who has left the programme
        text, blocks = views.left_note(space)
        await client.chat_postMessage(channel=user, text=text, blocks=blocks)

    @then(app.action(Action.SPACE_REJOIN))
    async def rejoin_clicked(
        action: dict, body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
    ) -> None:
        user_id = body["user"]["id"]
        reply = Reply(client=client, user_id=user_id, respond=respond, body=body)
        value = action.get("value") or ""
        space = await load(int(value)) if value.isdigit() else None
        if space is None or not space.channel_id:
            await reply("That safe space is no longer there.")
            return
        async with deps.db.transaction() as session:
            wanted = await spaces.members(session, space=space)
        if user_id not in wanted:
            await reply("That safe space is for the programme's participants on that side only.")
            return
        await _invite(deps, client, space, [user_id])
        await reply(views.welcome_back(space))
