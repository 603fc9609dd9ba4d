"""Token rotation in OAuth mode: an installed bot token expires after twelve hours, and the app
refreshes it (once, whichever replica gets there first) before it runs out, for queued
messages, sweeps and requests alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.clock import FakeClock
from bot.db import Database
from bot.deps import build_deps
from bot.ids import Command
from bot.models import Pair
from bot.sandbox import Sandbox
from bot.sandbox.box import CLIENT_ID
from bot.sandbox.seed import seed_active_pairs
from bot.services import outbox
from tests.conftest import GENERAL, LEAD, TEAM
from tests.oauth_steps import TwoWorkspaces, bot_tokens, installed, oauth_sandboxes

TOKEN_HOURS = 12  # Slack's rotating bot tokens last twelve hours
WINDOW_MINUTES = 120  # refreshed this long before they expire (the default setting)


@pytest.fixture
async def box(db: Database, clock: FakeClock) -> AsyncIterator[Sandbox]:
    two: TwoWorkspaces
    async for two in oauth_sandboxes(db, clock):
        two.first.double.oauth.apps[CLIENT_ID].rotation_seconds = TOKEN_HOURS * 3600
        yield two.first


def refreshes(box: Sandbox) -> list[dict[str, object]]:
    """What Slack answered each refresh the app asked for."""
    calls = box.double.calls_to("oauth.v2.access")
    return [c.response for c in calls if c.args.get("grant_type") == "refresh_token"]


async def queue_message(box: Sandbox, key: str, clock: FakeClock) -> None:
    assert box.db is not None
    async with box.db.transaction() as session:
        pair = await session.scalar(select(Pair))
        assert pair is not None
        message = outbox.Message(
            key=key,
            kind=outbox.Kind.PAUSE_OVER,
            team_id=TEAM,
            channel_id=GENERAL,
            params={"pair_id": pair.id, "partner": "Mia", "programme": "Digital"},
            pair_id=pair.id,
            participant_id=pair.mentee_id,
        )
        await outbox.enqueue(session, [message], now=clock.now())


async def refused(box: Sandbox, token: str) -> str:
    """Slack's error for a call made with `token` now."""
    client = AsyncWebClient(token=token, base_url=box.double.api_url)
    with pytest.raises(SlackApiError) as caught:
        await client.auth_test()
    return str(caught.value.response["error"])


async def test_queued_messages_go_out_with_the_refreshed_token(
    box: Sandbox, clock: FakeClock
) -> None:
    assert box.db is not None
    old = await installed(box, TEAM)
    await seed_active_pairs(box.db, pairs=1, due=0, now=clock.now())

    # Outside the window the installed token is used as it is.
    clock.advance(hours=TOKEN_HOURS, minutes=-WINDOW_MINUTES - 1)
    await queue_message(box, "before", clock)
    assert (await box.run_job("deliver")).startswith("deliver: 1 sent")
    assert box.double.calls_to("chat.postMessage")[-1].token == old
    assert refreshes(box) == []

    # Inside it, the sender refreshes the token first and sends with the new one.
    clock.advance(minutes=2)
    await queue_message(box, "after", clock)
    assert (await box.run_job("deliver")).startswith("deliver: 1 sent")
    new = (await bot_tokens(box.db))[TEAM]
    assert new != old
    assert [r["ok"] for r in refreshes(box)] == [True]
    sent = box.double.calls_to("chat.postMessage")[-1]
    assert sent.token == new and sent.response["ok"]
    assert len(box.double.messages(GENERAL)) == 2

    # Past the old token's twelve hours Slack refuses it; messages still go, with the new one.
    clock.advance(minutes=WINDOW_MINUTES)
    assert await refused(box, old) == "token_expired"
    await queue_message(box, "later", clock)
    assert (await box.run_job("deliver")).startswith("deliver: 1 sent")
    assert box.double.calls_to("chat.postMessage")[-1].token == new
    assert len(refreshes(box)) == 1


async def test_two_replicas_spend_the_refresh_token_once(
    box: Sandbox, clock: FakeClock, db: Database
) -> None:
    assert box.deps is not None
    old = await installed(box, TEAM)
    other_db = Database(db.url)  # a second replica: its own engine on the same database
    other = build_deps(box.deps.settings, other_db, clock)
    try:
        clock.advance(hours=TOKEN_HOURS, minutes=-WINDOW_MINUTES // 2)
        first, second = await asyncio.gather(
            box.deps.tokens.for_team(TEAM), other.tokens.for_team(TEAM)
        )
    finally:
        await other_db.dispose()
    assert first == second != old
    assert [r["ok"] for r in refreshes(box)] == [True]  # Slack refuses a second spend
    assert (await bot_tokens(box.db))[TEAM] == first


async def test_a_command_after_expiry_is_answered_with_a_refreshed_token(
    box: Sandbox, clock: FakeClock
) -> None:
    old = await installed(box, TEAM)
    clock.advance(hours=TOKEN_HOURS + 1)
    assert await refused(box, old) == "token_expired"
    box.double.clear_calls()

    await box.command(LEAD, Command.ADMIN, "list")

    new = (await bot_tokens(box.db))[TEAM]
    assert new != old
    assert [r["ok"] for r in refreshes(box)] == [True]
    answered = [c for c in box.double.calls if c.method != "oauth.v2.access"]
    assert answered and {c.token for c in answered} == {new}
    assert all(c.response.get("ok") for c in answered)
