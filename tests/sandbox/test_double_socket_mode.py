"""Socket Mode in the double: app-level tokens, the connection, envelopes and their acks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.sandbox.double import SlackDouble, Workspace
from bot.sandbox.double.socket_mode import Ack

APP_TOKEN = "xapp-1-A0001-test"
COMMAND = {"command": "/mentoring", "text": "join", "user_id": "U1", "trigger_id": "1.2.3"}


@pytest.fixture
def workspace(workspace: Workspace) -> Workspace:
    workspace.add_app_token(APP_TOKEN)
    return workspace


async def open_url(double: SlackDouble, token: str = APP_TOKEN) -> str:
    client = AsyncWebClient(base_url=double.api_url, retry_handlers=[])
    response = await client.apps_connections_open(app_token=token)
    return str(response["url"])


@asynccontextmanager
async def connected(double: SlackDouble) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A connection as an app opens one, its hello already read."""
    url = await open_url(double)
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        hello = await socket.receive_json()
        assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": "A0001"}
        yield socket


async def test_connections_open_gives_a_loopback_websocket_url(double: SlackDouble) -> None:
    url = await open_url(double)
    assert url.startswith("ws://127.0.0.1:") and "ticket=" in url


@pytest.mark.parametrize(
    ("method", "token", "error"),
    [
        ("apps.connections.open", "xoxb-test", "not_allowed_token_type"),
        ("chat.postMessage", APP_TOKEN, "not_allowed_token_type"),
        ("apps.connections.open", "xapp-unknown", "invalid_auth"),
    ],
)
async def test_tokens_of_the_wrong_kind_are_refused(
    double: SlackDouble, method: str, token: str, error: str
) -> None:
    client = AsyncWebClient(token=token, base_url=double.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as refused:
        await client.api_call(method, json={"channel": "C1", "text": "hi"})
    assert refused.value.response["error"] == error


async def test_an_app_token_without_connections_write_is_refused(
    double: SlackDouble, workspace: Workspace
) -> None:
    workspace.add_app_token("xapp-no-scope", scopes=frozenset({"authorizations:read"}))
    with pytest.raises(SlackApiError) as refused:
        await open_url(double, "xapp-no-scope")
    assert refused.value.response["error"] == "missing_scope"


async def test_a_url_connects_once(double: SlackDouble) -> None:
    url = await open_url(double)
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as socket:
            assert (await socket.receive_json())["type"] == "hello"
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(url)
    assert refused.value.status == 401


async def answer_next(
    socket: aiohttp.ClientWebSocketResponse, *, envelope_id: str | None = None, **ack: Any
) -> dict[str, Any]:
    envelope = await socket.receive_json()
    answered = envelope_id or envelope["envelope_id"]
    await socket.send_str(json.dumps({"envelope_id": answered, **ack}))
    return envelope


async def test_an_envelope_is_sent_as_slack_sends_it_and_its_ack_payload_kept(
    double: SlackDouble,
) -> None:
    async with connected(double) as socket:
        answer = {"response_action": "errors", "errors": {"name": "Too short"}}
        ack, envelope = await asyncio.gather(
            double.socket_mode.send("slash_commands", COMMAND),
            answer_next(socket, payload=answer),
        )
    assert envelope["type"] == "slash_commands" and envelope["payload"] == COMMAND
    assert envelope["accepts_response_payload"] is True
    assert ack.payload == answer and ack.in_time
    assert double.socket_mode.failures == []


async def test_an_event_envelope_carries_its_retry_attempt(double: SlackDouble) -> None:
    async with connected(double) as socket:
        event = {"type": "event_callback", "event": {"type": "app_home_opened"}}
        _, envelope = await asyncio.gather(
            double.socket_mode.send("events_api", event, retry_attempt=1, retry_reason="timeout"),
            answer_next(socket),
        )
    assert envelope["accepts_response_payload"] is False
    assert (envelope["retry_attempt"], envelope["retry_reason"]) == (1, "timeout")


async def test_a_late_ack_is_a_failure(double: SlackDouble, clock: FakeClock) -> None:
    async def answer_late(socket: aiohttp.ClientWebSocketResponse) -> None:
        envelope = await socket.receive_json()
        clock.advance(seconds=4)
        await socket.send_json({"envelope_id": envelope["envelope_id"]})

    async with connected(double) as socket:
        ack, _ = await asyncio.gather(
            double.socket_mode.send("interactive", {"type": "block_actions"}), answer_late(socket)
        )
    assert not ack.in_time and ack.elapsed == 4
    assert double.socket_mode.failures == [f"envelope {ack.envelope_id} acknowledged after 4 s"]


async def test_an_ack_with_a_wrong_envelope_id_is_a_failure(double: SlackDouble) -> None:
    async def answer_wrongly_then_rightly(socket: aiohttp.ClientWebSocketResponse) -> None:
        envelope = await answer_next(socket, envelope_id="not-an-envelope")
        await socket.send_json({"envelope_id": envelope["envelope_id"]})
        await socket.send_json({"envelope_id": envelope["envelope_id"]})  # and once too often

    async with connected(double) as socket:
        ack, _ = await asyncio.gather(
            double.socket_mode.send("slash_commands", COMMAND), answer_wrongly_then_rightly(socket)
        )
        await socket.send_str("not json")
        # The double reads a connection in order: once this is acknowledged, it has read all.
        await asyncio.gather(
            double.socket_mode.send("slash_commands", COMMAND), answer_next(socket)
        )
    assert ack.in_time
    assert double.socket_mode.failures == [
        "an acknowledgement for no envelope waiting: 'not-an-envelope'",
        f"an acknowledgement for no envelope waiting: {ack.envelope_id!r}",
        "an acknowledgement that is not JSON",
    ]


async def test_after_a_disconnect_envelopes_wait_for_the_new_connection(
    double: SlackDouble,
) -> None:
    async with connected(double) as old:
        await double.socket_mode.disconnect()
        goodbye = await old.receive_json()
        assert (goodbye["type"], goodbye["reason"]) == ("disconnect", "refresh_requested")
        sending = asyncio.create_task(double.socket_mode.send("slash_commands", COMMAND))
        async with connected(double) as new:
            ack, envelope = await asyncio.gather(sending, answer_next(new))
        assert isinstance(ack, Ack) and envelope["payload"] == COMMAND
    assert double.socket_mode.connections_opened == 2
    assert double.socket_mode.failures == []
