"""create_app: the Bolt app with its own database, clock and Slack client; nothing at import."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.orm import configure_mappers

from bot import listeners
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.deps import Deps, build_deps, seconds_of
from bot.slack.client import build_web_client
from bot.slack.identity import BotIdentity
from bot.slack.installations import ClockedOAuthFlow, installation_authorize, oauth_settings
from bot.slack.tokens import FreshBots


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
    client = build_web_client(settings, metrics=deps.metrics, http=deps.http)
    client.token = None  # Bolt sets the per-request token from `authorize`.
    logger = logging.getLogger("bot.slack")
    with _token_from_environment_unsaid(logger):
        app = AsyncApp(
            # Named, or Bolt names it from inspect.stack(), which reads every caller's source.
            name="mentoring",
            client=client,
            **_authorization(deps, client, identity),
            # HTTP mode checks the signature on the raw bytes before Bolt sees a request
            # (bot/web.py); Socket Mode requests come over Slack's own authenticated connection.
            request_verification_enabled=False,
            # Answer Slack as soon as the ack function returns; work runs after
            # (bot/slack/routing.py).
            process_before_response=True,
            logger=logger,
        )
    listeners.register(app, deps)
    # The models' mappers are configured here rather than by the first request's query.
    configure_mappers()
    return app


class _NotTheUnusedToken(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


@contextmanager
def _token_from_environment_unsaid(logger: logging.Logger) -> Iterator[None]:
    """While Bolt builds the app: it reads SLACK_BOT_TOKEN from the environment by itself and,
    given our client, warns on every start that the token goes unused. It does not: Settings
    read it, and it reaches each request through `authorize`. Only that line is dropped, and
    only here; any other warning Bolt gives while building the app is still logged."""
    quiet = _NotTheUnusedToken()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def _authorization(
    deps: Deps, client: AsyncWebClient, identity: BotIdentity | None
) -> dict[str, Any]:
    """OAuth mode: the install flow, and each request authorised by its team's installation
    (its token refreshed first when it rotates). Otherwise the one SLACK_BOT_TOKEN."""
    settings, store = deps.settings, deps.tokens.store
    if settings.oauth_enabled and store is not None:
        flow_settings = oauth_settings(settings, store, deps.db)
        clock = seconds_of(deps.clock)
        return {
            "oauth_flow": ClockedOAuthFlow(settings=flow_settings, client=client, clock=clock),
            "authorize": installation_authorize(settings, FreshBots(deps.tokens), client),
        }
    settings.require("slack_bot_token")
    token = settings.slack_bot_token.get_secret_value()  # type: ignore[union-attr]
    return {"authorize": (identity or BotIdentity(token)).authorize_function()}
