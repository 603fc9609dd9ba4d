"""How the double reads calls: bodies, query strings, tokens, unknown methods, recording."""

from __future__ import annotations

import json
import time

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.double import SlackDouble, Workspace

BOT_TOKEN = "xoxb-test"  # the workspace fixture's bot token


async def raw_post(url: str, **kwargs: object) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as resp:
        return resp.status, await resp.json()


async def test_form_body_with_token_argument(double: SlackDouble) -> None:
    status, body = await raw_post(
        double.api_url + "chat.postMessage",
        data={"token": BOT_TOKEN, "channel": "C1", "text": "form"},
    )
    assert (status, body["ok"], body["channel"]) == (200, True, "C1")
    call = double.calls_to("chat.postMessage")[0]
    assert call.token == BOT_TOKEN
    assert call.args == {"channel": "C1", "text": "form"}


async def test_query_string_arguments_with_bearer_token(double: SlackDouble) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            double.api_url + "users.info",
            params={"user": "U1"},
            headers={"Authorization": f"Bearer {BOT_TOKEN}"},
        ) as resp,
    ):
        body = await resp.json()
    assert body["ok"] and body["user"]["id"] == "U1"


async def test_json_body_with_bearer_token(double: SlackDouble) -> None:
    status, body = await raw_post(
        double.api_url + "chat.postMessage",
        data=json.dumps({"channel": "C1", "text": "json"}),
        headers={"Authorization": f"Bearer {BOT_TOKEN}", "Content-Type": "application/json"},
    )
    assert status == 200 and body["ok"]
    assert double.messages("C1")[-1]["text"] == "json"


async def test_json_body_is_ignored_where_the_contract_does_not_take_json(
    contracts_dir: object, double: SlackDouble
) -> None:
    # users.info does not take JSON, so Slack never sees `user`.
    status, body = await raw_post(
        double.api_url + "users.info",
        data=json.dumps({"user": "U1"}),
        headers={"Authorization": f"Bearer {BOT_TOKEN}", "Content-Type": "application/json"},
    )
    assert status == 200
    assert body["error"] == "invalid_arguments"
    assert body["response_metadata"]["messages"] == ["[ERROR] missing required field: user"]


async def test_the_sdk_client_talks_to_the_double(client: AsyncWebClient) -> None:
    auth = await client.auth_test()
    assert auth["user_id"] == "UBOT" and auth["bot_id"] == "B0001"
    assert auth["team_id"] == "T0001" and auth["url"] == "https://acme.slack.com/"
    assert auth["is_enterprise_install"] is False


async def test_no_token_is_not_authed(double: SlackDouble) -> None:
    status, body = await raw_post(double.api_url + "auth.test")
    assert (status, body) == (200, {"ok": False, "error": "not_authed"})


async def test_unknown_token_is_invalid_auth(double: SlackDouble) -> None:
    stranger = AsyncWebClient(token="xoxb-nope", base_url=double.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as caught:
        await stranger.auth_test()
    assert caught.value.response["error"] == "invalid_auth"


async def test_extra_and_revoked_tokens(double: SlackDouble, workspace: Workspace) -> None:
    workspace.add_token("xoxp-ada", {"chat:write"}, user_id="U1")
    user_client = AsyncWebClient(token="xoxp-ada", base_url=double.api_url, retry_handlers=[])
    auth = await user_client.auth_test()
    assert auth["user_id"] == "U1" and "bot_id" not in auth
    workspace.revoke_token("xoxp-ada")
    with pytest.raises(SlackApiError) as caught:
        await user_client.auth_test()
    assert caught.value.response["error"] == "token_revoked"


async def test_unknown_method(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        await client.api_call("mentoring.doesNotExist")
    assert caught.value.response.status_code == 200
    assert caught.value.response.data == {"ok": False, "error": "unknown_method"}


async def test_known_but_unimplemented_method_is_loud(
    contracts_dir: object, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as caught:
        await client.api_call("reminders.add", params={"text": "x", "time": "in 5 minutes"})
    assert caught.value.response.status_code == 501
    assert caught.value.response["error"] == "not_implemented_in_double"


async def test_multipart_bodies_are_refused(double: SlackDouble) -> None:
    form = aiohttp.FormData()
    form.add_field("channel", "C1")
    form.add_field("file", b"bytes", filename="a.txt")
    _, body = await raw_post(
        double.api_url + "chat.postMessage",
        data=form,
        headers={"Authorization": f"Bearer {BOT_TOKEN}"},
    )
    assert body == {"ok": False, "error": "invalid_form_data"}


async def test_calls_are_recorded_in_order_with_decoded_arguments(
    client: AsyncWebClient, double: SlackDouble
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    metadata = {"event_type": "pairing", "event_payload": {"id": 1}}
    # Form-encoded, so blocks and metadata travel as JSON strings.
    await client.api_call(
        "chat.postMessage",
        data={
            "channel": "C1",
            "text": "hi",
            "blocks": json.dumps(blocks),
            "metadata": json.dumps(metadata),
        },
    )
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="C404", text="lost")
    calls = double.calls
    assert [c.method for c in calls] == ["chat.postMessage", "chat.postMessage"]
    assert calls[0].args["blocks"] == blocks
    assert calls[0].args["metadata"] == metadata
    assert calls[0].http_status == 200 and calls[0].ok and calls[0].token == BOT_TOKEN
    assert calls[1].response == {"ok": False, "error": "channel_not_found"}
    assert not calls[1].ok
    double.clear_calls()
    assert double.calls == []


async def test_fail_next_injects_one_error(client: AsyncWebClient, double: SlackDouble) -> None:
    double.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel="C1", text="x")
    assert caught.value.response["error"] == "channel_not_found"
    assert (await client.chat_postMessage(channel="C1", text="x"))["ok"]


async def test_fail_next_can_answer_like_a_rate_limit(
    client: AsyncWebClient, double: SlackDouble
) -> None:
    double.fail_next("users.info", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        await client.users_info(user="U1")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"
    assert caught.value.response["error"] == "ratelimited"


async def test_latency_is_added_to_every_call(client: AsyncWebClient, double: SlackDouble) -> None:
    double.latency = 0.05
    started = time.perf_counter()
    await client.auth_test()
    assert time.perf_counter() - started >= 0.05


async def test_runs_without_contracts(workspace: Workspace) -> None:
    async with SlackDouble(workspace, contracts_dir=None) as slack:
        web_client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=[])
        try:
            assert (await web_client.chat_postMessage(channel="C1", text="x"))["ok"]
            # Arguments its handlers read are still required.
            with pytest.raises(SlackApiError) as caught:
                await web_client.users_info(user="")
            assert caught.value.response["error"] == "invalid_arguments"
            with pytest.raises(SlackApiError) as caught:
                await web_client.api_call("reminders.add")
            assert caught.value.response["error"] == "unknown_method"
        finally:
            if web_client.session is not None:
                await web_client.session.close()
