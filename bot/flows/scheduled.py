"""Messages Slack holds for later (chat.scheduleMessage): handing them over, withdrawing them."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.services.pairs import Planned, record_scheduled
from bot.views.blocks import Block

log = logging.getLogger(__name__)


async def withdraw_scheduled(client: AsyncWebClient, held: Iterable[tuple[str, str]]) -> None:
    """Delete messages Slack would otherwise post later; one already posted is left alone."""
    for channel, scheduled_id in held:
        try:
            await client.chat_deleteScheduledMessage(
                channel=channel, scheduled_message_id=scheduled_id
            )
        except SlackApiError as exc:
            if exc.response.get("error") != "invalid_scheduled_message_id":
                log.warning("could not withdraw a scheduled message", exc_info=True)


async def hold(
    deps: Deps,
    client: AsyncWebClient,
    planned: Planned,
    text: str,
    blocks: list[Block] | None = None,
) -> None:
    """Give Slack a planned message and keep its id; if the plan was cancelled meanwhile (the
    meeting moved, the pair ended), take it straight back."""
    try:
        held = await client.chat_scheduleMessage(
            channel=planned.channel,
            post_at=int(planned.post_at.timestamp()),
            text=text,
            blocks=blocks,
        )
    except SlackApiError:
        log.warning("could not schedule a %s message", planned.kind, exc_info=True)
        return
    async with deps.db.transaction() as session:
        kept = await record_scheduled(
            session,
            row_id=planned.row_id,
            channel_id=held["channel"],
            slack_id=held["scheduled_message_id"],
        )
    if not kept:
        await withdraw_scheduled(client, [(held["channel"], held["scheduled_message_id"])])
