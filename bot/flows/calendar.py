"""Meetings into the pair's own calendars: each new, moved or cancelled meeting as an .ics
file in the pair's conversation, through Slack's external upload."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.calendar import CalendarEntry
from bot.slack.uploads import Upload, share_files
from bot.views.calendar import calendar_file

log = logging.getLogger(__name__)


async def share_calendar(client: AsyncWebClient, entries: Iterable[CalendarEntry | None]) -> None:
    """Upload each meeting's file where the pair talks; a failed upload is logged, and the
    meeting stands (its time is in the conversation already)."""
    for entry in entries:
        channel = entry.pair.conversation_id if entry else None
        if entry is None or channel is None:
            continue
        shared = calendar_file(entry)
        try:
            await share_files(
                client,
                channel=channel,
                files=[Upload(shared.filename, shared.title, shared.content)],
                comment=shared.comment,
            )
        except SlackApiError:
            log.warning(
                "could not share the calendar file of pair %s", entry.pair.id, exc_info=True
            )
