"""Response URLs: 5 posts within 30 minutes, Block Kit checked, effects on messages."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.sandbox.double import SlackDouble


async def post(url: str, body: Any) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as resp:
        return resp.status, await resp.text()


async def test_five_posts_then_used(double: SlackDouble) -> None:
    url = double.new_response_url("C1", "U1")
    for n in range(5):
        assert await post(url, {"text": f"reply {n}"}) == (200, "ok")
    assert await post(url, {"text": "one too many"}) == (404, "used_url")
    assert [body["text"] for u, body in double.response_posts] == [f"reply {n}" for n in range(5)]
    assert {u for u, _ in double.response_posts} == {url}


async def test_response_urls_know_their_user(double: SlackDouble) -> None:
    assert double.response_url_user(double.new_response_url("C1", "U2")) == "U2"
    assert double.response_url_user(f"{double.base_url}/response/unknown") is None


async def test_expires_after_30_minutes(double: SlackDouble, clock: FakeClock) -> None:
    url = double.new_response_url("C1", "U1")
    clock.advance(seconds=30 * 60 + 1)
    assert await post(url, {"text": "late"}) == (404, "expired_url")


async def test_blocks_are_checked(double: SlackDouble) -> None:
    url = double.new_response_url("C1", "U1")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51
    assert await post(url, {"blocks": blocks}) == (400, "invalid_blocks")
    assert await post(url, {}) == (400, "no_text")
    assert double.response_posts == []


async def test_unknown_url(double: SlackDouble) -> None:
    assert await post(f"{double.base_url}/response/nope", {"text": "x"}) == (404, "no_service")


async def test_ephemeral_by_default_and_in_channel_on_request(double: SlackDouble) -> None:
    url = double.new_response_url("C1", "U1")
    await post(url, {"text": "only you"})
    await post(url, {"text": "everyone", "response_type": "in_channel"})
    assert [m["text"] for m in double.ephemeral_messages("C1", "U1")] == ["only you"]
    assert [m["text"] for m in double.messages("C1")] == ["everyone"]


async def test_replace_and_delete_original(client: AsyncWebClient, double: SlackDouble) -> None:
    ts = (await client.chat_postMessage(channel="C1", text="original"))["ts"]
    url = double.new_response_url("C1", "U1", message_ts=ts)
    await post(url, {"text": "replaced", "replace_original": True})
    assert double.find_message("C1", ts)["text"] == "replaced"  # type: ignore[index]
    await post(url, {"delete_original": True})
    assert double.find_message("C1", ts) is None
