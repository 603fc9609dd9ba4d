"""Token rotation in OAuth mode: with rotation on, a bot token expires (after twelve hours) and
its refresh token buys the next one, once. A token is refreshed when it has less than
SLACK_TOKEN_ROTATION_MINUTES left, by one replica at a time: the refresh runs in a transaction
that holds the team's bot row (FOR UPDATE on PostgreSQL, the write lock on SQLite), so a second
replica waits, then reads the token the first one saved instead of spending the refresh token
again. Expiry is reckoned on the app's clock; slack_sdk's own rotator reads time.time().

An installation made before rotation was turned on for the app has a legacy token: no expiry,
no refresh token. With SLACK_TOKEN_ROTATION set, such a token is exchanged (`oauth.v2.exchange`)
for a rotating one before it is used, under the same row lock, so it is exchanged once; Slack
revokes the legacy token once the new one is in use."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy import ColumnElement, desc, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.models import slack_bots, slack_installations

log = logging.getLogger(__name__)


def restamp(installation: Installation, *, now: float) -> None:
    """slack_sdk turns Slack's `expires_in` into a time by the wall clock when it builds an
    installation, and stamps `installed_at` microseconds later: their difference is that
    `expires_in`, counted here from the app's clock instead."""
    if installation.bot_token_expires_at is None:
        return
    lifetime = math.ceil(installation.bot_token_expires_at - installation.installed_at)
    installation.bot_token_expires_at = int(now) + lifetime


@dataclass(frozen=True, kw_only=True)
class TokenRefresher:
    db: Database
    client: AsyncWebClient
    client_id: str
    client_secret: str
    window_minutes: int
    clock: Callable[[], float]
    exchange_legacy: bool = False  # rotation is on for the app: legacy tokens are exchanged

    def legacy(self, bot: Bot) -> bool:
        """The bot's token was installed before rotation and is to be exchanged."""
        return (
            self.exchange_legacy
            and bot.bot_token is not None
            and bot.bot_refresh_token is None
            and bot.bot_token_expires_at is None
        )

    def due(self, bot: Bot) -> bool:
        """The bot's token expires within the window (a token without expiry never does)."""
        expires_at = bot.bot_token_expires_at
        return expires_at is not None and expires_at <= self.clock() + self.window_minutes * 60

    async def refresh(self, installed: Bot) -> Bot | None:
        """The installation's bot (a team's, or an org's installed org-wide) with a token good
        for longer than the window: refreshed and saved here, or as another replica saved it
        while this one waited for the row."""
        async with self.db.transaction() as session:
            bot, row_id = await self._locked_bot(session, installed)
            if bot is None or not self.due(bot) or not bot.bot_refresh_token:
                return bot
            response = await self.client.oauth_v2_access(
                client_id=self.client_id,
                client_secret=self.client_secret,
                grant_type="refresh_token",
                refresh_token=bot.bot_refresh_token,
            )
            fresh = self._fresh(bot, response)
            carried = slack_installations.c.bot_refresh_token == bot.bot_refresh_token
            await _save(session, row_id, carried=carried, fresh=fresh)
        log.info("refreshed the bot token of %s", installed.team_id or installed.enterprise_id)
        return fresh

    async def exchange(self, installed: Bot) -> Bot | None:
        """The installation's bot with its legacy token exchanged for a rotating one: here, or
        by another replica while this one waited for the row (then its token is read)."""
        async with self.db.transaction() as session:
            bot, row_id = await self._locked_bot(session, installed)
            if bot is None or not self.legacy(bot):
                return bot
            assert bot.bot_token is not None  # a legacy bot has one
            response = await self.client.oauth_v2_exchange(
                client_id=self.client_id, client_secret=self.client_secret, token=bot.bot_token
            )
            fresh = self._fresh(bot, response)
            carried = slack_installations.c.bot_token == bot.bot_token
            await _save(session, row_id, carried=carried, fresh=fresh)
        log.info(
            "exchanged the legacy bot token of %s for a rotating one",
            installed.team_id or installed.enterprise_id,
        )
        return fresh

    def _fresh(self, bot: Bot, response: AsyncSlackResponse) -> Bot:
        """The bot with the token, refresh token and expiry Slack answered."""
        fresh = Bot(**bot.to_dict_for_copying())
        fresh.bot_token = response["access_token"]
        fresh.bot_refresh_token = response.get("refresh_token")
        fresh.bot_token_expires_at = int(self.clock()) + int(response["expires_in"])
        return fresh

    async def _locked_bot(self, session: AsyncSession, installed: Bot) -> tuple[Bot | None, int]:
        if session.get_bind().dialect.name == "sqlite":
            await session.execute(text("BEGIN IMMEDIATE"))  # FOR UPDATE is not SQLite's
        c = slack_bots.c
        query = (
            select(slack_bots)
            .where(
                c.client_id == self.client_id,
                _is(c.enterprise_id, installed.enterprise_id),
                _is(c.team_id, installed.team_id),
                c.bot_token.is_not(None),
            )
            .order_by(desc(c.installed_at))
            .limit(1)
            .with_for_update()
        )
        row = (await session.execute(query)).mappings().first()
        if row is None:
            return None, 0
        return SQLAlchemyInstallationStore.build_bot_entity(row), row["id"]


async def _save(
    session: AsyncSession, row_id: int, *, carried: ColumnElement[bool], fresh: Bot
) -> None:
    """The new token in slack_sdk's tables, written in the locked transaction (the store's
    own save would open a second connection, which SQLite's write lock holds off). The
    installation rows that `carried` the old credentials get the new ones too."""
    assert fresh.bot_token_expires_at is not None
    values = {
        "bot_token": fresh.bot_token,
        "bot_refresh_token": fresh.bot_refresh_token,
        # Naive UTC, as slack_sdk stores it.
        "bot_token_expires_at": datetime.fromtimestamp(fresh.bot_token_expires_at, UTC).replace(
            tzinfo=None
        ),
    }
    await session.execute(update(slack_bots).where(slack_bots.c.id == row_id).values(values))
    i = slack_installations.c
    await session.execute(
        update(slack_installations)
        .where(
            _is(i.enterprise_id, fresh.enterprise_id),
            _is(i.team_id, fresh.team_id),
            carried,
        )
        .values(values)
    )


def _is(column: ColumnElement[Any], value: str | None) -> ColumnElement[bool]:
    """`column = value`, where no value (an org-wide install's team) is SQL's NULL."""
    return column.is_(None) if value is None else column == value
