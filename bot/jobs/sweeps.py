"""The sweeps every replica runs: each claims its share of due work in the database, so two
replicas (or an operator's `python -m bot jobs run NAME`) never do the same work twice. Within
a sweep each item fails on its own (services/sweeping.py); the summary says how many did."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.deps import Deps
from bot.observe import logs
from bot.observe.metrics import Swept
from bot.services import (
    lifecycle,
    momentum,
    pace,
    preparation,
    purge,
    reminders,
    replays,
    resources,
    socials,
    sponsors,
    surveys,
    sweeping,
)
from bot.services.matching import choosing
from bot.slack.delivery import Delivery, Sender
from bot.slack.members import MemberLister

log = logging.getLogger(__name__)

BATCH = 500
# Batches one replica sweeps at once on PostgreSQL, each on its own connection.
LANES = 2
T = TypeVar("T")
Done_co = TypeVar("Done_co", covariant=True)


class _Step(Protocol[Done_co]):
    """A service's sweep step: a session and the time in, what it did out."""

    def __call__(self, session: AsyncSession, /, *, now: datetime) -> Awaitable[Done_co]: ...


@dataclass
class Sweeps:
    deps: Deps
    # For delivery and time zones, with each workspace's token; retries are the sender's own.
    client: AsyncWebClient
    sender: Sender
    # The workspaces' people for retention, paged through users.list at its tier's pace.
    lister: MemberLister = field(init=False)

    def __post_init__(self) -> None:
        deps = self.deps
        self.lister = MemberLister(
            deps.db,
            deps.clock,
            self.client,
            deps.tokens,
            max_wait=self.sender.max_wait,
            sleep=self.sender.sleep,
        )

    @property
    def names(self) -> dict[str, Callable[[], Awaitable[Swept]]]:
        return {
            "momentum": self.momentum,
            "reminders": self.reminders,
            "surveys": self.surveys,
            "programmes": self.programmes,
            "resources": self.resources,
            "deliver": self.deliver,
        }

    async def run(self, name: str) -> str:
        """Run one sweep, timed and counted in the app's metrics; returns its summary."""
        job = self.names.get(name)
        if job is None:
            raise KeyError(f"No job called {name!r}; the jobs are {', '.join(self.names)}.")
        metrics = self.deps.metrics
        with logs.bound(sweep=name), metrics.sweep_seconds.labels(name).time():
            try:
                done = await job()
            except Exception:
                metrics.sweep_runs.labels(name, "error").inc()
                raise
        metrics.swept(name, done)
        return done.summary

    async def momentum(self) -> Swept:
        paused = await self._now(momentum.end_pauses)
        zones = await self._lead_zones()
        done = await sweep_momentum(self.deps.db, self.deps.clock.now(), lead_zones=zones)
        failed = done.failed + len(paused.failed)
        return Swept(
            f"momentum: {done.pairs} pairs looked at, {done.queued} messages queued, "
            f"{len(paused.results)} pauses ended, {failed} failed",
            handled=done.pairs + len(paused.results),
            failed=failed,
        )

    async def reminders(self) -> Swept:
        waiting = await self._now(reminders.sweep)
        lapsed = await self._now(choosing.expire)  # mentees' requests nobody answered in time
        going = await self._now(socials.remind)  # people going to a social, the day before
        queued = waiting.queued + lapsed.queued + going.queued
        failed = waiting.failed + lapsed.failed + going.failed
        return Swept(
            f"reminders: {queued} messages queued, {failed} failed", handled=queued, failed=failed
        )

    async def surveys(self) -> Swept:
        return await self._queueing("surveys", surveys.sweep)

    async def programmes(self) -> Swept:
        zones = await self._zones(await self._now(sponsors.sponsors_to_tell))
        async with self.deps.db.transaction() as session:
            now = self.deps.clock.now()
            moved = await lifecycle.sweep(session, now=now, sponsor_zones=zones)
        async with self.deps.db.transaction() as session:
            digests = await sponsors.sweep(session, now=self.deps.clock.now(), zones=zones)
        purged = await self._now(purge.sweep)
        await self._now(replays.forget_old)
        await self._now(pace.forget_old)
        listed = await self.lister.run_once()
        failed = moved.failed + digests.failed + purged.failed + listed.failed
        return Swept(
            f"programmes: {moved.reviewing} moved to review, {moved.closed} closed, "
            f"{moved.queued + digests.queued} messages queued, "
            f"{len(purged.names)} purged of free text, "
            f"{listed.people} workspace members listed ({listed.pages} pages), {failed} failed",
            handled=moved.reviewing
            + moved.closed
            + digests.queued
            + len(purged.names)
            + listed.pages,
            failed=failed,
        )

    async def resources(self) -> Swept:
        """The library's posts to the safe spaces, then the preparation tracks' lessons."""
        posts = await self._now(resources.sweep)
        lessons = await self._now(preparation.sweep)
        failed = posts.failed + lessons.failed
        return Swept(
            f"resources: {posts.queued} posts queued, {lessons.queued} lessons queued, "
            f"{failed} failed",
            handled=posts.queued + lessons.queued,
            failed=failed,
        )

    async def deliver(self) -> Swept:
        done: Delivery = await self.sender.run_once()
        return Swept(
            f"deliver: {done.sent} sent, {done.retried} to retry, {done.throttled} rate-limited, "
            f"{done.paced} paced, {done.failed} failed",
            handled=done.sent + done.retried + done.throttled + done.paced + done.failed,
            failed=done.failed,
        )

    async def _now(self, step: _Step[T]) -> T:
        """One step in a transaction of its own, as of the clock's time when it starts."""
        async with self.deps.db.transaction() as session:
            return await step(session, now=self.deps.clock.now())

    async def _queueing(
        self, name: str, step: _Step[sweeping.Queued], *, what: str = "messages"
    ) -> Swept:
        """A sweep that queues messages (or posts), and its summary."""
        done = await self._now(step)
        return Swept(
            f"{name}: {done.queued} {what} queued, {done.failed} failed",
            handled=done.queued,
            failed=done.failed,
        )

    async def _lead_zones(self) -> dict[str, str | None]:
        """Leads' time zones from Slack (cached), so alerts respect their quiet hours too."""
        async with self.deps.db.transaction() as session:
            leads = await momentum.running_leads(session)
        return await self._zones(leads)

    async def _zones(self, people: set[tuple[str, str]]) -> dict[str, str | None]:
        """The time zones Slack has for these (team, user) people (cached); None, so UTC,
        where Slack does not answer."""
        zones: dict[str, str | None] = {}
        for team_id, user_id in people:
            try:
                token = await self.deps.tokens.for_team(team_id)  # the lead's workspace's
                profile = await self.deps.profiles.get(
                    self.client, team_id=team_id, user_id=user_id, token=token
                )
                zones[user_id] = profile.tz
            except SlackApiError:
                log.warning("no time zone for %s; using UTC", user_id)
                zones[user_id] = None
        return zones


async def sweep_momentum(
    db: Database,
    now: datetime,
    *,
    lead_zones: dict[str, str | None] | None = None,
    batch: int = BATCH,
) -> momentum.SweepResult:
    """Every due pair this replica can claim, one short transaction per batch. Past the first
    full batch, on PostgreSQL, LANES batches go at once, each on its own connection, so this
    replica's work on one batch overlaps the database's on another."""

    async def one_batch() -> momentum.SweepResult:
        async with db.transaction() as session:
            return await momentum.sweep(session, now=now, limit=batch, lead_zones=lead_zones)

    async def lane() -> momentum.SweepResult:
        done = momentum.SweepResult(0, 0)
        while True:
            result = await one_batch()
            done = done + result
            if result.pairs < batch:  # another lane or replica holds the rest, or none is left
                return done

    first = await one_batch()
    if first.pairs < batch:
        return first
    # SQLite writes one transaction at a time: a second lane would only wait for the first.
    lanes = await asyncio.gather(*(lane() for _ in range(1 if db.is_sqlite else LANES)))
    return sum(lanes, first)
