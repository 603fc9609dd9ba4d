"""Trigger ids: valid for 3 s of the double's clock, usable once."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.sandbox.double import SlackDouble

VIEW = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Join"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}],
}


async def open_error(client: AsyncWebClient, trigger_id: str) -> str:
    with pytest.raises(SlackApiError) as caught:
        await client.views_open(trigger_id=trigger_id, view=VIEW)
    return caught.value.response["error"]


async def test_fresh_trigger_opens_a_modal_for_its_user(
    client: AsyncWebClient, double: SlackDouble, clock: FakeClock
) -> None:
    trigger = double.new_trigger_id("U1")
    clock.advance(seconds=2.9)
    view = (await client.views_open(trigger_id=trigger, view=VIEW))["view"]
    assert [v["id"] for v in double.open_modals("U1")] == [view["id"]]
    assert double.views[view["id"]]["user_id"] == "U1"


async def test_trigger_expires_after_3_seconds(
    client: AsyncWebClient, double: SlackDouble, clock: FakeClock
) -> None:
    trigger = double.new_trigger_id("U1")
    clock.advance(seconds=3.01)
    assert await open_error(client, trigger) == "expired_trigger_id"


async def test_trigger_is_usable_once(client: AsyncWebClient, double: SlackDouble) -> None:
    trigger = double.new_trigger_id("U1")
    await client.views_open(trigger_id=trigger, view=VIEW)
    assert await open_error(client, trigger) == "exchanged_trigger_id"


async def test_unknown_trigger(client: AsyncWebClient) -> None:
    assert await open_error(client, "12345.67890.abcdef") == "invalid_trigger_id"


async def test_interactivity_pointer_works_like_a_trigger(
    client: AsyncWebClient, double: SlackDouble
) -> None:
    pointer = double.new_trigger_id("U1")
    result = await client.api_call(
        "views.open", json={"interactivity_pointer": pointer, "view": VIEW}
    )
    assert result["ok"]
