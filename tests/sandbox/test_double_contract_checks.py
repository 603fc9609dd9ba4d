"""Checks taken from Slack's method reference: required arguments, argument groups, scopes."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.double import SlackDouble, Workspace, server
from bot.sandbox.double.arg_groups import groups_from_descriptions
from bot.sandbox.double.contracts import ContractBook


async def error_of(call: object) -> dict:
    with pytest.raises(SlackApiError) as caught:
        await call  # type: ignore[misc]
    return caught.value.response.data  # type: ignore[return-value]


async def test_missing_required_argument_from_the_contract(
    contracts_dir: Path, client: AsyncWebClient
) -> None:
    # chat.postEphemeral's contract requires `user`; the SDK would not let us leave it out.
    call = client.api_call("chat.postEphemeral", json={"channel": "C1", "text": "x"})
    body = await error_of(call)
    assert body == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {"messages": ["[ERROR] missing required field: user"]},
    }


async def test_message_needs_text_blocks_or_attachments(client: AsyncWebClient) -> None:
    body = await error_of(client.api_call("chat.postMessage", json={"channel": "C1"}))
    assert body == {"ok": False, "error": "no_text"}
    body = await error_of(client.api_call("chat.postMessage", json={"channel": "C1", "text": ""}))
    assert body["error"] == "no_text"


async def test_views_update_needs_view_id_or_external_id(client: AsyncWebClient) -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "T"},
        "blocks": [{"type": "divider"}],
    }
    body = await error_of(client.api_call("views.update", json={"view": view}))
    assert body["error"] == "invalid_arguments"
    assert "view_id" in body["response_metadata"]["messages"][0]


async def test_views_open_needs_a_trigger(client: AsyncWebClient) -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "T"},
        "blocks": [{"type": "divider"}],
    }
    body = await error_of(client.api_call("views.open", json={"view": view}))
    assert body["error"] == "invalid_arguments"


async def test_conversations_open_needs_users_or_channel(client: AsyncWebClient) -> None:
    body = await error_of(client.api_call("conversations.open", json={}))
    assert body == {"ok": False, "error": "users_list_not_supplied"}


async def test_missing_scope(
    contracts_dir: Path, client: AsyncWebClient, workspace: Workspace
) -> None:
    workspace.bot_scopes.discard("pins:write")
    body = await error_of(client.pins_add(channel="C1", timestamp="1.1"))
    assert body["error"] == "missing_scope"
    assert body["needed"] == "pins:write"
    assert body["provided"] == ",".join(sorted(workspace.bot_scopes))


async def test_any_listed_scope_is_enough(
    contracts_dir: Path, client: AsyncWebClient, workspace: Workspace
) -> None:
    # conversations.info lists channels:read, groups:read, im:read, mpim:read as alternatives.
    workspace.bot_scopes -= {"channels:read", "groups:read"}
    assert (await client.conversations_info(channel="C1"))["ok"]


async def test_user_tokens_are_checked_against_user_scopes(
    contracts_dir: Path, double: SlackDouble, workspace: Workspace
) -> None:
    workspace.add_token("xoxp-ada", {"users:read"}, user_id="U1")
    as_ada = AsyncWebClient(token="xoxp-ada", base_url=double.api_url, retry_handlers=[])
    try:
        assert (await as_ada.users_info(user="U2"))["ok"]
        body = await error_of(as_ada.chat_postMessage(channel="C1", text="x"))
        assert (body["error"], body["needed"]) == ("missing_scope", "chat:write")
    finally:
        if as_ada.session is not None:
            await as_ada.session.close()


def test_argument_groups_are_read_from_descriptions(contracts_dir: Path) -> None:
    contract = ContractBook(contracts_dir).get("views.update")
    assert contract is not None
    groups = groups_from_descriptions(contract)
    assert [g.names for g in groups] == [("external_id", "view_id")]


def test_contract_files_are_read_once(contracts_dir: Path) -> None:
    book = ContractBook(contracts_dir)
    first = book.get("chat.postMessage")
    assert first is not None and first.json_input_supported
    assert book.get("chat.postMessage") is first
    assert book.get("no.such.method") is None
    assert book.tier("pins.add") == "t2"


def said_off(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "SLACK_CONTRACTS_DIR" in r.getMessage()]


def test_without_the_reference_the_double_says_so_once(
    workspace: Workspace,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server, "_said_contracts_off", False)
    monkeypatch.setenv("SLACK_CONTRACTS_DIR", str(tmp_path))  # no methods/ here
    caplog.set_level(logging.INFO, logger=server.__name__)
    SlackDouble(workspace)
    SlackDouble(workspace, contracts_dir=None)
    [line] = said_off(caplog)
    assert "argument and scope checks from Slack's reference are off" in line
    assert f"none at {tmp_path}" in line


def test_with_the_reference_nothing_is_said(
    workspace: Workspace,
    contracts_dir: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server, "_said_contracts_off", False)
    caplog.set_level(logging.INFO, logger=server.__name__)
    SlackDouble(workspace, contracts_dir=contracts_dir)
    assert said_off(caplog) == []
