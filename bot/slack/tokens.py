"""Which bot token speaks for a workspace: its installation's in OAuth mode, the one
SLACK_BOT_TOKEN otherwise. Sweeps, the outbox's sender and (through `FreshBots`) Bolt's
authorize ask here for every team they speak to, so a rotating token is refreshed in one place
(bot/slack/rotation.py) before it runs out."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.services.recent import Recent
from bot.slack.rotation import TokenRefresher

log = logging.getLogger(__name__)

# A sweep sends many messages to one team; its token is read from the database once a minute.
TOKEN_SECONDS = 60.0


class BotTokens:
    def __init__(
        self,
        *,
        single: str | None,
        store: AsyncInstallationStore | None,
        clock: Callable[[], float],
        refresher: TokenRefresher | None = None,
    ) -> None:
        self._single = single
        self.store = store
        self.refresher = refresher
        self._recent = Recent[str, Bot | None](self._read, ttl_seconds=TOKEN_SECONDS, clock=clock)

    async def for_team(self, team_id: str) -> str | None:
        """The team's bot token, or None when it has not installed the app (or uninstalled it)."""
        if self.store is None:
            return self._single
        bot = await self.bot(team_id)
        return bot.bot_token if bot is not None else None

    async def bot(self, team_id: str) -> Bot | None:
        """The team's installed bot, its token refreshed first when it is about to expire."""
        bot = await self._recent.get(team_id)
        if bot is None or self.refresher is None or not self.refresher.due(bot):
            return bot
        try:
            fresh = await self.refresher.refresh(team_id)
        except SlackApiError as exc:
            # The old token may still have minutes left; Slack says when it has none.
            log.warning("team %s: token refresh refused (%s)", team_id, exc.response.get("error"))
            return bot
        self._recent.forget(team_id)
        return fresh

    async def forget(self, team_id: str) -> None:
        """The team uninstalled the app or revoked its token: its installation rows go."""
        if self.store is not None:
            await self.store.async_delete_all(enterprise_id=None, team_id=team_id)
        self._recent.forget(team_id)

    async def _read(self, team_id: str) -> Bot | None:
        assert self.store is not None
        return await self.store.async_find_bot(enterprise_id=None, team_id=team_id)


class FreshBots(AsyncInstallationStore):
    """The installations as Bolt's authorize reads them: each bot through `BotTokens`, so a
    request finds its token already refreshed, on the app's clock and one replica at a time.
    The bot goes without its refresh token and expiry, with which Bolt would refresh it again
    by time.time()."""

    def __init__(self, tokens: BotTokens) -> None:
        self._tokens = tokens

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        bot = await self._tokens.bot(team_id) if team_id and not is_enterprise_install else None
        if bot is None:
            return None
        seen = Bot(**bot.to_dict_for_copying())
        seen.bot_refresh_token = None
        seen.bot_token_expires_at = None
        return seen
