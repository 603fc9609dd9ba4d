"""Views: modal stacks, updates guarded by hash, the Home tab."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.double import SlackDouble


def modal(title: str = "Join", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": title}}],
        **extra,
    }


HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]}


async def slack_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response["error"]


async def open_for(client: AsyncWebClient, double: SlackDouble, view: dict[str, Any]) -> dict:
    return (await client.views_open(trigger_id=double.new_trigger_id("U1"), view=view))["view"]


async def test_views_open_returns_the_stored_view(
    client: AsyncWebClient, double: SlackDouble
) -> None:
    view = await open_for(client, double, modal(callback_id="join", private_metadata="{}"))
    assert view["id"].startswith("V") and view["hash"]
    assert view["callback_id"] == "join" and view["private_metadata"] == "{}"
    assert view["root_view_id"] == view["id"] and view["previous_view_id"] is None
    assert (view["app_id"], view["team_id"], view["bot_id"]) == ("A0001", "T0001", "B0001")
    assert double.views[view["id"]]["blocks"][0]["block_id"]


async def test_push_stacks_modals_up_to_three(client: AsyncWebClient, double: SlackDouble) -> None:
    root = await open_for(client, double, modal("One"))
    second = await client.views_push(trigger_id=double.new_trigger_id("U1"), view=modal("Two"))
    third = await client.views_push(trigger_id=double.new_trigger_id("U1"), view=modal("Three"))
    assert second["view"]["root_view_id"] == root["id"]
    assert third["view"]["previous_view_id"] == second["view"]["id"]
    assert [v["title"]["text"] for v in double.open_modals("U1")] == ["One", "Two", "Three"]
    error = await slack_error(
        client.views_push(trigger_id=double.new_trigger_id("U1"), view=modal("Four"))
    )
    assert error == "push_limit_reached"


async def test_push_needs_an_open_modal(client: AsyncWebClient, double: SlackDouble) -> None:
    error = await slack_error(
        client.views_push(trigger_id=double.new_trigger_id("U1"), view=modal())
    )
    assert error == "not_found"


async def test_update_with_a_stale_hash_conflicts(
    client: AsyncWebClient, double: SlackDouble
) -> None:
    view = await open_for(client, double, modal())
    updated = await client.views_update(view_id=view["id"], hash=view["hash"], view=modal("New"))
    assert updated["view"]["id"] == view["id"]
    assert updated["view"]["hash"] != view["hash"]
    assert double.views[view["id"]]["title"]["text"] == "New"
    error = await slack_error(
        client.views_update(view_id=view["id"], hash=view["hash"], view=modal("Newer"))
    )
    assert error == "hash_conflict"
    # Without a hash the update always goes through.
    assert (await client.views_update(view_id=view["id"], view=modal("Newest")))["ok"]


async def test_update_by_external_id(client: AsyncWebClient, double: SlackDouble) -> None:
    view = await open_for(client, double, modal(external_id="pairing-7"))
    result = await client.views_update(external_id="pairing-7", view=modal("Again"))
    assert result["view"]["id"] == view["id"]
    assert result["view"]["external_id"] == "pairing-7"


async def test_update_of_unknown_or_closed_view_is_not_found(
    client: AsyncWebClient, double: SlackDouble
) -> None:
    assert await slack_error(client.views_update(view_id="V404", view=modal())) == "not_found"
    view = await open_for(client, double, modal())
    double.close_modal("U1")
    assert await slack_error(client.views_update(view_id=view["id"], view=modal())) == "not_found"


async def test_external_ids_are_unique_among_open_views(
    client: AsyncWebClient, double: SlackDouble
) -> None:
    await open_for(client, double, modal(external_id="same"))
    error = await slack_error(
        client.views_push(trigger_id=double.new_trigger_id("U1"), view=modal(external_id="same"))
    )
    assert error == "duplicate_external_id"


async def test_home_tab_keeps_its_id_and_honours_hash(
    client: AsyncWebClient, double: SlackDouble
) -> None:
    first = (await client.views_publish(user_id="U1", view=HOME))["view"]
    second = (await client.views_publish(user_id="U1", view=HOME, hash=first["hash"]))["view"]
    assert second["id"] == first["id"] and second["hash"] != first["hash"]
    assert double.home_view("U1") == double.views[first["id"]]
    assert double.home_view("U2") is None
    error = await slack_error(client.views_publish(user_id="U1", view=HOME, hash=first["hash"]))
    assert error == "hash_conflict"
