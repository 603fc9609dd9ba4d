"""Turning token rotation on for an app already installed: each installation still has its
legacy bot token (no expiry, no refresh token). With SLACK_TOKEN_ROTATION set, the app
exchanges it for a rotating token the first time a request or sweep needs it (once, whichever
replica gets there first), stores what Slack answers, and refreshes it from then on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.clock import FakeClock
from bot.db import Database
from bot.deps import build_deps
from bot.ids import Command
from bot.models import Pair, slack_bots, slack_installations
from bot.sandbox import Sandbox
from bot.sandbox.box import CLIENT_ID
from bot.sandbox.seed import seed_active_pairs
from bot.services import outbox
from bot.slack.tokens import EXCHANGE_RETRY_SECONDS
from tests.conftest import GENERAL, LEAD, TEAM
from tests.oauth_steps import TwoWorkspaces, bot_tokens, installed, oauth_sandboxes

TOKEN_HOURS = 12  # Slack's rotating bot tokens last twelve hours
WINDOW_MINUTES = 120  # refreshed this long before they expire (the default setting)
EXCHANGE = "oauth.v2.exchange"
OAUTH = ("oauth.v2.access", EXCHANGE)


@pytest.fixture
async def box(db: Database, clock: FakeClock) -> AsyncIterator[Sandbox]:
    """The app told Slack rotates its tokens (SLACK_TOKEN_ROTATION); Slack's side of the
    app still has rotation off, so installs give legacy tokens until a test turns it on."""
    two: TwoWorkspaces
    async for two in oauth_sandboxes(db, clock, token_rotation=True):
        yield two.first


async def legacy_install(box: Sandbox) -> str:
    """The app installed before rotation; then rotation is turned on in Slack."""
    legacy = await installed(box, TEAM)
    assert box.double.oauth.apps[CLIENT_ID].rotation_seconds is None
    box.double.oauth.apps[CLIENT_ID].rotation_seconds = TOKEN_HOURS * 3600
    box.double.clear_calls()
    return legacy


def exchanges(box: Sandbox) -> list[dict[str, object]]:
    """What Slack answered each exchange the app asked for."""
    return [c.response for c in box.double.calls_to(EXCHANGE)]


def refreshes(box: Sandbox) -> list[dict[str, object]]:
    calls = box.double.calls_to("oauth.v2.access")
    return [c.response for c in calls if c.args.get("grant_type") == "refresh_token"]


def tokens_used(box: Sandbox) -> set[str | None]:
    """The tokens of every call to Slack but the OAuth ones, all of them answered ok."""
    calls = [c for c in box.double.calls if c.method not in OAUTH]
    assert calls and all(c.response.get("ok") for c in calls), calls
    return {c.token for c in calls}


async def open_home(box: Sandbox) -> None:
    """A request that calls Slack every time: the lead opens the app's Home tab."""
    await box.event({"type": "app_home_opened", "user": LEAD, "tab": "home"})


async def refused(box: Sandbox, token: str) -> str:
    client = AsyncWebClient(token=token, base_url=box.double.api_url)
    with pytest.raises(SlackApiError) as caught:
        await client.auth_test()
    return str(caught.value.response["error"])


async def stored(db: Database | None) -> list[tuple[str, str | None, object]]:
    """Token, refresh token and expiry of each slack_bots and slack_installations row."""
    assert db is not None
    async with db.transaction() as session:
        rows = []
        for table in (slack_bots, slack_installations):
            c = table.c
            query = select(c.bot_token, c.bot_refresh_token, c.bot_token_expires_at)
            rows += [tuple(row) for row in await session.execute(query)]
        return rows


