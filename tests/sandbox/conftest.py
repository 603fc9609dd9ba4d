"""Fixtures for the Slack double's tests: a workspace, a started double on a fake clock,
the real AsyncWebClient pointed at it, and a stand-in app that records what it receives."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.sandbox.double import Channel, SlackDouble, User, Workspace
from bot.sandbox.double.contracts import contracts_location, default_contracts_dir

BOT_TOKEN = "xoxb-test"
BOT_SCOPES = {
    "chat:write",
    "users:read",
    "users:read.email",
    "im:write",
    "mpim:write",
    "channels:read",
    "groups:read",
    "im:read",
    "channels:join",
    "channels:manage",
    "groups:write",
    "pins:write",
    "team:read",
    "files:write",
}


@pytest.fixture
def contracts_dir() -> Path:
    found = default_contracts_dir()
    if found is None:
        pytest.skip(f"Slack contracts not found at {contracts_location()}; set SLACK_CONTRACTS_DIR")
    return found


@pytest.fixture
def workspace() -> Workspace:
    ws = Workspace(
        team_id="T0001",
        team_name="Acme",
        domain="acme",
        bot_user_id="UBOT",
        bot_id="B0001",
        app_id="A0001",
        bot_token=BOT_TOKEN,
        bot_scopes=set(BOT_SCOPES),
    )
    ws.add_user(
        User(
            id="U1",
            name="ada",
            real_name="Ada Lovelace",
            tz="Europe/London",
            email="ada@example.com",
        )
    )
    ws.add_user(User(id="U2", name="grace", real_name="Grace Hopper", tz="America/New_York"))
    ws.add_user(User(id="U3", name="alan", real_name="Alan Turing", tz="Asia/Kolkata"))
    ws.add_channel(Channel(id="C1", name="general", members={"U1", "U2", "UBOT"}, is_general=True))
    ws.add_channel(Channel(id="C2", name="random", members={"U1"}))
    ws.add_channel(Channel(id="G1", name="secret", is_private=True, members={"U1"}))
    ws.add_channel(Channel(id="C3", name="old", members={"UBOT"}, is_archived=True))
    return ws


@pytest.fixture
def slack_clock(clock: FakeClock) -> Callable[[], float]:
    """The double's clock (seconds) read from the tests' FakeClock: `clock.advance(seconds=...)`
    moves Slack's time."""
    return lambda: clock.now().timestamp()


@pytest.fixture
async def double(
    workspace: Workspace, slack_clock: Callable[[], float]
) -> AsyncIterator[SlackDouble]:
    slack = SlackDouble(workspace, clock=slack_clock)
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
async def client(double: SlackDouble) -> AsyncIterator[AsyncWebClient]:
    # No retry handlers, so 429 answers reach the test.
    web_client = AsyncWebClient(token=BOT_TOKEN, base_url=double.api_url, retry_handlers=[])
    yield web_client
    if web_client.session is not None:
        await web_client.session.close()


class FakeApp:
    """An app endpoint that records each request and answers with `reply(request)`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.reply: Callable[[dict[str, Any]], web.StreamResponse] = lambda _: web.Response()
        self.url = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        seen = {"headers": dict(request.headers), "body": body}
        self.requests.append(seen)
        return self.reply(seen)


@pytest.fixture
async def fake_app() -> AsyncIterator[FakeApp]:
    app = FakeApp()
    web_app = web.Application()
    web_app.router.add_post("/slack/events", app.handle)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    app.url = f"http://127.0.0.1:{sock.getsockname()[1]}/slack/events"
    yield app
    await runner.cleanup()
