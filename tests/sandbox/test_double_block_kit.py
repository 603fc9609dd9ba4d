"""Block Kit limits on messages and views."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.double import SlackDouble


def section(text: str = "x", block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def text_input(block_id: str = "name", label: str = "Name") -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {"type": "plain_text_input", "action_id": "value"},
    }


def modal(**overrides: Any) -> dict[str, Any]:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Join"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [section()],
    }
    view.update(overrides)
    return view


def post_blocks(client: AsyncWebClient, blocks: list[dict[str, Any]]) -> Any:
    return client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)


async def slack_error(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response.data  # type: ignore[return-value]


async def open_modal(
    client: AsyncWebClient, double: SlackDouble, view: dict[str, Any]
) -> dict[str, Any]:
    return await slack_error(client.views_open(trigger_id=double.new_trigger_id("U1"), view=view))


async def test_message_with_51_blocks_is_invalid(client: AsyncWebClient) -> None:
    body = await slack_error(post_blocks(client, [section()] * 51))
    assert body["error"] == "invalid_blocks"
    assert body["response_metadata"]["messages"] == [
        "[ERROR] must be at most 50 items [json-pointer:/blocks]"
    ]


async def test_message_with_50_blocks_is_fine(client: AsyncWebClient) -> None:
    assert (await client.chat_postMessage(channel="C1", text="t", blocks=[section()] * 50))["ok"]


async def test_section_text_over_3000_characters(client: AsyncWebClient) -> None:
    body = await slack_error(post_blocks(client, [section("x" * 3001)]))
    assert body["error"] == "invalid_blocks"
    assert "/blocks/0/text/text" in body["response_metadata"]["messages"][0]


async def test_unknown_block_type(client: AsyncWebClient) -> None:
    body = await slack_error(post_blocks(client, [{"type": "poll"}]))
    assert body["error"] == "invalid_blocks"
    assert "unsupported type: poll" in body["response_metadata"]["messages"][0]


async def test_unknown_element_type(client: AsyncWebClient) -> None:
    blocks = [{"type": "actions", "elements": [{"type": "slider", "action_id": "a"}]}]
    body = await slack_error(post_blocks(client, blocks))
    assert body["error"] == "invalid_blocks"


async def test_duplicate_block_ids(client: AsyncWebClient) -> None:
    blocks = [section(block_id="same"), section(block_id="same")]
    body = await slack_error(post_blocks(client, blocks))
    assert "duplicate block_id: same" in body["response_metadata"]["messages"][0]


async def test_duplicate_action_ids_in_one_block(client: AsyncWebClient) -> None:
    button = {"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": "Go"}}
    blocks = [{"type": "actions", "elements": [button, button]}]
    body = await slack_error(post_blocks(client, blocks))
    assert "duplicate action_id: go" in body["response_metadata"]["messages"][0]


async def test_select_with_101_options(client: AsyncWebClient) -> None:
    options = [
        {"text": {"type": "plain_text", "text": str(i)}, "value": str(i)} for i in range(101)
    ]
    select = {
        "type": "static_select",
        "action_id": "pick",
        "options": options,
        "placeholder": {"type": "plain_text", "text": "Pick"},
    }
    body = await slack_error(post_blocks(client, [{"type": "actions", "elements": [select]}]))
    assert body["error"] == "invalid_blocks"


async def test_action_id_over_255(client: AsyncWebClient) -> None:
    button = {
        "type": "button",
        "action_id": "a" * 256,
        "text": {"type": "plain_text", "text": "Go"},
    }
    body = await slack_error(post_blocks(client, [{"type": "actions", "elements": [button]}]))
    assert body["error"] == "invalid_blocks"


async def test_malformed_blocks_json(client: AsyncWebClient) -> None:
    body = await slack_error(
        client.api_call("chat.postMessage", data={"channel": "C1", "blocks": "[{"})
    )
    assert body["error"] == "invalid_blocks_format"


async def test_modal_title_over_24_characters(client: AsyncWebClient, double: SlackDouble) -> None:
    body = await open_modal(client, double, modal(title={"type": "plain_text", "text": "x" * 25}))
    assert body["error"] == "invalid_arguments"
    assert body["response_metadata"]["messages"] == [
        "[ERROR] must be at most 24 characters [json-pointer:/view/title]"
    ]


async def test_modal_with_101_blocks(client: AsyncWebClient, double: SlackDouble) -> None:
    body = await open_modal(client, double, modal(blocks=[section()] * 101))
    assert body["error"] == "invalid_arguments"
    assert "/view/blocks" in body["response_metadata"]["messages"][0]


async def test_private_metadata_over_3000(client: AsyncWebClient, double: SlackDouble) -> None:
    body = await open_modal(client, double, modal(private_metadata="x" * 3001))
    assert body["error"] == "invalid_arguments"
    assert "/view/private_metadata" in body["response_metadata"]["messages"][0]


async def test_modal_needs_a_title(client: AsyncWebClient, double: SlackDouble) -> None:
    view = modal()
    del view["title"]
    body = await open_modal(client, double, view)
    assert "missing required field: title" in body["response_metadata"]["messages"][0]


async def test_modal_with_inputs_needs_submit(client: AsyncWebClient, double: SlackDouble) -> None:
    view = modal(blocks=[text_input()])
    del view["submit"]
    body = await open_modal(client, double, view)
    assert body["error"] == "invalid_arguments"
    assert "/view/submit" in body["response_metadata"]["messages"][0]


async def test_input_block_needs_label(client: AsyncWebClient, double: SlackDouble) -> None:
    block = text_input()
    del block["label"]
    body = await open_modal(client, double, modal(blocks=[block]))
    assert "/view/blocks/0/label" in body["response_metadata"]["messages"][0]


async def test_view_over_250_kb(client: AsyncWebClient, double: SlackDouble) -> None:
    blocks = [section("x" * 2900) for _ in range(90)]
    body = await open_modal(client, double, modal(blocks=blocks))
    assert body == {"ok": False, "error": "view_too_large"}


async def test_publish_needs_a_home_view(client: AsyncWebClient) -> None:
    body = await slack_error(client.views_publish(user_id="U1", view=modal()))
    assert body["error"] == "invalid_arguments"
    assert "/view/type" in body["response_metadata"]["messages"][0]


async def test_valid_blocks_get_block_and_action_ids(client: AsyncWebClient) -> None:
    button = {"type": "button", "text": {"type": "plain_text", "text": "Go"}}
    result = await client.chat_postMessage(
        channel="C1", blocks=[{"type": "actions", "elements": [button]}], text="fallback"
    )
    stored = result["message"]["blocks"][0]
    assert stored["block_id"] and stored["elements"][0]["action_id"]
