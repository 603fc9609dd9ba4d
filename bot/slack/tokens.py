"""Which bot token speaks for a workspace: its installation's in OAuth mode, the one
SLACK_BOT_TOKEN otherwise. A workspace of an Enterprise Grid org that installed the app
org-wide speaks with the org's token (its installation has no team), so a team's org is asked
for when the team has none of its own. Sweeps and the outbox's sender ask here for every team
they send to; requests get theirs from Bolt's authorize."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.services.recent import Recent

# A sweep sends many messages to one team; its token is read from the database once a minute.
TOKEN_SECONDS = 60.0


async def _no_org(team_id: str) -> str | None:
    return None


class BotTokens:
    def __init__(
        self,
        *,
        single: str | None,
        store: AsyncInstallationStore | None,
        clock: Callable[[], float],
        enterprise_of: Callable[[str], Awaitable[str | None]] = _no_org,
    ) -> None:
        self._single = single
        self.store = store
        self._enterprise_of = enterprise_of
        self._recent = Recent[str, str | None](self._read, ttl_seconds=TOKEN_SECONDS, clock=clock)

    async def for_team(self, team_id: str) -> str | None:
        """The team's bot token, or None when it has not installed the app (or uninstalled it)."""
        if self.store is None:
            return self._single
        return await self._recent.get(team_id)

    async def forget(
        self, team_ids: Sequence[str], *, enterprise_id: str | None = None, org_wide: bool = False
    ) -> None:
        """The teams (or, org-wide, the org they belong to) uninstalled the app or revoked its
        token: the installation's rows go."""
        if self.store is not None:
            for team in [None] if org_wide else team_ids:
                await self.store.async_delete_all(enterprise_id=enterprise_id, team_id=team)
        for team in team_ids:
            self._recent.forget(team)

    async def _read(self, team_id: str) -> str | None:
        assert self.store is not None
        enterprise_id = await self._enterprise_of(team_id)
        bot = await self.store.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None and enterprise_id is not None:
            bot = await self.store.async_find_bot(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True
            )
        return bot.bot_token if bot is not None else None
