"""The daily pass through each workspace's users.list, for retention: page by page with a
cursor, each page in a slot of users.list's tier (Tier 2) shared with every replica through
the database (bot/slack/pacing), each page recorded as it comes (services/members). A page
whose slot is further off than the sweep may wait puts the pass back until then; it goes on
from its cursor at the next sweep, on whichever replica claims it."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.db import Database
from bot.services import members, pace
from bot.services.members import Claimed, Seen
from bot.slack import pacing
from bot.slack.tokens import BotTokens

log = logging.getLogger(__name__)

USERS_LIST = "users.list"
PAGE = 200  # Slack's advice for paginated methods
RETRY = timedelta(hours=1)  # after a failure Slack gave no time for
SLACKBOT = "USLACKBOT"


def seen_of(user: Any) -> Seen | None:
    """A person from Slack's user object (users.list, users.info, `user_change`); None for
    anything that is not one."""
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
        return None
    updated = user.get("updated")
    guest = user.get("is_restricted") or user.get("is_ultra_restricted")
    machine = user.get("is_bot") or user.get("is_app_user") or user["id"] == SLACKBOT
    return Seen(
        user_id=user["id"][:32],
        active=not user.get("deleted"),
        counted=not (guest or machine),
        updated=updated if isinstance(updated, int) and updated > 0 else None,
    )


@dataclass
class Listed:
    pages: int = 0
    people: int = 0
    passes: int = 0  # whole passes finished
    failed: int = 0


class MemberLister:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        client: AsyncWebClient,
        tokens: BotTokens,
        *,
        max_wait: float = 0.0,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.db = db
        self.clock = clock
        self.client = client
        self.tokens = tokens
        self.max_wait = max_wait  # a slot this close is slept for; a later one waits a sweep
        self.sleep = sleep

    async def run_once(self) -> Listed:
        """Every pass due now that this replica can claim, as far as the pace allows."""
        lease = secrets.token_hex(16)
        async with self.db.transaction() as session:
            claimed = await members.claim(session, now=self.clock.now(), lease=lease)
        done = Listed()
        for team in claimed:
            try:
                await self._pass(team, lease, done)
            except Exception:  # one workspace's failure leaves the others to go on
                log.exception("users.list pass for %s failed; tried again later", team.team_id)
                done.failed += 1
                await self._put_back(team.team_id, lease, RETRY.total_seconds())
        return done

    async def _pass(self, team: Claimed, lease: str, done: Listed) -> None:
        token = await self.tokens.for_team(team.team_id)
        if token is None:
            await self._put_back(team.team_id, lease, RETRY.total_seconds())
            return
        key = pacing.key_of(team.team_id, USERS_LIST)
        cursor = team.cursor
        while True:
            wait = await self._slot(key)
            if wait > self.max_wait:
                await self._put_back(team.team_id, lease, wait)
                return
            if wait > 0:
                await self.sleep(wait)
            try:
                page = await self.client.users_list(token=token, limit=PAGE, cursor=cursor)
            except SlackApiError as exc:
                await self._refused(team.team_id, lease, key, exc, done)
                return
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("users.list for %s: %s", team.team_id, type(exc).__name__)
                await self._put_back(team.team_id, lease, RETRY.total_seconds())
                done.failed += 1
                return
            seen = [s for s in map(seen_of, page.get("members") or []) if s is not None]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
            async with self.db.transaction() as session:
                ours = await members.page_listed(
                    session,
                    team_id=team.team_id,
                    lease=lease,
                    seen=seen,
                    next_cursor=cursor,
                    now=self.clock.now(),
                )
            if not ours:
                return  # another replica took the pass over: it goes on from there
            done.pages += 1
            done.people += len(seen)
            if not cursor:
                done.passes += 1
                return

    async def _slot(self, key: pace.Key) -> float:
        """Take the next slot for a call; how many seconds away it is."""
        now = self.clock.now().timestamp()
        async with self.db.transaction() as session:
            [slot] = await pace.take(session, [pacing.want(key)], now=now)
        return slot - now

    async def _refused(
        self, team_id: str, lease: str, key: pace.Key, exc: SlackApiError, done: Listed
    ) -> None:
        error = str(exc.response.get("error") or f"http_{exc.response.status_code}")
        if exc.response.status_code == 429:
            retry_after = float(exc.response.headers.get("Retry-After", 1) or 1)
            now = self.clock.now().timestamp()
            async with self.db.transaction() as session:
                await pace.hold(session, key, until=now + retry_after, now=now)
            await self._put_back(team_id, lease, retry_after)
            return
        if error == "invalid_cursor":  # Slack no longer knows where the pass was
            await self._put_back(team_id, lease, 0.0, start_over=True)
            return
        log.warning("users.list for %s refused: %s; tried again later", team_id, error)
        done.failed += 1
        await self._put_back(team_id, lease, RETRY.total_seconds())

    async def _put_back(
        self, team_id: str, lease: str, seconds: float, *, start_over: bool = False
    ) -> None:
        due = self.clock.now() + timedelta(seconds=seconds)
        async with self.db.transaction() as session:
            await members.put_back(
                session, team_id=team_id, lease=lease, due_at=due, start_over=start_over
            )
