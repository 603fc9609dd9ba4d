"""create_app: the Bolt app with its own database, clock and Slack client; nothing at import."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from bot import listeners
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import Database
from bot.deps import Deps
from bot.services.programme_cache import ProgrammeCache
from bot.slack.client import build_web_client
from bot.slack.identity import BotIdentity
from bot.slack.profiles import ProfileDirectory


def create_app(
    settings: Settings,
    db: Database,
    *,
    clock: Clock | None = None,
    identity: BotIdentity | None = None,
    socket_mode: bool = False,
) -> AsyncApp:
    settings.require("slack_bot_token")
    if not socket_mode:
        settings.require("slack_signing_secret")
    token = settings.slack_bot_token.get_secret_value()  # type: ignore[union-attr]
    identity = identity or BotIdentity(token)
    client = build_web_client(settings)
    client.token = None  # Bolt sets the per-request token from `authorize`.
    app = AsyncApp(
        client=client,
        signing_secret=(
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        ),
        authorize=identity.authorize_function(),
        request_verification_enabled=not socket_mode,
        # Answer Slack as soon as the ack function returns; work runs after (listeners/routing).
        process_before_response=True,
        logger=logging.getLogger("bot.slack"),
    )
    deps = Deps(
        settings=settings,
        db=db,
        clock=clock or SystemClock(),
        profiles=ProfileDirectory(),
        programmes=ProgrammeCache(db),
    )
    listeners.register(app, deps)
    return app
