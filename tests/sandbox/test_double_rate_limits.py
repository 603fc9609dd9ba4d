"""Rate limits: per-method tiers over a sliding minute, and chat.postMessage's channel pace."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.sandbox.double import SlackDouble, Workspace
from bot.sandbox.double.rate_limits import per_minute_limit


async def rate_limited(call: object) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        await call  # type: ignore[misc]
    assert caught.value.response.status_code == 429
    assert caught.value.response.data == {"ok": False, "error": "ratelimited"}
    return caught.value


async def test_tier_2_allows_20_calls_a_minute(
    client: AsyncWebClient, double: SlackDouble, clock: FakeClock
) -> None:
    # users.list is tier 2: 20 calls per minute.
    for _ in range(20):
        await client.users_list()
        clock.advance(seconds=1)
    error = await rate_limited(client.users_list())
    # The first call leaves the window 60 s after it was made: 40 s from now.
    assert error.response.headers["Retry-After"] == "40"
    clock.advance(seconds=40)
    assert (await client.users_list())["ok"]


async def test_limits_are_per_method(client: AsyncWebClient, clock: FakeClock) -> None:
    for _ in range(20):
        await client.users_list()
    await rate_limited(client.users_list())
    assert (await client.users_info(user="U1"))["ok"]


async def test_retry_after_is_at_least_one_second(client: AsyncWebClient, clock: FakeClock) -> None:
    for _ in range(20):
        await client.users_list()
    clock.advance(seconds=59.9)
    error = await rate_limited(client.users_list())
    assert error.response.headers["Retry-After"] == "1"


async def test_reset_rate_limits(client: AsyncWebClient, double: SlackDouble) -> None:
    for _ in range(20):
        await client.users_list()
    await rate_limited(client.users_list())
    double.reset_rate_limits()
    assert (await client.users_list())["ok"]


async def test_post_message_bursts_5_then_1_per_second_per_channel(
    client: AsyncWebClient, clock: FakeClock
) -> None:
    for n in range(5):
        await client.chat_postMessage(channel="C1", text=f"burst {n}")
    error = await rate_limited(client.chat_postMessage(channel="C1", text="too fast"))
    assert error.response.headers["Retry-After"] == "1"
    # Other channels have their own allowance; a user id shares its IM's.
    assert (await client.chat_postMessage(channel="U1", text="dm"))["ok"]
    clock.advance(seconds=1)
    assert (await client.chat_postMessage(channel="C1", text="paced"))["ok"]
    await rate_limited(client.chat_postMessage(channel="C1", text="too fast again"))


async def test_limits_can_be_switched_off(
    workspace: Workspace, slack_clock: Callable[[], float]
) -> None:
    async with SlackDouble(workspace, clock=slack_clock, rate_limits=False) as slack:
        web_client = AsyncWebClient(
            token=workspace.bot_token, base_url=slack.api_url, retry_handlers=[]
        )
        try:
            for _ in range(30):
                await web_client.chat_postMessage(channel="C1", text="x")
        finally:
            if web_client.session is not None:
                await web_client.session.close()


def test_tier_names() -> None:
    assert per_minute_limit("t1") == 1
    assert per_minute_limit("Tier3") == 50
    assert per_minute_limit("t4") == 100
    assert per_minute_limit("1200 requests per minute with a burst allowance of 2000.") == 1200
    assert per_minute_limit("SpecialTier_auth_test") is None
