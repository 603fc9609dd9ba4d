"""OAuth mode: slack_sdk's installation and state stores on the bot's own database (tables in
bot/models.py, created by a migration), Bolt's install flow over them, and the authorize that
gives each request the bot token its workspace installed."""

from __future__ import annotations

import hashlib
import hmac
import logging

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db import Database
from bot.models import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE

log = logging.getLogger(__name__)

# What the app asks a workspace for: the manifests' bot scopes (a test keeps them equal).
BOT_SCOPES = (
    "chat:write",
    "chat:write.public",
    "commands",
    "files:write",
    "groups:read",
    "groups:write",
    "im:write",
    "mpim:write",
    "pins:write",
    "users:read",
)
STATE_SECONDS = 600  # Slack's own default: long enough to read the approval page
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


class SignedStates(AsyncSQLAlchemyOAuthStateStore):
    """States carry an HMAC under SLACK_STATE_SECRET, so a state this app did not issue is
    refused before the database is asked; a stored state is still used once."""

    def __init__(self, secret: str, engine: AsyncEngine) -> None:
        super().__init__(STATE_SECONDS, engine, table_name=OAUTH_STATES_TABLE, logger=log)
        self._key = secret.encode()

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        state = await super().async_issue()
        return f"{state}.{self._mac(state)}"

    async def async_consume(self, state: str) -> bool:
        issued, _, mac = (state or "").rpartition(".")
        if not issued or not hmac.compare_digest(mac, self._mac(issued)):
            return False
        return await super().async_consume(issued)

    def _mac(self, state: str) -> str:
        return hmac.new(self._key, state.encode(), hashlib.sha256).hexdigest()


def installation_store(settings: Settings, db: Database) -> AsyncSQLAlchemyInstallationStore:
    assert settings.slack_client_id, "OAuth mode only"
    return AsyncSQLAlchemyInstallationStore(
        client_id=settings.slack_client_id,
        engine=db.engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
        logger=log,
    )


def _secret(settings: Settings, name: str) -> str:
    value = getattr(settings, name)
    assert value is not None, "OAuth mode only"
    return str(value.get_secret_value())


def oauth_settings(
    settings: Settings, store: AsyncInstallationStore, db: Database
) -> AsyncOAuthSettings:
    """Install at GET /slack/install (straight on to Slack's approval page, the state in a
    cookie), back at GET /slack/oauth_redirect; bot scopes only."""
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=_secret(settings, "slack_client_secret"),
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        install_page_rendering_enabled=False,
        authorization_url=settings.slack_authorize_url,
        installation_store=store,
        installation_store_bot_only=True,
        state_store=SignedStates(_secret(settings, "slack_state_secret"), db.engine),
        state_expiration_seconds=STATE_SECONDS,
        logger=log,
    )


def installation_authorize(
    settings: Settings, store: AsyncInstallationStore, client: AsyncWebClient
) -> AsyncInstallationStoreAuthorize:
    """Each request's bot token from its workspace's installation. `auth.test` is asked once
    per token (cached), as the single-token mode asks once, so acknowledgements do not wait on
    it; Slack's token refreshes go through the app's own client."""
    return AsyncInstallationStoreAuthorize(
        logger=log,
        installation_store=store,
        client_id=settings.slack_client_id,
        client_secret=_secret(settings, "slack_client_secret"),
        bot_only=True,
        cache_enabled=True,
        client=client,
    )
