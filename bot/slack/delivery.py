"""The outbox's sender: claims due messages, renders them, and posts them at Slack's pace.

Each batch is vetted as it is claimed (services/outbox_rules): a message whose pair has paused
or ended, whose person has left, whose survey was answered or whose programme has closed is
withdrawn with the reason and never sent.

A 429 holds the channel or method for Retry-After; transient failures (5xx, timeouts,
Slack's internal errors) are retried with backoff; permanent refusals (a deactivated user, an
archived channel) fail that message alone and the rest go on.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.db import Database
from bot.services import outbox, outbox_rules
from bot.slack.pacing import Pacer
from bot.slack.tokens import BotTokens
from bot.views.outbound import UnknownKind, render

log = logging.getLogger(__name__)

TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)
POST = "chat.postMessage"


@dataclass
class Delivery:
    sent: int = 0
    retried: int = 0
    throttled: int = 0  # 429s answered by waiting as Slack asked
    paced: int = 0  # put back because the channel or method needed a pause
    failed: int = 0
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: Delivery) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.throttled += other.throttled
        self.paced += other.paced
        self.failed += other.failed
        for error, n in other.errors.items():
            self.errors[error] += n


class Sender:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        client: AsyncWebClient,
        *,
        batch: int = 100,
        concurrency: int = 8,
        max_wait: float = 0.0,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        pacer: Pacer | None = None,
        tokens: BotTokens | None = None,
    ) -> None:
        """`tokens` gives each message its workspace's bot token; without it the client's own
        token sends everything (one workspace)."""
        self.db = db
        self.clock = clock
        self.client = client
        self.batch = batch
        self.max_wait = max_wait  # waits up to this long are slept; longer ones put back
        self.sleep = sleep
        self.pacer = pacer or Pacer(lambda: clock.now().timestamp())
        self._gate = asyncio.Semaphore(concurrency)
        self.tokens = tokens

    async def run_once(self, *, max_batches: int | None = None) -> Delivery:
        """Deliver everything due now; what may not go yet stays queued with its time."""
        total = Delivery()
        batches = 0
        while max_batches is None or batches < max_batches:
            async with self.db.transaction() as session:
                claimed = await outbox.claim(
                    session, now=self.clock.now(), limit=self.batch, vet=outbox_rules.stale
                )
            if not claimed:
                break
            batches += 1
            by_channel: dict[str, list[outbox.Claimed]] = defaultdict(list)
            for item in claimed:
                by_channel[item.channel_id].append(item)
            results = await asyncio.gather(*(self._channel(items) for items in by_channel.values()))
            for result in results:
                total.add(result)
        return total

    async def _channel(self, items: list[outbox.Claimed]) -> Delivery:
        """One channel's messages in order, one at a time (Slack paces per channel)."""
        result = Delivery()
        for item in items:
            await self._one(item, result)
        return result

    async def _one(self, item: outbox.Claimed, result: Delivery) -> None:
        wait = self.pacer.reserve(POST, item.channel_id)
        if 0 < wait <= self.max_wait:
            await self.sleep(wait)
            wait = self.pacer.reserve(POST, item.channel_id)
        if wait > 0:
            result.paced += 1
            await self._release(item, wait, None, undo_attempt=True)
            return
        try:
            text, blocks = render(item.kind, item.params)
        except UnknownKind as exc:
            await self._fail(item, str(exc), result)
            return
        token = await self.tokens.for_team(item.team_id) if self.tokens else self.client.token
        if token is None:
            await self._fail(item, "the workspace has not installed the app", result)
            return
        try:
            async with self._gate:  # calls in flight at once; a channel's pause holds none
                response = await self.client.chat_postMessage(
                    token=token, channel=item.channel_id, text=text, blocks=blocks
                )
        except SlackApiError as exc:
            await self._refused(item, exc, result)
            return
        except (aiohttp.ClientError, TimeoutError) as exc:
            await self._retry(item, type(exc).__name__, result)
            return
        async with self.db.transaction() as session:
            await outbox.mark_sent(
                session, outbox_id=item.id, ts=response.get("ts"), now=self.clock.now()
            )
        result.sent += 1

    async def _refused(self, item: outbox.Claimed, exc: SlackApiError, result: Delivery) -> None:
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"http_{status}")
        result.errors[error] += 1
        if status == 429:
            retry_after = float(exc.response.headers.get("Retry-After", 1) or 1)
            self.pacer.hold(POST, retry_after, item.channel_id)
            result.throttled += 1
            await self._release(item, retry_after, error, undo_attempt=True)
        elif status >= 500 or error in TRANSIENT_ERRORS:
            await self._retry(item, error, result)
        else:
            await self._fail(item, error, result)

    async def _retry(self, item: outbox.Claimed, error: str, result: Delivery) -> None:
        if item.attempts >= outbox.MAX_ATTEMPTS:
            await self._fail(item, f"{error} (gave up after {item.attempts} attempts)", result)
            return
        result.retried += 1
        delay = outbox.retry_delay(item.attempts).total_seconds()
        await self._release(item, delay, error)

    async def _fail(self, item: outbox.Claimed, error: str, result: Delivery) -> None:
        log.warning("Message %s to %s failed for good: %s", item.key, item.channel_id, error)
        result.failed += 1
        async with self.db.transaction() as session:
            await outbox.mark_failed(session, outbox_id=item.id, error=error, now=self.clock.now())

    async def _release(
        self, item: outbox.Claimed, seconds: float, error: str | None, *, undo_attempt: bool = False
    ) -> None:
        async with self.db.transaction() as session:
            await outbox.release(
                session,
                outbox_id=item.id,
                due_at=self.clock.now() + timedelta(seconds=seconds),
                error=error,
                undo_attempt=undo_attempt,
            )
