"""The app's error handler: failures inside an acknowledgement are reported like the rest."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.failures import report_failure


def register(app: AsyncApp) -> None:
    @app.error
    async def on_error(error: Exception, body: dict, client: AsyncWebClient) -> None:
        await report_failure(error, body, client)
