"""The sweeps every replica runs: each claims its share of due work in the database, so two
replicas (or an operator's `python -m bot jobs run NAME`) never do the same work twice."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.services import momentum, reminders, surveys
from bot.slack.delivery import Delivery, Sender

log = logging.getLogger(__name__)

BATCH = 500


@dataclass
class Sweeps:
    deps: Deps
    client: AsyncWebClient  # for delivery and time zones; retries are the sender's own
    sender: Sender

    @property
    def names(self) -> dict[str, Callable[[], Awaitable[str]]]:
        return {
            "momentum": self.momentum,
            "reminders": self.reminders,
            "surveys": self.surveys,
            "deliver": self.deliver,
        }

    async def run(self, name: str) -> str:
        job = self.names.get(name)
        if job is None:
            raise KeyError(f"No job called {name!r}; the jobs are {', '.join(self.names)}.")
        return await job()

    async def momentum(self) -> str:
        zones = await self._lead_zones()
        pairs = queued = 0
        while True:  # one short transaction per batch of claimed pairs
            async with self.deps.db.transaction() as session:
                result = await momentum.sweep(
                    session, now=self.deps.clock.now(), limit=BATCH, lead_zones=zones
                )
            pairs += result.pairs
            queued += result.queued
            if result.pairs < BATCH:
                break
        return f"momentum: {pairs} pairs looked at, {queued} messages queued"

    async def reminders(self) -> str:
        async with self.deps.db.transaction() as session:
            queued = await reminders.sweep(session, now=self.deps.clock.now())
        return f"reminders: {queued} messages queued"

    async def surveys(self) -> str:
        async with self.deps.db.transaction() as session:
            queued = await surveys.sweep(session, now=self.deps.clock.now())
        return f"surveys: {queued} messages queued"

    async def deliver(self) -> str:
        done: Delivery = await self.sender.run_once()
        return (
            f"deliver: {done.sent} sent, {done.retried} to retry, {done.throttled} rate-limited, "
            f"{done.paced} paced, {done.failed} failed"
        )

    async def _lead_zones(self) -> dict[str, str | None]:
        """Leads' time zones from Slack (cached), so alerts respect their quiet hours too."""
        async with self.deps.db.transaction() as session:
            leads = await momentum.running_leads(session)
        zones: dict[str, str | None] = {}
        for team_id, user_id in leads:
            try:
                profile = await self.deps.profiles.get(
                    self.client, team_id=team_id, user_id=user_id
                )
                zones[user_id] = profile.tz
            except SlackApiError:
                log.warning("no time zone for lead %s; using UTC", user_id)
                zones[user_id] = None
        return zones
