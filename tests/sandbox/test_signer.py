"""SlackRequestSigner: signed requests shaped like Slack's, and modal moves after acks."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.double import SlackDouble
from bot.sandbox.signer import SlackRequestSigner

SECRET = "shhh-signing-secret"


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def option(value: str) -> dict[str, Any]:
    return {"text": plain(value.upper()), "value": value}


def input_block(block_id: str, element: dict[str, Any], optional: bool = False) -> dict:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(block_id),
        "element": {"action_id": f"{block_id}_input", **element},
    }


FORM_BLOCKS = [
    input_block("name", {"type": "plain_text_input", "initial_value": "Ada"}),
    input_block(
        "level",
        {
            "type": "static_select",
            "options": [option("a"), option("b"), option("c")],
            "initial_option": option("b"),
        },
    ),
    input_block(
        "topics",
        {"type": "checkboxes", "options": [option("x"), option("y"), option("z")]},
        optional=True,
    ),
    input_block("mentor", {"type": "users_select"}, optional=True),
    input_block("start", {"type": "datepicker", "initial_date": "2025-01-06"}),
    input_block("time", {"type": "timepicker"}, optional=True),
    input_block(
        "team",
        {
            "type": "multi_static_select",
            "option_groups": [{"label": plain("G"), "options": [option("t1"), option("t2")]}],
        },
        optional=True,
    ),
    input_block("channel", {"type": "conversations_select"}, optional=True),
    input_block("count", {"type": "number_input", "is_decimal_allowed": False}, optional=True),
    input_block("when", {"type": "datetimepicker"}, optional=True),
    input_block("radio", {"type": "radio_buttons", "options": [option("r1")]}, optional=True),
    input_block("people", {"type": "multi_users_select"}, optional=True),
    input_block("chan", {"type": "channels_select"}, optional=True),
    input_block("email", {"type": "email_text_input"}, optional=True),
]

FORM = {
    "type": "modal",
    "callback_id": "join",
    "title": plain("Join"),
    "submit": plain("Save"),
    "private_metadata": "meta",
    "blocks": FORM_BLOCKS,
}


@pytest.fixture
async def signer(fake_app: Any, double: SlackDouble) -> AsyncIterator[SlackRequestSigner]:
    slack_signer = SlackRequestSigner(signing_secret=SECRET, app_url=fake_app.url, double=double)
    yield slack_signer
    await slack_signer.close()


def verifies(seen: dict[str, Any]) -> bool:
    return SignatureVerifier(SECRET).is_valid(
        seen["body"],
        seen["headers"]["X-Slack-Request-Timestamp"],
        seen["headers"]["X-Slack-Signature"],
    )


def interaction_of(seen: dict[str, Any]) -> dict[str, Any]:
    return json.loads(parse_qs(seen["body"])["payload"][0])


def ack_with(body: Any) -> Any:
    return lambda _: web.json_response(body)


async def open_form(client: AsyncWebClient, double: SlackDouble, view: dict = FORM) -> str:
    result = await client.views_open(trigger_id=double.new_trigger_id("U1"), view=view)
    return result["view"]["id"]


async def test_every_request_is_signed_like_slack(
    signer: SlackRequestSigner, fake_app: Any
) -> None:
    await signer.slash_command("U1", "/mentoring", "join", channel_id="C1")
    await signer.global_shortcut("U1", "start_pairing")
    await signer.event({"type": "app_home_opened", "user": "U1", "tab": "home"})
    assert len(fake_app.requests) == 3
    assert all(verifies(seen) for seen in fake_app.requests)
    content_types = [seen["headers"]["Content-Type"] for seen in fake_app.requests]
    assert content_types == [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded",
        "application/json",
    ]


async def test_old_timestamps_fail_verification(fake_app: Any, double: SlackDouble) -> None:
    stale = SlackRequestSigner(SECRET, fake_app.url, double, clock=lambda: time.time() - 600)
    try:
        await stale.global_shortcut("U1", "x")
    finally:
        await stale.close()
    assert not verifies(fake_app.requests[0])


async def test_on_a_frozen_clock_the_answer_is_also_timed_in_real_time(
    fake_app: Any, double: SlackDouble
) -> None:
    # A sandbox on a fake clock measures Slack's deadline on it: there the answer takes no
    # time. The demo's figures for acknowledgements are the real time it took.
    frozen = SlackRequestSigner(SECRET, fake_app.url, double, timer=lambda: 1000.0)
    try:
        response = await frozen.slash_command("U1", "/mentoring", "join")
    finally:
        await frozen.close()
    assert response.elapsed == 0 and response.acked_in_time
    assert response.real_seconds > 0


async def test_slash_command_form(
    signer: SlackRequestSigner, fake_app: Any, double: SlackDouble, client: AsyncWebClient
) -> None:
    fake_app.reply = lambda _: web.Response(text="On it")
    response = await signer.slash_command("U1", "/mentoring", "join", channel_id="C1")
    assert (response.status, response.text, response.json) and response.text == "On it"
    assert response.elapsed > 0
    fields = {k: v[0] for k, v in parse_qs(fake_app.requests[0]["body"]).items()}
    assert fields["command"] == "/mentoring" and fields["text"] == "join"
    assert (fields["team_id"], fields["team_domain"]) == ("T0001", "acme")
    assert (fields["user_id"], fields["user_name"]) == ("U1", "ada")
    assert (fields["channel_id"], fields["channel_name"]) == ("C1", "general")
    assert fields["api_app_id"] == "A0001"
    assert fields["response_url"].startswith(double.base_url + "/response/")
    # The trigger id is live: the app can open a modal with it.
    view = {"type": "modal", "title": plain("Hi"), "blocks": [{"type": "divider"}]}
    assert (await client.views_open(trigger_id=fields["trigger_id"], view=view))["ok"]


async def test_submit_view_builds_slacks_state_format(
    signer: SlackRequestSigner, fake_app: Any, double: SlackDouble, client: AsyncWebClient
) -> None:
    view_id = await open_form(client, double)
    await signer.submit_view(
        "U1",
        view_id,
        values={
            "level": "c",
            "topics": ["x", "z"],
            "mentor_input": "U2",  # an action_id works as a key too
            "team": ["t2"],
            "channel": "C1",
            "count": 3,
            "when": 1700000000,
            "radio": "r1",
            "people": ["U1", "U2"],
            "chan": "C1",
        },
    )
    payload = interaction_of(fake_app.requests[0])
    assert payload["type"] == "view_submission"
    assert payload["user"] == {"id": "U1", "username": "ada", "name": "ada", "team_id": "T0001"}
    assert payload["view"]["id"] == view_id and payload["view"]["callback_id"] == "join"
    assert payload["view"]["private_metadata"] == "meta"
    assert payload["trigger_id"] and payload["api_app_id"] == "A0001"
    assert payload["view"]["state"]["values"] == {
        "name": {"name_input": {"type": "plain_text_input", "value": "Ada"}},
        "level": {"level_input": {"type": "static_select", "selected_option": option("c")}},
        "topics": {
            "topics_input": {"type": "checkboxes", "selected_options": [option("x"), option("z")]}
        },
        "mentor": {"mentor_input": {"type": "users_select", "selected_user": "U2"}},
        "start": {"start_input": {"type": "datepicker", "selected_date": "2025-01-06"}},
        "time": {"time_input": {"type": "timepicker", "selected_time": None}},
        "team": {"team_input": {"type": "multi_static_select", "selected_options": [option("t2")]}},
        "channel": {
            "channel_input": {"type": "conversations_select", "selected_conversation": "C1"}
        },
        "count": {"count_input": {"type": "number_input", "value": "3"}},
        "when": {"when_input": {"type": "datetimepicker", "selected_date_time": 1700000000}},
        "radio": {"radio_input": {"type": "radio_buttons", "selected_option": option("r1")}},
        "people": {"people_input": {"type": "multi_users_select", "selected_users": ["U1", "U2"]}},
        "chan": {"chan_input": {"type": "channels_select", "selected_channel": "C1"}},
        "email": {"email_input": {"type": "email_text_input", "value": None}},
    }


async def test_submit_view_refuses_values_slack_could_not_send(
    signer: SlackRequestSigner, fake_app: Any, double: SlackDouble, client: AsyncWebClient
) -> None:
    view_id = await open_form(client, double)
    with pytest.raises(ValueError, match="option value 'zzz'"):
        await signer.submit_view("U1", view_id, values={"level": "zzz"})
    with pytest.raises(ValueError, match="'nonsense'"):
        await signer.submit_view("U1", view_id, values={"nonsense": "x"})
    with pytest.raises(ValueError, match="not a user"):
        await signer.submit_view("U1", view_id, values={"mentor": "U404"})
    with pytest.raises(ValueError, match="not a YYYY-MM-DD"):
        await signer.submit_view("U1", view_id, values={"start": "next week"})
    with pytest.raises(ValueError, match="required input"):
        await signer.submit_view("U1", view_id, values={"name": ""})
    with pytest.raises(ValueError, match="top modal"):
        await signer.submit_view("U2", view_id)
    assert fake_app.requests == []


async def test_acknowledgement_closes_the_modal(
    signer: SlackRequestSigner, double: SlackDouble, client: AsyncWebClient
) -> None:
    view_id = await open_form(client, double)
    response = await signer.submit_view("U1", view_id)
    assert response.status == 200 and response.json() is None
    assert response.view_ack_error is None
    assert double.open_modals("U1") == []


async def test_response_action_errors_keeps_the_modal(
    signer: SlackRequestSigner, fake_app: Any, double: SlackDouble, client: AsyncWebClient
) -> None:
    view_id = await open_form(client, double)
    fake_app.reply = ack_with({"response_action": "errors", "errors": {"name": "Too short"}})
    response = await signer.submit_view("U1", view_id)
    assert response.view_ack_error is None
    assert [v["id"] for v in double.open_modals("U1")] == [view_id]
    fake_app.reply = ack_with({"response_action": "errors", "errors": {"ghost": "?"}})
    response = await signer.submit_view("U1", view_id)
    assert "ghost" in (response.view_ack_error or "")


async def test_response_action_update_push_and_clear(
    signer: SlackRequestSigner, fake_app: Any, double: SlackDouble, client: AsyncWebClient
) -> None:
    view_id = await open_form(client, double)
    thanks = {"type": "modal", "title": plain("Thanks"), "blocks": [{"type": "divider"}]}
    fake_app.reply = ack_with({"response_action": "update", "view": thanks})
    await signer.submit_view("U1", view_id)
    assert [v["title"]["text"] for v in double.open_modals("U1")] == ["Thanks"]
    assert double.open_modals("U1")[0]["id"] == view_id

    step_two = {**FORM, "title": plain("Step two")}
    fake_app.reply = ack_with({"response_action": "push", "view": step_two})
    await signer.submit_view("U1", view_id)
    stack = double.open_modals("U1")
    assert [v["title"]["text"] for v in stack] == ["Thanks", "Step two"]

    fake_app.reply = ack_with({"response_action": "clear"})
    await signer.submit_view("U1", stack[-1]["id"])
    assert double.open_modals("U1") == []


async def test_invalid_view_in_an_ack_is_reported(
    signer: SlackRequestSigner, fake_app: Any, double: SlackDouble, client: AsyncWebClient
) -> None:
    view_id = await open_form(client, double)
    bad = {"type": "modal", "title": plain("x" * 30), "blocks": [{"type": "divider"}]}
    fake_app.reply = ack_with({"response_action": "update", "view": bad})
    response = await signer.submit_view("U1", view_id)
    assert "24 characters" in (response.view_ack_error or "")
    assert double.open_modals("U1")[0]["title"]["text"] == "Join"


async def test_block_action_on_a_message(
    signer: SlackRequestSigner, fake_app: Any, double: SlackDouble, client: AsyncWebClient
) -> None:
    button = {
        "type": "button",
        "action_id": "accept",
        "value": "pair-7",
        "text": plain("Accept"),
        "style": "primary",
    }
    posted = await client.chat_postMessage(
        channel="C1",
        text="New pair",
        blocks=[{"type": "actions", "block_id": "pairing", "elements": [button]}],
    )
    await signer.block_action("U1", "accept", message={"channel": "C1", "ts": posted["ts"]})
    payload = interaction_of(fake_app.requests[0])
    assert payload["type"] == "block_actions"
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    assert payload["channel"] == {"id": "C1", "name": "general"}
    assert payload["message"]["ts"] == posted["ts"] and payload["message"]["text"] == "New pair"
    assert payload["response_url"].startswith(double.base_url + "/response/")
    assert payload["state"] == {"values": {}}
    action = payload["actions"][0]
    assert {k: action[k] for k in ("type", "action_id", "block_id", "value", "style")} == {
        "type": "button",
        "action_id": "accept",
        "block_id": "pairing",
        "value": "pair-7",
        "style": "primary",
    }
    assert action["text"] == plain("Accept") and action["action_ts"]
    assert payload["trigger_id"]


async def test_block_action_in_a_view_carries_the_view_and_its_state(
    signer: SlackRequestSigner, fake_app: Any, double: SlackDouble, client: AsyncWebClient
) -> None:
    view_id = await open_form(client, double)
    await signer.block_action("U1", "level_input", "a", view_id=view_id)
    payload = interaction_of(fake_app.requests[0])
    assert payload["container"] == {"type": "view", "view_id": view_id}
    assert payload["view"]["id"] == view_id
    assert payload["actions"][0]["selected_option"] == option("a")
    state = payload["view"]["state"]["values"]
    assert state["level"]["level_input"]["selected_option"] == option("a")
    assert "response_url" not in payload and "state" not in payload
    with pytest.raises(ValueError, match="no element"):
        await signer.block_action("U1", "missing", view_id=view_id)
    # What the user picked stays picked when they submit.
    await signer.submit_view("U1", view_id)
    submitted = interaction_of(fake_app.requests[1])["view"]["state"]["values"]
    assert submitted["level"]["level_input"]["selected_option"] == option("a")


async def test_close_view(
    signer: SlackRequestSigner, fake_app: Any, double: SlackDouble, client: AsyncWebClient
) -> None:
    quiet = await open_form(client, double)
    assert await signer.close_view("U1", quiet) is None
    assert double.open_modals("U1") == [] and fake_app.requests == []

    noisy = await open_form(client, double, {**FORM, "notify_on_close": True})
    response = await signer.close_view("U1", noisy)
    assert response is not None and response.status == 200
    payload = interaction_of(fake_app.requests[0])
    assert payload["type"] == "view_closed" and payload["view"]["id"] == noisy
    assert payload["is_cleared"] is False
    assert double.open_modals("U1") == []


async def test_event_envelope_and_retries(signer: SlackRequestSigner, fake_app: Any) -> None:
    event = {"type": "member_joined_channel", "user": "U3", "channel": "C1"}
    first = await signer.event(event)
    envelope = json.loads(fake_app.requests[0]["body"])
    assert envelope["type"] == "event_callback"
    assert (envelope["team_id"], envelope["api_app_id"]) == ("T0001", "A0001")
    assert envelope["event"]["type"] == "member_joined_channel" and envelope["event"]["event_ts"]
    assert envelope["authorizations"][0]["user_id"] == "UBOT"
    assert isinstance(envelope["event_time"], int)
    assert "X-Slack-Retry-Num" not in fake_app.requests[0]["headers"]

    await signer.event(
        event, retry_num=1, retry_reason="http_timeout", event_id=first.payload["event_id"]
    )
    retry = fake_app.requests[1]
    assert retry["headers"]["X-Slack-Retry-Num"] == "1"
    assert retry["headers"]["X-Slack-Retry-Reason"] == "http_timeout"
    assert json.loads(retry["body"])["event_id"] == envelope["event_id"]


async def test_global_shortcut_payload(
    signer: SlackRequestSigner, fake_app: Any, double: SlackDouble
) -> None:
    await signer.global_shortcut("U2", "start_pairing")
    payload = interaction_of(fake_app.requests[0])
    assert payload["type"] == "shortcut" and payload["callback_id"] == "start_pairing"
    assert payload["user"]["id"] == "U2" and payload["team"]["id"] == "T0001"
    assert payload["trigger_id"]