async def test_a_command_exchanges_the_legacy_token_once_then_it_is_refreshed(
    box: Sandbox, clock: FakeClock
) -> None:
    legacy = await legacy_install(box)

    await box.command(LEAD, Command.ADMIN, "list")

    assert [r["ok"] for r in exchanges(box)] == [True]
    assert box.double.calls_to(EXCHANGE)[0].token == legacy
    new, refresh = exchanges(box)[0]["access_token"], exchanges(box)[0]["refresh_token"]
    assert (await bot_tokens(box.db))[TEAM] == new != legacy
    rows = await stored(box.db)
    assert len(rows) == 2
    assert all(token == new and spare == refresh and expiry for token, spare, expiry in rows)
    assert tokens_used(box) == {new}
    assert await refused(box, legacy) == "token_revoked"

    # Used from now on without another exchange, and refreshed as any rotating token is.
    box.double.clear_calls()
    await open_home(box)
    assert exchanges(box) == [] and refreshes(box) == []
    assert tokens_used(box) == {new}
    clock.advance(hours=TOKEN_HOURS, minutes=-WINDOW_MINUTES + 1)
    await open_home(box)
    assert [r["ok"] for r in refreshes(box)] == [True] and exchanges(box) == []
    assert tokens_used(box) == {new, (await bot_tokens(box.db))[TEAM]}


async def test_a_sweep_sends_with_the_exchanged_token(box: Sandbox, clock: FakeClock) -> None:
    assert box.db is not None
    legacy = await legacy_install(box)
    await seed_active_pairs(box.db, pairs=1, due=0, now=clock.now())
    async with box.db.transaction() as session:
        pair = await session.scalar(select(Pair))
        assert pair is not None
        message = outbox.Message(
            key="after-exchange",
            kind=outbox.Kind.PAUSE_OVER,
            team_id=TEAM,
            channel_id=GENERAL,
            params={"pair_id": pair.id, "partner": "Mia", "programme": "Digital"},
            pair_id=pair.id,
            participant_id=pair.mentee_id,
        )
        await outbox.enqueue(session, [message], now=clock.now())

    assert (await box.run_job("deliver")).startswith("deliver: 1 sent")

    new = (await bot_tokens(box.db))[TEAM]
    assert [r["ok"] for r in exchanges(box)] == [True] and new != legacy
    assert box.double.calls_to("chat.postMessage")[-1].token == new
    assert len(box.double.messages(GENERAL)) == 1


async def test_concurrent_uses_on_two_replicas_exchange_once(
    box: Sandbox, clock: FakeClock, db: Database
) -> None:
    assert box.deps is not None
    legacy = await legacy_install(box)
    other_db = Database(db.url)  # a second replica: its own engine on the same database
    other = build_deps(box.deps.settings, other_db, clock)
    try:
        seen = await asyncio.gather(
            box.deps.tokens.for_team(TEAM),
            other.tokens.for_team(TEAM),
            box.deps.tokens.for_team(TEAM),
        )
    finally:
        await other_db.dispose()
    new = (await bot_tokens(box.db))[TEAM]
    assert seen == [new] * 3 and new != legacy
    assert [r["ok"] for r in exchanges(box)] == [True]  # Slack refuses a second exchange


async def test_a_refused_exchange_keeps_the_legacy_token_working(
    box: Sandbox, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    legacy = await legacy_install(box)
    box.double.oauth.apps[CLIENT_ID].rotation_seconds = None  # still off in Slack's settings

    with caplog.at_level(logging.WARNING, logger="bot.slack.tokens"):
        await open_home(box)

    assert [r.get("error") for r in exchanges(box)] == ["token_rotation_not_enabled"]
    assert tokens_used(box) == {legacy}
    assert (await bot_tokens(box.db))[TEAM] == legacy
    warned = [r.getMessage() for r in caplog.records if "exchange refused" in r.getMessage()]
    assert len(warned) == 1 and TEAM in warned[0] and "token_rotation_not_enabled" in warned[0]
    assert "xox" not in caplog.text

    # Not asked again on every use; an hour on, with rotation turned on since, it exchanges.
    box.double.clear_calls()
    await open_home(box)
    assert exchanges(box) == [] and tokens_used(box) == {legacy}
    box.double.oauth.apps[CLIENT_ID].rotation_seconds = TOKEN_HOURS * 3600
    clock.advance(seconds=EXCHANGE_RETRY_SECONDS)
    box.double.clear_calls()
    await open_home(box)
    new = (await bot_tokens(box.db))[TEAM]
    assert [r["ok"] for r in exchanges(box)] == [True]
    assert tokens_used(box) == {new} != {legacy}
