"""Safe spaces in Slack: channels made when enrolment opens (or on a lead's command),
people invited as they join and removed as they leave, leads told when a channel is lost."""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import the_one_programme
from bot.models import Programme
from bot.services import spaces
from bot.services.leads import lead_ids
from bot.services.spaces import Space
from bot.slack.replies import Reply
from bot.views import spaces as views
from bot.views.mrkdwn import Mrkdwn, join

log = logging.getLogger(__name__)


INVITE_BATCH = 1000  # conversations.invite takes at most 1,000 users at once


HARMLESS = {"already_in_channel", "not_in_channel", "cant_invite_self"}


# One person of the batch cannot be invited: a person of the org outside the channel's
# workspace (an org's programme spans workspaces; a channel lives in one), or one already in.
ONE_BY_ONE = {"org_user_not_in_team", "already_in_channel"}


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
    workspace_id = await _workspace_for_channels(deps, client, programme.team_id, lead_id)
    lines: list[Mrkdwn] = []
    for space in planned:
        if space.channel_id is None:
            try:
                made = await client.conversations_create(
                    name=space.name, is_private=True, team_id=workspace_id
                )
            except SlackApiError as exc:
                error = exc.response.get("error", "unknown")
                async with deps.db.transaction() as session:
                    await spaces.record(session, space_id=space.id, error=error)
                text, blocks = views.failed(space, error)
                await client.chat_postMessage(channel=lead_id, text=text, blocks=blocks)
                lines.append(text)
                continue
            channel_id = made["channel"]["id"]
            async with deps.db.transaction() as session:
                await spaces.record(
                    session, space_id=space.id, channel_id=channel_id, workspace_id=workspace_id
                )
            space = replace(
                space, channel_id=channel_id, last_error=None, workspace_id=workspace_id
            )
        await sync_members(deps, client, space)
        assert space.channel_id is not None
        lines.append(views.ready(space, space.channel_id))
    return lines


async def _workspace_for_channels(
    deps: Deps, client: AsyncWebClient, tenant: str, lead_id: str
) -> str | None:
    """An org's token must name the workspace a channel is made in: the lead's own. (People
    of the org's other workspaces cannot be invited there; Slack says `org_user_not_in_team`.)"""
    if await deps.enterprises.of(tenant) != tenant:
        return None  # a workspace's programme: its token says where
    profile = await deps.profiles.get(client, team_id=tenant, user_id=lead_id)
    return profile.team_id


async def sync_members(deps: Deps, client: AsyncWebClient, space: Space) -> None:
    """Invite everyone who belongs and is not in yet (never removes: see member events)."""
    assert space.channel_id is not None
    async with deps.db.transaction() as session:
        wanted = await spaces.members(session, space=space)
    present: set[str] = set()
    cursor = None
    while True:
        page = await client.conversations_members(
            channel=space.channel_id, cursor=cursor, team_id=space.workspace_id
        )
        present |= set(page["members"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    missing = sorted(wanted - present)
    for start in range(0, len(missing), INVITE_BATCH):
        await invite(deps, client, space, missing[start : start + INVITE_BATCH])


async def invite(deps: Deps, client: AsyncWebClient, space: Space, users: list[str]) -> None:
    if space.channel_id is None:
        raise ValueError(f"safe space {space.id} has no channel to invite people to")
    try:
        await client.conversations_invite(
            channel=space.channel_id, users=",".join(users), team_id=space.workspace_id
        )
    except SlackApiError as exc:
        error = exc.response.get("error", "")
        if error in LOST:
            await _lost(deps, client, space, error)
        elif error in ONE_BY_ONE and len(users) > 1:
            # Slack refuses the whole batch for one such person: the others go in one by one.
            for user in users:
                await invite(deps, client, space, [user])
        elif error not in HARMLESS:
            log.warning("could not invite to safe space %s: %s", space.id, error)


async def _lost(deps: Deps, client: AsyncWebClient, space: Space, error: str) -> None:
    """The channel went away under us: the leads hear it, with the same ways to fix it."""
    async with deps.db.transaction() as session:
        await spaces.lose(session, space_id=space.id, error=error)
        leads = await lead_ids(session, programme_id=space.programme_id, with_supporter=True)
    text, blocks = views.failed(space, error)
    for lead in leads:
        await client.chat_postMessage(
            channel=lead, text=text, blocks=blocks, team_id=space.workspace_id
        )


async def invite_newcomer(
    deps: Deps, client: AsyncWebClient, theirs: list[Space], user_id: str
) -> None:
    """A new participant joins their side's channel, if it exists (see
    `resources.welcome_newcomer`, which finds it and queues their starter set)."""
    for space in theirs:
        if space.channel_id:
            await invite(deps, client, space, [user_id])


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
                await client.conversations_kick(
                    channel=space.channel_id, user=user_id, team_id=space.workspace_id
                )
            except SlackApiError as exc:
                if exc.response.get("error") not in HARMLESS:
                    log.warning("could not remove from safe space: %s", exc.response.get("error"))


async def spaces_command(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, lead_id: str, name: str
) -> None:
    programme = await the_one_programme(
        deps, reply, team_id=team_id, lead_id=lead_id, name=name, word="spaces"
    )
    if programme is not None:
        lines = await ensure_spaces(deps, client, programme_id=programme.id, lead_id=lead_id)
        await reply(join("\n", lines))
