"""APScheduler in the bot's process: the few sweeps on intervals. Every replica runs the
same jobs; the database decides who does what."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.deps import Deps
from bot.jobs.sweeps import Sweeps
from bot.slack.client import build_web_client
from bot.slack.delivery import HomeBuilder, Sender

log = logging.getLogger(__name__)

INTERVAL_SECONDS = {
    "deliver": 2,
    "momentum": 600,
    "reminders": 600,
    "surveys": 1800,
    "programmes": 1800,
    "resources": 3600,
}
# The sender sleeps through short pauses (a channel's one-second pace) rather than re-queue.
SENDER_MAX_WAIT = 1.5


def build_sweeps(
    deps: Deps, *, homes: HomeBuilder | None, max_wait: float = SENDER_MAX_WAIT
) -> Sweeps:
    """The sweeps, their sender publishing Home views that `homes` builds."""
    client = build_web_client(deps.settings, retries=False, metrics=deps.metrics, http=deps.http)
    sender = Sender(deps.db, deps.clock, client, max_wait=max_wait, tokens=deps.tokens, homes=homes)
    return Sweeps(deps, client, sender)


def start_scheduler(sweeps: Sweeps) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def run(name: str) -> None:
        try:
            summary = await sweeps.run(name)
        except Exception:
            log.exception("The %s sweep failed; it runs again at its next interval", name)
            return
        log.debug(summary)

    for name, seconds in INTERVAL_SECONDS.items():
        # One run of a job at a time per replica; a missed run is folded into the next.
        scheduler.add_job(
            run,
            "interval",
            seconds=seconds,
            args=[name],
            id=name,
            max_instances=1,
            coalesce=True,
        )
    scheduler.start()
    return scheduler
