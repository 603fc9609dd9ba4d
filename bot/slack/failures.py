"""Failures: the full trace to the log, a short apology to the person, whichever path failed."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.replies import acting_user
from bot.views.admin import SOMETHING_WENT_WRONG

log = logging.getLogger("bot.errors")


async def report_failure(error: Exception, body: dict, client: AsyncWebClient) -> None:
    kind = body.get("type") or body.get("command") or "request"
    log.error("listener failed for %s", kind, exc_info=error)
    user_id = acting_user(body)
    if not user_id or (body.get("event") or {}).get("type") == "app_home_opened":
        return
    try:
        await client.chat_postMessage(channel=user_id, text=SOMETHING_WENT_WRONG)
    except Exception:
        log.warning("could not tell the user about the failure", exc_info=True)
