"""The outbox's sender against the Slack double: Slack failing or throttling half-way, a
sender dying with messages claimed, a user Slack refuses for good. Later runs deliver the
rest and nobody gets a message twice."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from bot.clock import FakeClock
from bot.models import Outbox, OutboxStatus, Pair
from bot.sandbox import Sandbox
from bot.sandbox.double import User
from bot.sandbox.seed import seed_active_pairs
from bot.services import outbox, outbox_rules
from bot.slack.delivery import Sender

PAIRS = 20


async def seeded(sandbox: Sandbox, clock: FakeClock) -> list[str]:
    assert sandbox.db is not None
    people = await seed_active_pairs(sandbox.db, pairs=PAIRS, due=PAIRS, now=clock.now())
    for user_id in people.user_ids:
        sandbox.workspace.add_user(User(id=user_id, name=user_id.lower(), tz="Europe/London"))
    assert await sandbox.run_job("momentum") == (
        f"momentum: {PAIRS} pairs looked at, {2 * PAIRS} messages queued, 0 pauses ended, 0 failed"
    )
    return people.user_ids


def nudges_received(sandbox: Sandbox, users: list[str]) -> Counter[str]:
    return Counter({u: sum("since you and" in m["text"] for m in sandbox.dms(u)) for u in users})


async def statuses(sandbox: Sandbox) -> Counter[str]:
    assert sandbox.db is not None
    async with sandbox.db.transaction() as session:
        return Counter(s.value for s in await session.scalars(select(Outbox.status)))


async def test_failures_and_throttling_half_way_are_retried_without_duplicates(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    users = await seeded(sandbox, clock)
    for _ in range(3):
        sandbox.double.fail_next("chat.postMessage", status=503)
    for _ in range(2):
        sandbox.double.fail_next("chat.postMessage", status=429, retry_after=20)
    summary = await sandbox.run_job("deliver")
    assert summary == "deliver: 35 sent, 3 to retry, 2 rate-limited, 0 paced, 0 failed"
    assert sum(nudges_received(sandbox, users).values()) == 35

    clock.advance(seconds=25)  # past Retry-After, not yet past the first backoff (30 s)
    assert (await sandbox.run_job("deliver")).startswith("deliver: 2 sent")
    clock.advance(seconds=10)
    assert (await sandbox.run_job("deliver")).startswith("deliver: 3 sent")
    assert nudges_received(sandbox, users) == Counter({u: 1 for u in users})
    assert await statuses(sandbox) == Counter({"sent": 2 * PAIRS})
    assert (await sandbox.run_job("deliver")).startswith("deliver: 0 sent")


async def test_a_sender_that_dies_mid_run_loses_nothing(sandbox: Sandbox, clock: FakeClock) -> None:
    users = await seeded(sandbox, clock)
    assert sandbox.db is not None
    # One sender claims ten messages and dies before sending them ...
    async with sandbox.db.transaction() as session:
        abandoned = await outbox.claim(session, now=clock.now(), limit=10, vet=outbox_rules.stale)
    assert len(abandoned) == 10
    # ... another gets through one batch of ten and dies too.
    sender = Sender(sandbox.db, clock, sandbox.sweeps.client, batch=10)
    assert (await sender.run_once(max_batches=1)).sent == 10
    assert sum(nudges_received(sandbox, users).values()) == 10

    assert (await sandbox.run_job("deliver")).startswith("deliver: 20 sent")
    clock.advance(seconds=outbox.LEASE.total_seconds() + 1)  # the dead sender's claim lapses
    assert (await sandbox.run_job("deliver")).startswith("deliver: 10 sent")
    assert nudges_received(sandbox, users) == Counter({u: 1 for u in users})


async def test_a_permanent_refusal_fails_that_message_alone(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    users = await seeded(sandbox, clock)
    sandbox.double.fail_next("chat.postMessage", "channel_not_found")
    assert (await sandbox.run_job("deliver")).endswith(
        f"{2 * PAIRS - 1} sent, 0 to retry, 0 rate-limited, 0 paced, 1 failed"
    )
    clock.advance(hours=2)
    assert (await sandbox.run_job("deliver")).startswith("deliver: 0 sent")
    assert await statuses(sandbox) == Counter({"sent": 2 * PAIRS - 1, "failed": 1})
    assert sum(nudges_received(sandbox, users).values()) == 2 * PAIRS - 1
    assert sandbox.db is not None
    async with sandbox.db.transaction() as session:
        failed = await session.scalar(select(Outbox).where(Outbox.status == OutboxStatus.FAILED))
    assert failed is not None and failed.last_error == "channel_not_found"


async def test_one_channel_is_paced_at_one_message_a_second(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    assert sandbox.db is not None
    await seed_active_pairs(sandbox.db, pairs=1, due=0, now=clock.now())  # what they are about
    async with sandbox.db.transaction() as session:
        pair = await session.scalar(select(Pair))
        assert pair is not None
        await outbox.enqueue(
            session,
            [
                outbox.Message(
                    key=f"k{n}",
                    kind=outbox.Kind.PAUSE_OVER,
                    team_id="T0TEST",
                    channel_id="C0GENERAL",
                    params={"pair_id": pair.id, "partner": "Mia", "programme": "Digital"},
                    pair_id=pair.id,
                    participant_id=pair.mentee_id,
                )
                for n in range(3)
            ],
            now=clock.now(),
        )
    assert (await sandbox.run_job("deliver")).startswith(
        "deliver: 1 sent, 0 to retry, 0 rate-limited, 2 paced"
    )
    for expected in (1, 1):
        clock.advance(seconds=1)
        assert (await sandbox.run_job("deliver")).startswith(f"deliver: {expected} sent")
    assert len(sandbox.double.messages("C0GENERAL")) == 3
    assert not sandbox.double.calls_to("chat.postMessage")[-1].response.get("error")
