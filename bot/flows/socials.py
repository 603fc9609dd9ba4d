"""Kick-off and socials, Slack's side: the lead's form, the invitations sent as far as Slack's
pace allows (the outbox sends the rest), the event's message with its counts, and the .ics
file for each person going, in their DM with the app."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import the_one_programme
from bot.flows.delivery import deliver_now
from bot.services import socials
from bot.services.socials import Changed, Counts, EventFacts
from bot.slack.replies import Reply
from bot.slack.uploads import Upload, dm_channel, share_files
from bot.views import socials as views
from bot.views.calendar import social_file

log = logging.getLogger(__name__)


async def open_social_form(
    deps: Deps,
    client: AsyncWebClient,
    reply: Reply,
    *,
    team_id: str,
    lead_id: str,
    name: str,
    trigger_id: str,
) -> None:
    """`/mentoring-admin social [name]`: the form to announce an event of the programme."""
    programme = await the_one_programme(
        deps, reply, team_id=team_id, lead_id=lead_id, name=name, word="social"
    )
    if programme is None:
        return
    # A first pick: a week ahead, on the hour; the picker shows it in the lead's zone.
    start = (deps.clock.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    await client.views_open(
        trigger_id=trigger_id,
        view=views.social_modal(programme.id, programme.name, default_at=start),
    )


async def open_change_form(client: AsyncWebClient, trigger_id: str, event: EventFacts) -> None:
    await client.views_open(
        trigger_id=trigger_id,
        view=views.social_modal(
            event.programme_id, event.programme, default_at=event.starts_at, event=event
        ),
    )


async def tell_lead(
    client: AsyncWebClient, lead_id: str, event: EventFacts, counts: Counts
) -> None:
    text, shown = views.lead_message(event, counts)
    await client.chat_postMessage(channel=lead_id, text=text, blocks=shown)


async def share_event_file(
    deps: Deps,
    client: AsyncWebClient,
    *,
    event: EventFacts,
    user_ids: Iterable[str],
    channel: str | None = None,
) -> None:
    """The event's file as it stands, into each person's DM with the app (`channel` when
    the caller knows it); a failed upload is logged, and the event stands."""
    made = social_file(socials.entry_of(event, deps.clock.now()))
    upload = Upload(made.filename, made.title, made.content)
    for user_id in user_ids:
        try:
            where = channel or await dm_channel(
                deps.db, client, team_id=event.team_id, user_id=user_id
            )
            await share_files(client, channel=where, files=[upload], comment=made.comment)
        except SlackApiError:
            log.warning("could not share the file of social %s", event.id, exc_info=True)


async def send_invitations(deps: Deps, keys: list[str]) -> None:
    """The invitations or notices queued, now as far as the pace allows."""
    await deliver_now(deps, keys)


async def after_change(deps: Deps, client: AsyncWebClient, changed: Changed) -> None:
    """Notices to those not going (queued); the new file, or the cancelling one, to those
    going."""
    await send_invitations(deps, changed.keys)
    await share_event_file(deps, client, event=changed.event, user_ids=changed.going)
