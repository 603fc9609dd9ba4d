"""Scheduler figures: one momentum sweep over 100,000 active pairs of which 20,000 are due,
run by two replicas (processes) at once, on SQLite and on PostgreSQL (time to claim and
queue, and the duplicates found); then the outbox's delivery rate against the Slack double
with its rate limits on (the per-channel pace of chat.postMessage), and the 429s it sent; then
a 2,000-pair introduction with a Home refresh each, by two replicas, against each method's
tier (bench/_introductions.py: about 41 minutes on the real clock).

    .venv/bin/python bench/sweep.py [--pairs 100000 --due 20000] [--backends sqlite,postgresql]
        [--batch 500]  (pairs per transaction; the default is the scheduler's own)
        [--intro-pairs 2000 --intro-replicas 2 --intro-clock real|virtual]  (0 pairs: skip it)
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bench._double import TEAM, bench_workspace  # noqa: E402
from bench._introductions import introduction_figures  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.jobs.sweeps import BATCH, sweep_momentum  # noqa: E402
from bot.migrate import upgrade_head  # noqa: E402
from bot.models import Outbox, OutboxStatus, Pair  # noqa: E402
from bot.sandbox.double import Channel, SlackDouble  # noqa: E402
from bot.sandbox.seed import seed_active_pairs  # noqa: E402
from bot.services import outbox  # noqa: E402
from bot.slack.client import build_web_client  # noqa: E402
from bot.slack.delivery import Delivery, Sender  # noqa: E402

PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TOKEN = "xoxb-bench"


def replica(url: str, now: datetime, batch: int, ready: Any, go: Any, results: Any) -> None:
    """One replica in its own process, as in production: its own connections and CPU."""

    async def run() -> int:
        db = Database(url)
        async with db.transaction() as session:  # connect before the start line
            await session.execute(text("SELECT 1"))
        ready.release()
        go.wait()
        try:
            return (await sweep_momentum(db, now, batch=batch)).pairs
        finally:
            await db.dispose()

    results.put(asyncio.run(run()))


def two_replicas(url: str, now: datetime, batch: int) -> tuple[int, int, float]:
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Semaphore(0), context.Event(), context.Queue()
    workers = [
        context.Process(target=replica, args=(url, now, batch, ready, go, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.acquire()
    started = time.perf_counter()
    go.set()
    first, second = results.get(), results.get()
    took = time.perf_counter() - started
    for worker in workers:
        worker.join()
    return first, second, took


async def settle(db: Database) -> None:
    """What a running database has that one just bulk-loaded has not: planner statistics,
    and the load's writes checkpointed rather than flushed during the sweep."""
    async with db.engine.connect() as conn:
        if db.is_sqlite:
            await conn.execute(text("ANALYZE"))
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        else:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
            await conn.execute(text("CHECKPOINT"))


async def sweep_figures(name: str, url: str, pairs: int, due: int, batch: int) -> None:
    db = Database(url)
    await upgrade_head(db)
    now = datetime.now(UTC)
    started = time.perf_counter()
    await seed_active_pairs(db, pairs=pairs, due=due, now=now)
    await settle(db)
    seeded = time.perf_counter() - started
    first, second, took = await asyncio.to_thread(two_replicas, url, now, batch)
    async with db.transaction() as session:
        queued = await session.scalar(select(func.count()).select_from(Outbox))
        duplicates = await session.scalar(
            select(func.count()).select_from(
                select(Outbox.pair_id, Outbox.participant_id, Outbox.kind)
                .group_by(Outbox.pair_id, Outbox.participant_id, Outbox.kind)
                .having(func.count() > 1)
                .subquery()
            )
        )
        stepped = await session.scalar(select(func.count()).where(Pair.ladder_step == 1))
    await db.dispose()
    print(
        f"{name:<10} {pairs:,} pairs, {due:,} due (seeded in {seeded:.0f} s): two replicas "
        f"claimed {first:,} + {second:,} = {first + second:,} pairs (batches of {batch:,}) "
        f"and queued {queued:,} nudges in {took:.2f} s; {duplicates} duplicates; "
        f"{stepped:,} pairs on rung 1"
    )


