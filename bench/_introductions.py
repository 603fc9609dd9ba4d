"""The delivery part of bench/sweep.py for Slack's per-method tiers: a 2,000-pair introduction
(each pair's group DM opened with conversations.open, Tier 3, then the introduction posted in
it) and, at the same time, a Home refresh for each mentee (views.publish, Tier 4), sent by two
replicas' senders (each its own connections and client) sharing one database, against the
Slack double with its rate limits on.

For each method it prints the calls, the 429s, the busiest 60 s as the double counts them
beside the tier, and the sustained rate beside the tier's (the anchor) with their ratio. A
sender may start a whole window's calls at once, so the time from the first call to the last
would count the last burst without the minute it stands for. The sustained rate is measured
the way the tier is set: each call starts some time after the call `limit` places before it,
and `limit` calls per the median of those times is the rate the run kept up. Then whether
anything was lost or sent twice.

With `--clock real` (the default) the app and the double run on the machine's clocks and the
replicas sweep every 2 s, as the scheduler does: about 41 minutes for 2,000 introductions.
With `--clock virtual` both run on one fake clock that jumps to the next message's slot: the
same schedule in seconds of real time (the pacing alone, without the machine's timing).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select, update

from bench._double import TEAM, bench_workspace
from bot.clock import Clock, FakeClock, SystemClock
from bot.config import Settings
from bot.db import Database
from bot.deps import build_deps
from bot.flows.home import home_builder, home_refresh
from bot.jobs.scheduler import INTERVAL_SECONDS, SENDER_MAX_WAIT
from bot.migrate import upgrade_head
from bot.models import Outbox, OutboxStatus, Pair, PairStatus
from bot.sandbox.double import SlackDouble, User
from bot.sandbox.double.recording import RecordedCall
from bot.sandbox.seed import seed_active_pairs
from bot.services import outbox
from bot.services.matching.runs import introduction
from bot.services.people import Profile
from bot.slack import pacing
from bot.slack.client import build_web_client
from bot.slack.delivery import OPEN, POST, PUBLISH, Delivery, Sender

TOKEN = "xoxb-bench"
WINDOW = 60.0  # Slack's, as the double counts


@dataclass
class Run:
    clock: Clock
    double: SlackDouble
    senders: list[Sender]
    databases: list[Database]
    advance: Callable[[], Any]  # between sweeps: sleep, or jump the fake clock


async def introduction_figures(pairs: int, replicas: int, clock: str) -> None:
    fake = FakeClock() if clock == "virtual" else None
    workspace = bench_workspace(0, TOKEN)
    slack_time = (lambda: fake.now().timestamp()) if fake else time.monotonic
    double = SlackDouble(workspace, rate_limits=True, clock=slack_time)
    await double.start()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/introduce.db"
        db = Database(url)
        await upgrade_head(db)
        run = await _replicas(double, url, db, fake, replicas)
        await _queue(run, db, workspace, pairs)
        double.clear_calls()
        started = time.perf_counter()
        totals = await _sweep_until_done(run, db)
        took = time.perf_counter() - started
        _print_rates(double, pairs, took, clock, replicas, totals)
        await _print_losses(double, db, pairs)
        for database in run.databases:
            await database.dispose()
    await double.stop()


async def _replicas(
    double: SlackDouble, url: str, db: Database, fake: FakeClock | None, count: int
) -> Run:
    clock: Clock = fake or SystemClock()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=SecretStr(TOKEN),
        slack_api_url=double.api_url,
        database_url=url,
    )
    databases = [db, *(Database(url) for _ in range(count - 1))]
    senders = []
    for database in databases:
        deps = build_deps(settings, database, clock)
        senders.append(
            Sender(
                database,
                clock,
                build_web_client(settings, retries=False),
                max_wait=0.0 if fake else SENDER_MAX_WAIT,
                homes=home_builder(deps),
            )
        )

    async def advance() -> None:
        if fake is None:
            await asyncio.sleep(INTERVAL_SECONDS["deliver"])
            return
        async with db.transaction() as session:
            due = await session.scalar(
                select(func.min(Outbox.due_at)).where(Outbox.status == OutboxStatus.PENDING)
            )
        if due is not None and due > fake.now():
            fake.set(due)

    return Run(clock, double, senders, databases, advance)


async def _queue(run: Run, db: Database, workspace: Any, pairs: int) -> None:
    """Approved pairs of people the double knows, each introduction queued (as an approval
    queues them), and a Home refresh for each mentee (as each opening the tab queues it)."""
    now = run.clock.now()
    seeded = await seed_active_pairs(db, pairs=pairs, due=0, now=now, team_id=TEAM)
    for user_id in seeded.user_ids:
        workspace.add_user(User(id=user_id, name=user_id.lower(), real_name=user_id))
    async with db.transaction() as session:
        await session.execute(
            update(Pair).values(status=PairStatus.INTRODUCED, confirmed_at=None, agreed_at=None)
        )
        ids = list(await session.scalars(select(Pair.id).order_by(Pair.id)))
        await outbox.enqueue(session, [introduction(TEAM, i) for i in ids], now=now)
        mentees = seeded.user_ids[pairs:]
        homes = [home_refresh(TEAM, Profile(u, u, None)) for u in mentees]
        await outbox.queue_again(session, homes, now=now)


async def _sweep_until_done(run: Run, db: Database) -> Delivery:
    total = Delivery()
    while True:
        for done in await asyncio.gather(*(s.run_once() for s in run.senders)):
            total.add(done)
        async with db.transaction() as session:
            left = await session.scalar(
                select(func.count()).where(
                    Outbox.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING))
                )
            )
        if not left:
            return total
        await run.advance()


def _print_rates(
    double: SlackDouble, pairs: int, took: float, clock: str, replicas: int, total: Delivery
) -> None:
    print(
        f"introduce  {pairs:,} pairs and {pairs:,} Home refreshes, {replicas} replicas, "
        f"{clock} clock: {took:.1f} s; sender: {total.sent:,} sent, {total.paced:,} put back "
        f"for their slots, {total.throttled} rate-limited, {total.retried} retried, "
        f"{total.failed} failed"
    )
    for method in (OPEN, PUBLISH, POST):
        calls = double.calls_to(method)
        refused = sum(1 for c in calls if c.http_status == 429)
        print(
            f"  {method:<19} {len(calls):,} calls, {refused} answered 429; {_rate(method, calls)}"
        )


def _rate(method: str, calls: list[RecordedCall]) -> str:
    times = sorted(c.at for c in calls if c.ok)
    if len(times) < 2:
        return "too few calls to time"
    if method not in pacing.METHOD_TIERS:
        span = times[-1] - times[0]
        return (
            f"{len(times) / span * 60:.1f}/min over {span:.0f} s (its pace is a message a "
            "second per channel; each introduction follows its conversations.open)"
        )
    tier = pacing.PER_MINUTE[pacing.METHOD_TIERS[method]]
    busiest = max(sum(1 for t in times if s - WINDOW < t <= s) for s in times)
    if len(times) <= tier:
        return f"busiest 60 s {busiest} (tier {tier}); fewer calls than a minute allows"
    gap = statistics.median(b - a for a, b in zip(times, times[tier:], strict=False))
    sustained = tier / gap * 60
    return (
        f"busiest 60 s {busiest} (tier {tier}); sustained {sustained:.1f}/min against the "
        f"tier's {tier}/min: {sustained / tier:.3f}"
    )


async def _print_losses(double: SlackDouble, db: Database, pairs: int) -> None:
    async with db.transaction() as session:
        statuses = Counter(
            (kind, status.value)
            for kind, status in await session.execute(select(Outbox.kind, Outbox.status))
        )
        introduced = await session.scalar(
            select(func.count()).where(
                Pair.intro_ts.is_not(None), Pair.conversation_id.is_not(None)
            )
        )
        channels = list(await session.scalars(select(Pair.conversation_id)))
    posted = Counter(len(double.messages(c)) for c in channels if c)
    homes = sum(1 for c in double.calls_to(PUBLISH) if c.ok)
    print(
        f"  outbox {dict(statuses)}; {introduced:,} of {pairs:,} pairs introduced, "
        f"introductions per group DM {dict(posted)}; {homes:,} Homes published"
    )
