"""The outbox's sender: claims due messages, renders them, and makes their Web API calls at
Slack's pace.

Each batch is vetted as it is claimed (services/outbox_rules): a message whose pair has paused
or ended, whose person has left, whose survey was answered or whose programme has closed is
withdrawn with the reason and never sent.

Every call takes a slot first (bot/slack/pacing), shared with every replica through the
database: the first call of each claimed message takes its slot in the claim's transaction.
A slot no further off than `max_wait` is waited for; a message whose slot is later goes back
to the outbox holding it, due `max_wait` before it, so a later run picks it up in time.

A 429 holds the channel or method for Retry-After, for every replica; transient failures
(5xx, timeouts, Slack's internal errors) are retried with backoff; permanent refusals (a
deactivated user, an archived channel) fail that message alone and the rest go on.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.services import direct_channels, outbox, outbox_rules, pace, pairs
from bot.services.outbox import Kind
from bot.slack import pacing
from bot.slack.tokens import BotTokens
from bot.views.matching import intro_message
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
OPEN = "conversations.open"
PUBLISH = "views.publish"
# A person's Home view, built when it goes: (team, user, the message's params) -> the view.
HomeBuilder = Callable[[str, str, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass
class Delivery:
    sent: int = 0
    retried: int = 0
    throttled: int = 0  # 429s answered by waiting as Slack asked
    paced: int = 0  # put back because the channel or method needed a pause
    failed: int = 0
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    queued_again: int = 0  # sent, and queued again meanwhile: due at once

    def add(self, other: Delivery) -> None:
        self.sent += other.sent
        self.queued_again += other.queued_again
        self.retried += other.retried
        self.throttled += other.throttled
        self.paced += other.paced
        self.failed += other.failed
        for error, n in other.errors.items():
            self.errors[error] += n


class Later(Exception):
    """The call may not start yet: the message goes back until `at`, holding its slot when it
    has one (after a hold it takes a fresh one then)."""

    def __init__(self, at: float, slot: float | None = None) -> None:
        super().__init__(f"not before {at}")
        self.at = at
        self.slot = slot


@dataclass
class Job:
    """A claimed message on its way: where it posts, and the slot for its next call."""

    item: outbox.Claimed
    channel: str
    slot: float | None = None  # taken with the claim, for the first call
    key: pace.Key | None = None  # the pace of the call in progress (a 429 holds it)
    learnt: direct_channels.Learnt | None = None  # the person's DM, as Slack's answer named it


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
        tokens: BotTokens | None = None,
        homes: HomeBuilder | None = None,
        in_order: bool = False,
    ) -> None:
        """`tokens` gives each message its workspace's bot token; without it the client's own
        token sends everything (one workspace). `homes` builds the Home views it publishes.
        With `in_order`, one message at a time in the order claimed (a listener's few: Slack
        sees them in the same order every time)."""
        self.db = db
        self.clock = clock
        self.client = client
        self.batch = batch
        self.max_wait = max_wait  # waits up to this long are slept; longer ones put back
        self.sleep = sleep
        self._gate = asyncio.Semaphore(concurrency)
        self.tokens = tokens
        self.homes = homes
        self.in_order = in_order
        # Holds this sender learnt from Slack: slots it took before one are not used.
        self._holds: dict[pace.Key, float] = {}

    async def run_once(
        self, *, max_batches: int | None = None, keys: Sequence[str] | None = None
    ) -> Delivery:
        """Deliver everything due now (only the messages with `keys`, when given); what may
        not go yet stays queued with its time."""
        total = Delivery()
        batches = 0
        while max_batches is None or batches < max_batches:
            now = self.clock.now()
            async with self.db.transaction() as session:
                claimed = await outbox.claim(
                    session, now=now, limit=self.batch, vet=outbox_rules.stale, keys=keys
                )
                jobs = await self._plan(session, claimed, now, total)
            if not claimed:
                break
            batches += 1
            if self.in_order:
                results = [await self._run(job) for job in jobs]
            else:
                results = await asyncio.gather(*(self._run(job) for job in jobs))
            for result in results:
                total.add(result)
            await self._remember([job.learnt for job in jobs if job.learnt is not None])
            # Another claim would find none of the keyed messages due, unless one was queued
            # again while it went: spare its transaction.
            again = any(result.queued_again for result in results)
            if keys is not None and len(claimed) < self.batch and not again:
                break
        return total

    async def _remember(self, learnt: list[direct_channels.Learnt]) -> None:
        """The DMs Slack named in this batch's answers, kept in one go."""
        if learnt:
            async with self.db.transaction() as session:
                await direct_channels.remember(session, learnt)

    async def _plan(
        self, session: AsyncSession, claimed: list[outbox.Claimed], now: datetime, total: Delivery
    ) -> list[Job]:
        """The jobs that may go now; the rest go back to wait for the slots they took."""
        jobs = await self._jobs(session, claimed)
        at = now.timestamp()
        wants = [pacing.want(self._first_key(job), _seconds(job.item.slot_at)) for job in jobs]
        ready, waits = [], []
        for job, slot in zip(jobs, await pace.take(session, wants, now=at), strict=True):
            if slot - at <= self.max_wait:
                job.slot = slot
                ready.append(job)
            else:
                due = _moment(max(at, slot - self.max_wait))
                waits.append(outbox.Wait(job.item.id, job.item.attempts - 1, due, _moment(slot)))
        await outbox.wait_for_slots(session, waits)
        total.paced += len(waits)
        return ready

    async def _jobs(self, session: AsyncSession, claimed: list[outbox.Claimed]) -> list[Job]:
        """A job per message; one to a person goes to their DM's own id once it is known."""
        people = [(c.team_id, c.channel_id) for c in claimed if _to_a_person(c)]
        dms = await direct_channels.known(session, people)
        return [Job(c, dms.get((c.team_id, c.channel_id), c.channel_id)) for c in claimed]

    def _first_key(self, job: Job) -> pace.Key:
        item = job.item
        if item.kind == Kind.HOME:
            return pacing.key_of(item.team_id, PUBLISH)
        if item.kind == Kind.INTRO and not item.channel_id:
            return pacing.key_of(item.team_id, OPEN)
        return pacing.key_of(item.team_id, POST, job.channel)

    async def _run(self, job: Job) -> Delivery:
        result = Delivery()
        item = job.item
        try:
            await self._deliver(job, result)
        except Later as later:
            result.paced += 1
            await self._release(
                item, later.at - self._now(), None, undo_attempt=True, slot=later.slot
            )
        except SlackApiError as exc:
            await self._refused(job, exc, result)
        except (aiohttp.ClientError, TimeoutError) as exc:
            await self._retry(item, type(exc).__name__, result)
        return result

    async def _deliver(self, job: Job, result: Delivery) -> None:
        item = job.item
        token = await self.tokens.for_team(item.team_id) if self.tokens else self.client.token
        if token is None:
            await self._fail(item, "the workspace has not installed the app", result)
        elif item.kind == Kind.INTRO:
            await self._introduce(job, token, result)
        elif item.kind == Kind.HOME:
            await self._publish_home(job, token, result)
        else:
            await self._post(job, token, result)

    async def _post(self, job: Job, token: str, result: Delivery) -> None:
        item = job.item
        try:
            text, blocks = render(item.kind, item.params)
        except UnknownKind as exc:
            await self._fail(item, str(exc), result)
            return
        response = await self._call(
            job,
            POST,
            job.channel,
            lambda: self.client.chat_postMessage(
                token=token, channel=job.channel, text=text, blocks=blocks or None
            ),
        )
        async with self.db.single_statement() as session:
            await self._sent(session, item, response.get("ts"), result)
        posted_in = response.get("channel")
        if posted_in and job.channel != posted_in and _to_a_person(item):
            job.learnt = direct_channels.Learnt(item.team_id, item.channel_id, posted_in)

    async def _publish_home(self, job: Job, token: str, result: Delivery) -> None:
        """The person's Home as the database says now (built once the slot has come)."""
        item, homes = job.item, self.homes
        if homes is None:
            await self._fail(item, "this sender builds no Home views", result)
            return
        user_id = item.channel_id

        async def publish() -> Any:
            view = await homes(item.team_id, user_id, item.params)
            return await self.client.views_publish(token=token, user_id=user_id, view=view)

        await self._call(job, PUBLISH, "", publish)
        async with self.db.single_statement() as session:
            await self._sent(session, item, None, result)

    async def _introduce(self, job: Job, token: str, result: Delivery) -> None:
        """Open the pair's group DM (unless an earlier try did), then introduce them in it."""
        item = job.item
        async with self.db.transaction() as session:
            found = await pairs.load_pair(
                session, team_id=item.team_id, pair_id=int(item.params["pair_id"])
            )
        if found is None:
            await self._fail(item, "the pair is gone", result)
            return
        _, pair = found
        if not item.channel_id:
            users = f"{pair.mentor.user_id},{pair.mentee.user_id}"
            opened = await self._call(
                job, OPEN, "", lambda: self.client.conversations_open(token=token, users=users)
            )
            job.channel = opened["channel"]["id"]
            async with self.db.transaction() as session:  # a later try posts without opening
                await outbox.set_channel(session, outbox_id=item.id, channel_id=job.channel)
        text, blocks = intro_message(pair)
        posted = await self._call(
            job,
            POST,
            job.channel,
            lambda: self.client.chat_postMessage(
                token=token, channel=job.channel, text=text, blocks=blocks
            ),
        )
        async with self.db.transaction() as session:
            await self._sent(session, item, posted["ts"], result)
            await pairs.mark_introduced(
                session, pair_id=pair.id, conversation_id=job.channel, intro_ts=posted["ts"]
            )

    async def _sent(
        self, session: AsyncSession, item: outbox.Claimed, ts: str | None, result: Delivery
    ) -> None:
        if not await outbox.mark_sent(session, outbox_id=item.id, ts=ts, now=self.clock.now()):
            result.queued_again += 1
        result.sent += 1

    async def _call(
        self, job: Job, method: str, channel: str, call: Callable[[], Awaitable[Any]]
    ) -> Any:
        """One Web API call in its slot: the one taken with the claim, or a fresh one."""
        job.key = pacing.key_of(job.item.team_id, method, channel)
        slot = job.slot if job.slot is not None else await self._slot(job.key)
        job.slot = None
        held = self._holds.get(job.key, 0.0)
        if held > slot:  # a 429 in this run, after the slot was given
            raise Later(held)
        wait = slot - self._now()
        if wait > self.max_wait:
            raise Later(slot, slot)
        if wait > 0:
            await self.sleep(wait)
        async with self._gate:  # calls in flight at once; a pause holds none
            return await call()

    async def _slot(self, key: pace.Key) -> float:
        async with self.db.transaction() as session:
            [slot] = await pace.take(session, [pacing.want(key)], now=self._now())
        return slot

    def _now(self) -> float:
        return self.clock.now().timestamp()

    async def _refused(self, job: Job, exc: SlackApiError, result: Delivery) -> None:
        item = job.item
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"http_{status}")
        result.errors[error] += 1
        if status == 429:
            retry_after = float(exc.response.headers.get("Retry-After", 1) or 1)
            if job.key is not None:
                now = self._now()
                self._holds[job.key] = max(self._holds.get(job.key, 0.0), now + retry_after)
                async with self.db.transaction() as session:
                    await pace.hold(session, job.key, until=now + retry_after, now=now)
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
        self,
        item: outbox.Claimed,
        seconds: float,
        error: str | None,
        *,
        undo_attempt: bool = False,
        slot: float | None = None,
    ) -> None:
        """Back to the outbox for `seconds` (holding `slot` for its next call, when given)."""
        if slot is not None:
            seconds = max(0.0, seconds - self.max_wait)
        async with self.db.transaction() as session:
            await outbox.release(
                session,
                outbox_id=item.id,
                due_at=self.clock.now() + timedelta(seconds=seconds),
                error=error,
                undo_attempt=undo_attempt,
                slot_at=_moment(slot) if slot is not None else None,
            )


def _to_a_person(item: outbox.Claimed) -> bool:
    """A message posted to a user id: it lands in the app's DM with them."""
    return item.kind not in (Kind.HOME, Kind.INTRO) and direct_channels.is_user_id(item.channel_id)


def _seconds(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
