"""Scheduler figures: one momentum sweep over 100,000 active pairs of which 20,000 are due,
run by one, two and three replicas (processes) at once, on SQLite and on PostgreSQL (time to
claim and queue, and the duplicates found); then the outbox's delivery rate against the Slack
double with its rate limits on (the per-channel pace of chat.postMessage), and the 429s it sent;
then a 2,000-pair introduction with a Home refresh each, by two replicas, against each method's
tier (bench/_introductions.py: about 41 minutes on the real clock).

Each replica count starts from its own copy of one seeded database, and each figure is printed
with its floor, measured on the same copy straight after the sweep, and the ratio of the two:
one bare INSERT ... SELECT of the rows the sweep queued into a table with no index, constraint
or conflict handling (the least any way of writing those rows costs), and a count(*) of the
pairs (a plain scan). Beside them: the CPU time the replicas and their PostgreSQL connections
spent (read from /proc when the database is on this machine), which a busy machine stretches
less than the wall-clock time, and the load average, as the machine may be shared.

    .venv/bin/python bench/sweep.py [--pairs 100000 --due 20000] [--backends sqlite,postgresql]
        [--batch 500]  (pairs per transaction; the default is the scheduler's own)
        [--replicas 1,2,3] [--no-delivery]
        [--intro-pairs 2000 --intro-replicas 2 --intro-clock real|virtual]  (0 pairs: skip it)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402
from sqlalchemy.orm import configure_mappers  # noqa: E402

from bench._double import TEAM, bench_workspace  # noqa: E402
from bench._introductions import introduction_figures  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.jobs.sweeps import BATCH, LANES, sweep_momentum  # noqa: E402
from bot.migrate import upgrade_head  # noqa: E402
from bot.models import Outbox, OutboxStatus, Pair  # noqa: E402
from bot.sandbox.double import Channel, SlackDouble  # noqa: E402
from bot.sandbox.seed import seed_active_pairs  # noqa: E402
from bot.services import outbox  # noqa: E402
from bot.slack.client import build_web_client  # noqa: E402
from bot.slack.delivery import Delivery, Sender  # noqa: E402

PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TOKEN = "xoxb-bench"


def cpu_seconds(pid: int) -> float | None:
    """A local process's CPU time (user and system) from /proc, None where there is none to
    read (another machine's database, another system)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def replica(url: str, now: datetime, batch: int, ready: Any, go: Any, results: Any) -> None:
    """One replica in its own process, as in production: its own connections and CPU. Puts
    the pairs it claimed, its CPU seconds and those of its database connection (or None)."""

    async def run() -> tuple[int, float, float | None]:
        configure_mappers()  # as a replica's start-up does (bot/app.py)
        db = Database(url)
        backends: list[int] = []
        # Connect before the start line, as many connections as the sweep's lanes use (and
        # one over); they go back to the pool open, and the sweep takes them from there.
        async with contextlib.AsyncExitStack() as stack:
            for _ in range(1 if db.is_sqlite else LANES + 1):
                conn = await stack.enter_async_context(db.engine.connect())
                if not db.is_sqlite:
                    backends.append(await conn.scalar(text("SELECT pg_backend_pid()")))
        ready.release()
        go.wait()
        before = [cpu_seconds(b) for b in backends]
        started = time.process_time()
        try:
            pairs = (await sweep_momentum(db, now, batch=batch)).pairs
            spent = time.process_time() - started
            after = [cpu_seconds(b) for b in backends]  # before the connections close
        finally:
            await db.dispose()
        pairs_cpu = zip(after, before, strict=True)
        used = [a - b for a, b in pairs_cpu if a is not None and b is not None]
        server = sum(used) if backends and len(used) == len(backends) else None
        return pairs, spent, server

    results.put(asyncio.run(run()))


@dataclass
class Run:
    claimed: list[int]  # pairs, by replica
    took: float  # seconds until the last replica finished
    client_cpu: float  # the replicas' processes
    server_cpu: float | None  # their PostgreSQL connections, where /proc shows them


def run_replicas(url: str, now: datetime, batch: int, count: int) -> Run:
    """`count` replicas sweep at once from the same start line."""
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Semaphore(0), context.Event(), context.Queue()
    workers = [
        context.Process(target=replica, args=(url, now, batch, ready, go, results))
        for _ in range(count)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.acquire()
    started = time.perf_counter()
    go.set()
    done = [results.get() for _ in workers]
    took = time.perf_counter() - started
    for worker in workers:
        worker.join()
    servers = [server for _, _, server in done]
    return Run(
        [pairs for pairs, _, _ in done],
        took,
        sum(client for _, client, _ in done),
        None if None in servers else sum(s for s in servers if s is not None),
    )


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


async def floors(db: Database) -> tuple[float, float]:
    """On the swept database: one bare INSERT ... SELECT of every queued row into a table with
    no index, constraint or conflict handling, and a count(*) of the pairs; seconds each."""
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE bench_bare AS SELECT * FROM outbox WHERE 0 = 1"))
    async with db.transaction() as session:
        started = time.perf_counter()
        await session.execute(text("INSERT INTO bench_bare SELECT * FROM outbox"))
    inserted = time.perf_counter() - started
    async with db.transaction() as session:
        await session.execute(text("DROP TABLE bench_bare"))
        started = time.perf_counter()
        await session.execute(select(func.count()).select_from(Pair))
    return inserted, time.perf_counter() - started


async def outcome(db: Database) -> tuple[int, int, int]:
    """Messages queued, keys queued twice (pair, person and kind), pairs on rung 1."""
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
    return queued or 0, duplicates or 0, stepped or 0


class Copies:
    """Fresh copies of one seeded database, one per replica count."""

    def __init__(self, backend: str, folder: str) -> None:
        self.backend = backend
        self.folder = folder
        self.made: list[str] = []
        self.seed_name = f"bench_sweep_{uuid.uuid4().hex[:8]}"

    def url(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite+aiosqlite:///{self.folder}/{name}.db"
        return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"

    async def create(self, name: str, *, template: str | None = None) -> str:
        self.made.append(name)
        if self.backend == "sqlite":
            if template is not None:
                shutil.copy(f"{self.folder}/{template}.db", f"{self.folder}/{name}.db")
            return self.url(name)
        like = f' TEMPLATE "{template}"' if template else ""
        admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"{like}'))
        await admin.dispose()
        return self.url(name)

    async def drop(self, name: str) -> None:
        self.made.remove(name)
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.folder}/{name}.db{suffix}").unlink(missing_ok=True)
            return
        admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    async def drop_all(self) -> None:
        for name in list(self.made):
            await self.drop(name)


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


async def sweep_figures(
    name: str, copies: Copies, pairs: int, due: int, batch: int, counts: list[int]
) -> None:
    seed = Database(await copies.create(copies.seed_name))
    await upgrade_head(seed)
    now = datetime.now(UTC)
    started = time.perf_counter()
    await seed_active_pairs(seed, pairs=pairs, due=due, now=now)
    await settle(seed)
    await seed.dispose()
    seeded = time.perf_counter() - started
    print(f"{name:<10} {pairs:,} pairs, {due:,} due, seeded in {seeded:.0f} s")
    for count in counts:
        copy = f"{copies.seed_name}_{count}"
        url = await copies.create(copy, template=copies.seed_name)
        run = await asyncio.to_thread(run_replicas, url, now, batch, count)
        db = Database(url)
        queued, duplicates, stepped = await outcome(db)
        bare, scan = await floors(db)
        await db.dispose()
        await copies.drop(copy)
        claimed, took = run.claimed, run.took
        server = f", their database connections {run.server_cpu:.2f} s" if run.server_cpu else ""
        print(
            f"{name:<10} {count} replica(s) claimed {' + '.join(f'{c:,}' for c in claimed)} = "
            f"{sum(claimed):,} pairs (batches of {batch:,}) and queued {queued:,} nudges in "
            f"{took:.2f} s; {duplicates} duplicates; {stepped:,} pairs on rung 1\n"
            f"{'':<10}   floor: bare INSERT of the same {queued:,} rows {bare:.3f} s "
            f"(sweep {took / bare:.1f}x), count(*) of the pairs {scan:.3f} s "
            f"(sweep {took / scan:.0f}x); CPU: the replicas {run.client_cpu:.2f} s{server}; "
            f"{load()}"
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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--batch", type=int, default=BATCH, help="pairs per transaction")
    parser.add_argument("--replicas", default="1,2,3", help="replica counts to run, each apart")
    parser.add_argument("--no-delivery", action="store_true", help="the sweep figures alone")
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--per-channel", type=int, default=10)
    parser.add_argument("--dms", type=int, default=2000)
    parser.add_argument("--intro-pairs", type=int, default=2000)
    parser.add_argument("--intro-replicas", type=int, default=2)
    parser.add_argument("--intro-clock", choices=("real", "virtual"), default="real")
    args = parser.parse_args()
    counts = [int(n) for n in args.replicas.split(",")]
    for backend, name in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        if backend not in args.backends.split(","):
            continue
        with tempfile.TemporaryDirectory() as folder:
            copies = Copies(backend, folder)
            try:
                await sweep_figures(name, copies, args.pairs, args.due, args.batch, counts)
            finally:
                await copies.drop_all()
    if not args.no_delivery:
        await delivery_figures(args.channels, args.per_channel, args.dms)
        if args.intro_pairs:
            await introduction_figures(args.intro_pairs, args.intro_replicas, args.intro_clock)


if __name__ == "__main__":
    asyncio.run(main())
