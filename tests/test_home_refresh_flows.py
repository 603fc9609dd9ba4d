"""Home tabs go through the outbox: published to whoever acted or opened it (the other person
sees the change when they next open theirs), built when they go, kept to views.publish's tier
by every replica together, and put off as long as a 429 asks without being lost or doubled."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.db import Database
from bot.flows.home import home_builder, queue_home
from bot.models import Outbox
from bot.sandbox import Sandbox
from bot.sandbox.double import User
from bot.services.people import Profile
from bot.slack.client import build_web_client
from bot.slack.delivery import Sender
from tests.conftest import EXEC, MENTOR, TEAM
from tests.flows import agree, confirm_pairs
from tests.scenarios import play

TIER_4 = 100  # views.publish, per minute and workspace


async def reach_confirmed(sandbox: Sandbox, clock: FakeClock) -> str:
    return await play(sandbox, clock, confirm_pairs)


@pytest.fixture
async def confirmed(sandbox: Sandbox, clock: FakeClock) -> str:
    return await play(sandbox, clock, reach_confirmed)


def published_to(box: Sandbox) -> list[str]:
    return [c.args["user_id"] for c in box.double.calls_to("views.publish") if c.ok]


async def open_home(box: Sandbox, user: str) -> None:
    await box.event({"type": "app_home_opened", "user": user, "tab": "home"})


async def test_a_home_is_published_to_who_acted_and_the_other_sees_it_on_opening(
    confirmed: str, sandbox: Sandbox
) -> None:
    await open_home(sandbox, EXEC)
    before = str(sandbox.double.home_view(EXEC))
    sandbox.double.clear_calls()
    await agree(sandbox, confirmed)  # Eve proposes, Mia confirms
    assert published_to(sandbox) == [MENTOR]
    assert str(sandbox.double.home_view(EXEC)) == before
    assert "0 of 6 sessions held" in str(sandbox.double.home_view(MENTOR))
    await open_home(sandbox, EXEC)
    assert published_to(sandbox) == [MENTOR, EXEC]
    assert "0 of 6 sessions held" in str(sandbox.double.home_view(EXEC))


async def test_a_home_refused_with_429_goes_once_after_retry_after(
    confirmed: str, sandbox: Sandbox, clock: FakeClock
) -> None:
    sandbox.double.clear_calls()
    sandbox.double.fail_next("views.publish", status=429, retry_after=10)
    await open_home(sandbox, EXEC)
    await open_home(sandbox, EXEC)  # opened again meanwhile: the same refresh, still waiting
    assert published_to(sandbox) == []
    clock.advance(seconds=9)
    assert (await sandbox.run_job("deliver")).startswith("deliver: 0 sent")
    clock.advance(seconds=1)
    assert (await sandbox.run_job("deliver")).startswith("deliver: 1 sent")
    assert [c.http_status for c in sandbox.double.calls_to("views.publish")] == [429, 200]
    assert sandbox.double.home_view(EXEC) is not None
    assert sandbox.db is not None
    async with sandbox.db.transaction() as session:
        homes = list(
            await session.scalars(
                select(Outbox.status).where(Outbox.kind == "home", Outbox.channel_id == EXEC)
            )
        )
    assert [s.value for s in homes] == ["sent"]  # one row per person, queued again each time
    await open_home(sandbox, EXEC)
    assert published_to(sandbox) == [EXEC, EXEC]


async def test_two_replicas_publish_many_homes_within_views_publishs_tier(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    assert sandbox.db is not None and sandbox.deps is not None
    people = [f"U{n:08d}" for n in range(130)]
    for user_id in people:
        sandbox.workspace.add_user(User(id=user_id, name=user_id.lower(), tz="UTC"))
    async with sandbox.db.transaction() as session:
        for user_id in people:
            await queue_home(
                session, sandbox.deps, team_id=TEAM, profile=Profile(user_id, "", None)
            )
    other = Database(sandbox.db.url)  # another replica: its own connections and client
    client = build_web_client(sandbox.deps.settings, retries=False)
    homes = home_builder(sandbox.deps)
    replicas = [
        Sender(sandbox.db, clock, sandbox.sweeps.client, batch=20, homes=homes),
        Sender(other, clock, client, batch=20, homes=homes),
    ]
    try:
        sent = []
        for _ in range(3):
            done = await asyncio.gather(*(r.run_once() for r in replicas))
            sent.append(sum(d.sent for d in done))
            clock.advance(seconds=61)
    finally:
        await other.dispose()
    assert sent == [TIER_4, 30, 0]
    calls = sandbox.double.calls_to("views.publish")
    assert [c.http_status for c in calls] == [200] * 130
    assert sorted(published_to(sandbox)) == people


async def test_a_home_queued_again_while_it_went_goes_again_at_once(
    confirmed: str, sandbox: Sandbox
) -> None:
    assert sandbox.signer is not None and sandbox.db is not None and sandbox.deps is not None
    await open_home(sandbox, EXEC)  # Eve's profile is known: her next opening asks no more
    sandbox.double.clear_calls()
    sandbox.double.hold_calls()
    try:
        await sandbox.signer.event({"type": "app_home_opened", "user": EXEC, "tab": "home"})
        await sandbox.double.until_held(1)  # her Home on its way
        # Meanwhile something else changes her Home and queues it again.
        async with sandbox.db.transaction() as session:
            await queue_home(
                session, sandbox.deps, team_id=TEAM, profile=Profile(EXEC, "Eve Exec", None)
            )
        sandbox.double.release_calls()
        await sandbox.settle()
    finally:
        sandbox.double.release_calls()
    # The sender that was publishing it found it queued again and sent it once more, at once:
    # it does not wait for the scheduler's sender.
    assert published_to(sandbox) == [EXEC, EXEC]
    async with sandbox.db.transaction() as session:
        homes = list(
            await session.scalars(
                select(Outbox.status).where(Outbox.kind == "home", Outbox.channel_id == EXEC)
            )
        )
    assert [s.value for s in homes] == ["sent"]
