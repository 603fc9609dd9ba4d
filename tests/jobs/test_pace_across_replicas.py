"""Two replicas' senders share Slack's pace through the database: together they keep to one
message a second in a channel, and a 429 one of them gets holds the channel for both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from itertools import pairwise

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Pair
from bot.sandbox import Sandbox
from bot.sandbox.seed import seed_active_pairs
from bot.services import outbox
from bot.slack.client import build_web_client
from bot.slack.delivery import Delivery, Sender
from tests.conftest import GENERAL, TEAM


@pytest.fixture
async def replicas(sandbox: Sandbox, clock: FakeClock) -> AsyncIterator[tuple[Sender, Sender]]:
    """The sandbox's sender and another replica's: its own connections and its own client."""
    assert sandbox.db is not None and sandbox.deps is not None
    other_db = Database(sandbox.db.url)
    client = build_web_client(sandbox.deps.settings, retries=False)
    yield (
        Sender(sandbox.db, clock, sandbox.sweeps.client, batch=3),
        Sender(other_db, clock, client, batch=3),
    )
    await other_db.dispose()


async def queue_posts(sandbox: Sandbox, clock: FakeClock, channel: str, count: int) -> None:
    assert sandbox.db is not None
    await seed_active_pairs(sandbox.db, pairs=1, due=0, now=clock.now())  # what they are about
    async with sandbox.db.transaction() as session:
        pair = await session.scalar(select(Pair))
        assert pair is not None
        await outbox.enqueue(
            session,
            [
                outbox.Message(
                    key=f"post:{n}",
                    kind=outbox.Kind.PAUSE_OVER,
                    team_id=TEAM,
                    channel_id=channel,
                    params={"pair_id": pair.id, "partner": "Mia", "programme": "Digital"},
                    pair_id=pair.id,
                    participant_id=pair.mentee_id,
                )
                for n in range(count)
            ],
            now=clock.now(),
        )


async def both(replicas: tuple[Sender, Sender]) -> Delivery:
    """One batch each, at the same moment."""
    total = Delivery()
    for done in await asyncio.gather(*(r.run_once(max_batches=1) for r in replicas)):
        total.add(done)
    return total


async def test_two_replicas_together_post_once_a_second_in_a_channel(
    sandbox: Sandbox, clock: FakeClock, replicas: tuple[Sender, Sender]
) -> None:
    await queue_posts(sandbox, clock, GENERAL, 6)
    first = await both(replicas)
    assert (first.sent, first.paced) == (1, 5)  # each claimed three; one slot was free
    for _ in range(5):
        clock.advance(seconds=1)
        assert (await both(replicas)).sent == 1  # the message holding this second's slot
    posts = sandbox.double.calls_to("chat.postMessage")
    assert [p.http_status for p in posts] == [200] * 6
    assert [round(b.at - a.at, 3) for a, b in pairwise(posts)] == [1.0] * 5


async def test_a_429_one_replica_gets_holds_the_channel_for_both(
    sandbox: Sandbox, clock: FakeClock, replicas: tuple[Sender, Sender]
) -> None:
    first, second = replicas
    await queue_posts(sandbox, clock, GENERAL, 4)
    sandbox.double.fail_next("chat.postMessage", status=429, retry_after=20)
    assert (await first.run_once(max_batches=1)).throttled == 1
    clock.advance(seconds=5)
    assert (await second.run_once()).sent == 0  # Slack asked for 20 seconds, not 5
    assert len(sandbox.double.calls_to("chat.postMessage")) == 1
    clock.advance(seconds=15)
    assert (await second.run_once()).sent == 1
    for _ in range(3):
        clock.advance(seconds=1)
        await both(replicas)
    posts = sandbox.double.calls_to("chat.postMessage")
    assert [p.http_status for p in posts] == [429, 200, 200, 200, 200]
    assert len(sandbox.double.messages(GENERAL)) == 4
