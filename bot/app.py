"""create_app: the Bolt app with its own database, clock and Slack client; nothing at import."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import listeners
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.deps import Deps, build_deps
from bot.slack.client import build_web_client
from bot.slack.identity import BotIdentity
from bot.slack.installations import installation_authorize, oauth_settings


def create_app(
    settings: Settings,
    db: Database,
    *,
    clock: Clock | None = None,
    identity: BotIdentity | None = None,
    deps: Deps | None = None,
) -> AsyncApp:
    """The app; pass `deps` to share them with the scheduler's sweeps."""
    deps = deps or build_deps(settings, db, clock)
    client = build_web_client(settings)
    client.token = None  # Bolt sets the per-request token from `authorize`.
    app = AsyncApp(
        client=client,
        **_authorization(deps, client, identity),
        # HTTP mode checks the signature on the raw bytes before Bolt sees a request
        # (bot/web.py); Socket Mode requests come over Slack's own authenticated connection.
        request_verification_enabled=False,
        # Answer Slack as soon as the ack function returns; work runs after (bot/slack/routing.py).
        process_before_response=True,
        logger=logging.getLogger("bot.slack"),
    )
    listeners.register(app, deps)
    return app


def _authorization(
    deps: Deps, client: AsyncWebClient, identity: BotIdentity | None
) -> dict[str, Any]:
    """OAuth mode: the install flow, and each request authorised by its team's installation.
    Otherwise the one SLACK_BOT_TOKEN for every request."""
    settings, store = deps.settings, deps.tokens.store
    if settings.oauth_enabled and store is not None:
        return {
            "oauth_settings": oauth_settings(settings, store, deps.db),
            "authorize": installation_authorize(settings, store, client),
        }
    settings.require("slack_bot_token")
    token = settings.slack_bot_token.get_secret_value()  # type: ignore[union-attr]
    return {"authorize": (identity or BotIdentity(token)).authorize_function()}
