"""Which bot token speaks for a workspace: its installation's in OAuth mode, the one
SLACK_BOT_TOKEN otherwise. A workspace of an Enterprise Grid org that installed the app
org-wide speaks with the org's token (its installation has no team), so a team's org is asked
for when the team has none of its own. Sweeps, the outbox's sender and (through `FreshBots`)
Bolt's authorize ask here for every team they speak to, so a rotating token is refreshed in one
place (bot/slack/rotation.py) before it runs out, and a legacy one (installed before rotation
was on) is exchanged for a rotating one before it is used."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.services.recent import Recent
from bot.slack.rotation import TokenRefresher

log = logging.getLogger(__name__)

# A sweep sends many messages to one team; its token is read from the database once a minute.
TOKEN_SECONDS = 60.0
# An exchange Slack refused (rotation still off for the app, say) is tried again this much later;
# meanwhile the legacy token is used.
EXCHANGE_RETRY_SECONDS = 3600.0

# An installation: (enterprise id, team id); no team is an org-wide install.
Installed = tuple[str | None, str | None]


async def _no_org(team_id: str) -> str | None:
    return None


class BotTokens:
    def __init__(
        self,
        *,
        single: str | None,
        store: AsyncInstallationStore | None,
        clock: Callable[[], float],
        refresher: TokenRefresher | None = None,
        enterprise_of: Callable[[str], Awaitable[str | None]] = _no_org,
    ) -> None:
        self._single = single
        self.store = store
        self.refresher = refresher
        self._enterprise_of = enterprise_of
        self._clock = clock
        self._refused: dict[Installed, float] = {}  # when Slack last refused an exchange
        self._recent = Recent[Installed, Bot | None](
            self._read, ttl_seconds=TOKEN_SECONDS, clock=clock
        )

    async def for_team(self, team_id: str) -> str | None:
        """The team's bot token, or None when it has not installed the app (or uninstalled it)."""
        if self.store is None:
            return self._single
        bot = await self.bot(team_id)
        return bot.bot_token if bot is not None else None

    async def bot(self, team_id: str) -> Bot | None:
        """The team's own installed bot, else its org's installed org-wide."""
        enterprise_id = await self._enterprise_of(team_id)
        bot = await self.installed(enterprise_id, team_id)
        if bot is None and enterprise_id is not None:
            bot = await self.installed(enterprise_id, None)
        return bot

    async def installed(self, enterprise_id: str | None, team_id: str | None) -> Bot | None:
        """One installation's bot (no team: the org-wide one), its legacy token exchanged for
        a rotating one first, its token refreshed first when it is about to expire."""
        key = (enterprise_id, team_id)
        bot = await self._recent.get(key)
        if bot is None or self.refresher is None:
            return bot
        if self.refresher.legacy(bot):
            bot = await self._exchanged(key, bot)
        if bot is None or not self.refresher.due(bot):
            return bot
        try:
            fresh = await self.refresher.refresh(bot)
        except SlackApiError as exc:
            # The old token may still have minutes left; Slack says when it has none.
            log.warning(
                "installation %s: token refresh refused (%s)",
                team_id or enterprise_id,
                exc.response.get("error"),
            )
            return bot
        self._recent.forget(key)
        return fresh

    async def _exchanged(self, key: Installed, bot: Bot) -> Bot | None:
        """The bot with its legacy token exchanged; the bot as it is when Slack refuses (its
        legacy token still works then), and no new try for EXCHANGE_RETRY_SECONDS."""
        assert self.refresher is not None
        refused_at = self._refused.get(key)
        if refused_at is not None and self._clock() - refused_at < EXCHANGE_RETRY_SECONDS:
            return bot
        try:
            fresh = await self.refresher.exchange(bot)
        except SlackApiError as exc:
            self._refused[key] = self._clock()
            enterprise_id, team_id = key
            log.warning(
                "installation %s: legacy token exchange refused (%s); the legacy token is used",
                team_id or enterprise_id,
                exc.response.get("error"),
            )
            return bot
        self._refused.pop(key, None)
        self._recent.forget(key)
        return fresh

    async def forget(
        self, team_ids: Sequence[str], *, enterprise_id: str | None = None, org_wide: bool = False
    ) -> None:
        """The teams (or, org-wide, the org they belong to) uninstalled the app or revoked its
        token: the installation's rows go."""
        if self.store is not None:
            for team in [None] if org_wide else team_ids:
                await self.store.async_delete_all(enterprise_id=enterprise_id, team_id=team)
        self._recent.forget((enterprise_id, None))
        for team in team_ids:
            self._recent.forget((enterprise_id, team))
            self._recent.forget((await self._enterprise_of(team), team))

    async def _read(self, key: Installed) -> Bot | None:
        assert self.store is not None
        enterprise_id, team_id = key
        return await self.store.async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=team_id is None
        )


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
        team = None if is_enterprise_install else team_id
        if team is None and enterprise_id is None:
            return None
        bot = await self._tokens.installed(enterprise_id, team)
        if bot is None:
            return None
        seen = Bot(**bot.to_dict_for_copying())
        seen.bot_refresh_token = None
        seen.bot_token_expires_at = None
        return seen
