"""chat.* and pins.add: where the bot may post, and what the double stores."""

from __future__ import annotations

import re
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.sandbox.double import SlackDouble, Workspace


async def slack_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response["error"]


async def test_post_message_returns_and_stores_the_message(
    client: AsyncWebClient, double: SlackDouble
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Welcome"}}]
    result = await client.chat_postMessage(channel="C1", text="Welcome", blocks=blocks)
    assert result["channel"] == "C1" and re.fullmatch(r"\d{10}\.\d{6}", result["ts"])
    assert result["message"]["bot_id"] == "B0001" and result["message"]["user"] == "UBOT"
    stored = double.messages("C1")[-1]
    assert stored["ts"] == result["ts"] and stored["text"] == "Welcome"
    assert stored["blocks"][0]["text"]["text"] == "Welcome" and stored["thread_ts"] is None


async def test_timestamps_are_unique_and_increasing(
    client: AsyncWebClient, clock: FakeClock
) -> None:
    stamps = []
    for n in range(3):
        stamps.append((await client.chat_postMessage(channel="C1", text=str(n)))["ts"])
    clock.advance(seconds=10)
    stamps.append((await client.chat_postMessage(channel="C1", text="later"))["ts"])
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 4
    assert float(stamps[-1]) - float(stamps[-2]) > 9.99


async def test_posting_to_a_user_id_goes_to_the_bots_im(
    client: AsyncWebClient, double: SlackDouble
) -> None:
    result = await client.chat_postMessage(channel="U1", text="Hi Ada")
    assert result["channel"] == double.dm_channel("U1")
    assert double.messages("U1")[-1]["text"] == "Hi Ada"


async def test_where_the_bot_may_not_post(client: AsyncWebClient, workspace: Workspace) -> None:
    assert await slack_error(client.chat_postMessage(channel="C404", text="x")) == (
        "channel_not_found"
    )
    assert await slack_error(client.chat_postMessage(channel="C2", text="x")) == "not_in_channel"
    assert await slack_error(client.chat_postMessage(channel="G1", text="x")) == (
        "channel_not_found"
    )
    assert await slack_error(client.chat_postMessage(channel="C3", text="x")) == "is_archived"
    workspace.bot_scopes.add("chat:write.public")
    assert (await client.chat_postMessage(channel="C2", text="x"))["ok"]


async def test_ephemeral_messages(client: AsyncWebClient, double: SlackDouble) -> None:
    result = await client.chat_postEphemeral(channel="C1", user="U1", text="psst")
    assert result["message_ts"]
    assert [m["text"] for m in double.ephemeral_messages("C1", "U1")] == ["psst"]
    assert double.messages("C1") == []
    assert await slack_error(client.chat_postEphemeral(channel="C1", user="U3", text="x")) == (
        "user_not_in_channel"
    )
    assert (await client.chat_postEphemeral(channel="U3", user="U3", text="in IM"))["ok"]


async def test_update_and_delete(client: AsyncWebClient, double: SlackDouble) -> None:
    ts = (await client.chat_postMessage(channel="C1", text="draft"))["ts"]
    updated = await client.chat_update(channel="C1", ts=ts, text="final")
    assert (updated["channel"], updated["ts"], updated["text"]) == ("C1", ts, "final")
    assert double.find_message("C1", ts)["text"] == "final"  # type: ignore[index]
    assert await slack_error(client.chat_update(channel="C1", ts="1.000001", text="x")) == (
        "message_not_found"
    )
    deleted = await client.chat_delete(channel="C1", ts=ts)
    assert deleted["ts"] == ts and double.messages("C1") == []
    assert await slack_error(client.chat_delete(channel="C1", ts=ts)) == "message_not_found"


async def test_threads(client: AsyncWebClient, double: SlackDouble) -> None:
    parent = (await client.chat_postMessage(channel="C1", text="parent"))["ts"]
    await client.chat_postMessage(channel="C1", text="reply", thread_ts=parent)
    assert double.messages("C1")[-1]["thread_ts"] == parent
    assert double.find_message("C1", parent)["reply_count"] == 1  # type: ignore[index]


async def test_pins(client: AsyncWebClient, double: SlackDouble) -> None:
    ts = (await client.chat_postMessage(channel="C1", text="pin me"))["ts"]
    assert (await client.pins_add(channel="C1", timestamp=ts))["ok"]
    assert double.pins("C1") == [ts]
    assert await slack_error(client.pins_add(channel="C1", timestamp=ts)) == "already_pinned"
    assert await slack_error(client.pins_add(channel="C1", timestamp="1.000001")) == (
        "message_not_found"
    )


async def test_file_upload(client: AsyncWebClient, double: SlackDouble) -> None:
    result = await client.files_upload_v2(
        channel="C1", content="pairs,week\nada,grace", filename="pairs.csv", title="Pairs"
    )
    file_id = result["file"]["id"]
    assert double.files[file_id]["content"] == b"pairs,week\nada,grace"
    assert double.files[file_id]["title"] == "Pairs"
    assert double.messages("C1")[-1]["files"][0]["id"] == file_id
