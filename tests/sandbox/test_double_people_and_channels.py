"""users.*, team.info and conversations.*: the shapes and errors the bot depends on."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.double import SlackDouble, User, Workspace


async def slack_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response["error"]


def offset_now(tz: str) -> int:
    offset = dt.datetime.now(zoneinfo.ZoneInfo(tz)).utcoffset()
    return int(offset.total_seconds()) if offset else 0


async def test_users_info_time_zone_fields(client: AsyncWebClient) -> None:
    ada = (await client.users_info(user="U1"))["user"]
    assert ada["tz"] == "Europe/London"
    assert ada["tz_offset"] == offset_now("Europe/London")
    assert ada["tz_label"] in ("Greenwich Mean Time", "British Summer Time")
    alan = (await client.users_info(user="U3"))["user"]
    assert (alan["tz_offset"], alan["tz_label"]) == (19800, "India Standard Time")


async def test_users_info_shape(client: AsyncWebClient) -> None:
    ada = (await client.users_info(user="U1"))["user"]
    assert ada["id"] == "U1" and ada["team_id"] == "T0001" and ada["name"] == "ada"
    assert ada["real_name"] == "Ada Lovelace" and ada["deleted"] is False
    assert (ada["is_admin"], ada["is_owner"], ada["is_bot"]) == (False, False, False)
    assert ada["profile"]["real_name"] == "Ada Lovelace"
    assert ada["profile"]["email"] == "ada@example.com"
    bot = (await client.users_info(user="UBOT"))["user"]
    assert bot["is_bot"] and bot["profile"]["bot_id"] == "B0001"


async def test_email_needs_users_read_email(client: AsyncWebClient, workspace: Workspace) -> None:
    workspace.bot_scopes.discard("users:read.email")
    assert "email" not in (await client.users_info(user="U1"))["user"]["profile"]


async def test_unknown_user(client: AsyncWebClient) -> None:
    assert await slack_error(client.users_info(user="U404")) == "user_not_found"


def test_unknown_time_zone_is_refused(workspace: Workspace) -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        workspace.add_user(User(id="U9", name="x", tz="Mars/Olympus"))


async def test_users_list_pages_with_cursors(client: AsyncWebClient) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = await client.users_list(limit=2, cursor=cursor)
        seen += [m["id"] for m in page["members"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == ["U1", "U2", "U3", "UBOT"] and pages == 2
    assert await slack_error(client.users_list(cursor="bogus")) == "invalid_cursor"


async def test_team_info(client: AsyncWebClient) -> None:
    team = (await client.team_info())["team"]
    assert (team["id"], team["name"], team["domain"]) == ("T0001", "Acme", "acme")


async def test_conversations_open_gives_a_stable_im(
    client: AsyncWebClient, double: SlackDouble
) -> None:
    first = await client.conversations_open(users="U1")
    again = await client.conversations_open(users="U1")
    im_id = first["channel"]["id"]
    assert im_id.startswith("D") and again["channel"]["id"] == im_id
    assert (first["already_open"], again["already_open"]) == (False, True)
    assert double.dm_channel("U1") == im_id
    reopened = await client.conversations_open(channel=im_id)
    assert reopened["channel"]["id"] == im_id
    full = await client.conversations_open(users="U1", return_im=True)
    assert full["channel"]["is_im"] and full["channel"]["user"] == "U1"


async def test_conversations_open_with_several_users(client: AsyncWebClient) -> None:
    group = await client.conversations_open(users="U1,U2")
    assert group["channel"]["id"][0] in "GC"
    same_people = await client.conversations_open(users="U2,U1")
    assert same_people["channel"]["id"] == group["channel"]["id"]
    assert await slack_error(client.conversations_open(users="U404")) == "user_not_found"
    assert await slack_error(client.conversations_open(channel="C1")) == (
        "method_not_supported_for_channel_type"
    )


async def test_conversations_info_and_members(client: AsyncWebClient) -> None:
    info = (await client.conversations_info(channel="C1", include_num_members=True))["channel"]
    assert info["name"] == "general" and info["is_member"] and info["num_members"] == 3
    members = await client.conversations_members(channel="C1", limit=2)
    assert members["members"] == ["U1", "U2"]
    rest = await client.conversations_members(
        channel="C1", cursor=members["response_metadata"]["next_cursor"]
    )
    assert rest["members"] == ["UBOT"] and rest["response_metadata"]["next_cursor"] == ""
    # The bot is not in the private channel, so for it the channel does not exist.
    assert await slack_error(client.conversations_info(channel="G1")) == "channel_not_found"
    assert await slack_error(client.conversations_info(channel="C404")) == "channel_not_found"


async def test_conversations_join(client: AsyncWebClient, workspace: Workspace) -> None:
    joined = await client.conversations_join(channel="C2")
    assert joined["channel"]["is_member"] and "UBOT" in workspace.channels["C2"].members
    again = await client.conversations_join(channel="C2")
    assert again["warning"] == "already_in_channel"
    error = await slack_error(client.conversations_join(channel="G1"))
    assert error == "method_not_supported_for_channel_type"
    assert await slack_error(client.conversations_join(channel="C3")) == "is_archived"


async def test_create_invite_kick_purpose_archive(
    client: AsyncWebClient, workspace: Workspace
) -> None:
    created = (await client.conversations_create(name="pair-ada-grace", is_private=True))["channel"]
    channel_id = created["id"]
    assert created["is_private"] and created["is_member"]
    assert await slack_error(client.conversations_create(name="pair-ada-grace")) == "name_taken"
    assert await slack_error(client.conversations_create(name="Bad Name")) == (
        "invalid_name_specials"
    )
    await client.conversations_invite(channel=channel_id, users="U1,U2")
    assert workspace.channels[channel_id].members == {"UBOT", "U1", "U2"}
    error = await slack_error(client.conversations_invite(channel=channel_id, users="U1"))
    assert error == "already_in_channel"
    assert await slack_error(client.conversations_invite(channel=channel_id, users="UBOT")) == (
        "cant_invite_self"
    )
    await client.conversations_kick(channel=channel_id, user="U2")
    assert await slack_error(client.conversations_kick(channel=channel_id, user="U2")) == (
        "not_in_channel"
    )
    purpose = await client.conversations_setPurpose(channel=channel_id, purpose="Mentoring")
    assert purpose["channel"]["purpose"]["value"] == "Mentoring"
    await client.conversations_archive(channel=channel_id)
    assert await slack_error(client.conversations_archive(channel=channel_id)) == (
        "already_archived"
    )
    assert await slack_error(client.conversations_invite(channel=channel_id, users="U3")) == (
        "is_archived"
    )
