"""Which bot token speaks for a workspace: its installation's in OAuth mode, the one
SLACK_BOT_TOKEN otherwise. Sweeps and the outbox's sender ask here for every team they send to;
requests get theirs from Bolt's authorize."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.services.recent import Recent

# A sweep sends many messages to one team; its token is read from the database once a minute.
TOKEN_SECONDS = 60.0


class BotTokens:
    def __init__(
        self,
        *,
        single: str | None,
        store: AsyncInstallationStore | None,
        clock: Callable[[], float],
    ) -> None:
        self._single = single
        self.store = store
        self._recent = Recent[str, str | None](self._read, ttl_seconds=TOKEN_SECONDS, clock=clock)

    async def for_team(self, team_id: str) -> str | None:
        """The team's bot token, or None when it has not installed the app (or uninstalled it)."""
        if self.store is None:
            return self._single
        return await self._recent.get(team_id)

    async def forget(self, team_id: str) -> None:
        """The team uninstalled the app or revoked its token: its installation rows go."""
        if self.store is not None:
            await self.store.async_delete_all(enterprise_id=None, team_id=team_id)
        self._recent.forget(team_id)

    async def _read(self, team_id: str) -> str | None:
        assert self.store is not None
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot is not None else None