async def delivery_figures(channels: int, per_channel: int, dms: int) -> None:
    workspace = bench_workspace(dms, TOKEN)
    for n in range(channels):
        workspace.add_channel(Channel(id=f"C{n:05d}", name=f"pair-{n}", members=set()))
    double = SlackDouble(workspace, rate_limits=True)
    await double.start()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{folder}/deliver.db")
        await upgrade_head(db)
        clock = SystemClock()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token=TOKEN,
            slack_api_url=double.api_url,
            database_url=db.url,
        )
        client = build_web_client(settings, retries=False)
        sender = Sender(db, clock, client, max_wait=1.5)
        people = [u for u in workspace.users if u != workspace.bot_user_id][:dms]
        # Each message is about a live pair, so the sender's checks find it still wanted.
        await seed_active_pairs(
            db, pairs=max(dms, channels * per_channel), due=0, now=clock.now(), team_id=TEAM
        )
        async with db.transaction() as session:
            pairs = (await session.execute(select(Pair.id, Pair.mentee_id))).all()
        for label, targets, shared_by in (
            (
                f"{channels} channels x {per_channel}",
                [f"C{n:05d}" for n in range(channels)] * per_channel,
                channels,
            ),
            (f"{dms:,} DMs", people, None),
        ):
            async with db.transaction() as session:
                await outbox.enqueue(
                    session,
                    [
                        outbox.Message(
                            key=f"{label}:{n}",
                            kind=outbox.Kind.PAUSE_OVER,
                            team_id=workspace.team_id,
                            channel_id=channel,
                            params={"pair_id": pair_id, "partner": "Mia", "programme": "Bench"},
                            pair_id=pair_id,
                            participant_id=mentee_id,
                        )
                        for n, (channel, (pair_id, mentee_id)) in enumerate(
                            zip(targets, pairs, strict=False)
                        )
                    ],
                    now=clock.now(),
                )
            double.clear_calls()
            total = Delivery()
            started = time.perf_counter()
            while True:
                total.add(await sender.run_once())
                async with db.transaction() as session:
                    left = await session.scalar(
                        select(func.count()).where(Outbox.status == OutboxStatus.PENDING)
                    )
                if not left:
                    break
                await asyncio.sleep(0.2)
            took = time.perf_counter() - started
            refused = sum(1 for c in double.calls_to("chat.postMessage") if c.http_status == 429)
            rate = total.sent / took
            per = f", {rate / shared_by:.2f}/s per channel" if shared_by else ""
            print(
                f"deliver    {label}: {total.sent:,} sent in {took:.1f} s ({rate:.1f}/s{per}); "
                f"429s from Slack: {refused}, handled by waiting: {total.throttled}; "
                f"failed: {total.failed}"
            )
        await db.dispose()
    await double.stop()


async def pg_database() -> tuple[str, str]:
    name = f"bench_sweep_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return name, PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


async def drop_pg(name: str) -> None:
    admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--batch", type=int, default=BATCH, help="pairs per transaction")
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--per-channel", type=int, default=10)
    parser.add_argument("--dms", type=int, default=2000)
    parser.add_argument("--intro-pairs", type=int, default=2000)
    parser.add_argument("--intro-replicas", type=int, default=2)
    parser.add_argument("--intro-clock", choices=("real", "virtual"), default="real")
    args = parser.parse_args()
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{folder}/sweep.db"
            await sweep_figures("SQLite", url, args.pairs, args.due, args.batch)
    if "postgresql" in backends:
        name, url = await pg_database()
        try:
            await sweep_figures("PostgreSQL", url, args.pairs, args.due, args.batch)
        finally:
            await drop_pg(name)
    await delivery_figures(args.channels, args.per_channel, args.dms)
    if args.intro_pairs:
        await introduction_figures(args.intro_pairs, args.intro_replicas, args.intro_clock)


if __name__ == "__main__":
    asyncio.run(main())
