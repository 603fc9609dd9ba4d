"""Token rotation as the double plays it: a rotating bot token expires, each refresh token
buys the next token once, and a legacy token (installed before rotation was on) is exchanged
for a rotating one once."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.sandbox.double import SlackDouble, Workspace
from bot.sandbox.double.oauth import OAuthApp

APP = OAuthApp("111.222", "app-secret", "https://app.example/redirect", rotation_seconds=43200)
CREDS = {"client_id": APP.client_id, "client_secret": APP.client_secret}


async def install(double: SlackDouble, workspace: Workspace, client: AsyncWebClient) -> Any:
    """The app installed in the workspace: Slack's answer to `oauth.v2.access`."""
    approved = double.oauth.approve(
        {"client_id": APP.client_id, "team": workspace.team_id}, double.hosted
    )
    code = parse_qs(urlsplit(approved.headers["Location"]).query)["code"][0]
    return await client.oauth_v2_access(code=code, **CREDS)


async def legacy_token(double: SlackDouble, workspace: Workspace, client: AsyncWebClient) -> str:
    """A bot token installed while the app had rotation off; rotation is on from here."""
    double.oauth.register(replace(APP, rotation_seconds=None))
    installed = await install(double, workspace, client)
    assert "refresh_token" not in installed.data
    double.oauth.apps[APP.client_id].rotation_seconds = APP.rotation_seconds
    return str(installed["access_token"])


async def error_of(call: Awaitable[object]) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return str(caught.value.response["error"])


async def test_a_refresh_token_buys_one_token(
    double: SlackDouble, workspace: Workspace, client: AsyncWebClient, clock: FakeClock
) -> None:
    double.oauth.register(APP)
    creds = CREDS
    installed = await install(double, workspace, client)
    assert installed["expires_in"] == 43200

    clock.advance(hours=11)
    refresh = {"grant_type": "refresh_token", "refresh_token": installed["refresh_token"], **creds}
    refreshed = await client.oauth_v2_access(**refresh)
    assert refreshed["access_token"] != installed["access_token"]
    with pytest.raises(SlackApiError) as twice:
        await client.oauth_v2_access(**refresh)
    assert twice.value.response["error"] == "invalid_refresh_token"

    clock.advance(hours=1)
    with pytest.raises(SlackApiError) as expired:
        await client.auth_test(token=installed["access_token"])
    assert expired.value.response["error"] == "token_expired"
    assert (await client.auth_test(token=refreshed["access_token"]))["ok"]


async def test_a_legacy_token_is_exchanged_once_for_a_rotating_one(
    double: SlackDouble, workspace: Workspace, client: AsyncWebClient, clock: FakeClock
) -> None:
    legacy = await legacy_token(double, workspace, client)
    assert (await client.auth_test(token=legacy))["ok"]

    exchanged = await client.oauth_v2_exchange(token=legacy, **CREDS)
    assert exchanged["token_type"] == "bot"
    assert exchanged["expires_in"] == 43200
    assert exchanged["bot_user_id"] == workspace.bot_user_id
    assert exchanged["team"] == {"id": workspace.team_id, "name": workspace.team_name}
    assert exchanged["access_token"] != legacy
    new = exchanged["access_token"]
    # The legacy token stops working at once: the app has to use the new one.
    assert await error_of(client.auth_test(token=legacy)) == "token_revoked"
    assert (await client.auth_test(token=new))["ok"]
    twice = client.oauth_v2_exchange(token=legacy, **CREDS)
    assert await error_of(twice) == "token_already_exchanged"

    # The refresh token buys the next token, and the new token expires on time.
    clock.advance(hours=11)
    refresh = {"grant_type": "refresh_token", "refresh_token": exchanged["refresh_token"]}
    refreshed = await client.oauth_v2_access(**refresh, **CREDS)
    clock.advance(hours=1)
    assert await error_of(client.auth_test(token=new)) == "token_expired"
    assert (await client.auth_test(token=refreshed["access_token"]))["ok"]


async def test_an_exchange_is_refused_with_slacks_errors(
    double: SlackDouble, workspace: Workspace, client: AsyncWebClient
) -> None:
    legacy = await legacy_token(double, workspace, client)
    wrong_secret = {**CREDS, "client_secret": "not-the-secret"}
    assert await error_of(client.oauth_v2_exchange(token=legacy, **wrong_secret)) == (
        "bad_client_secret"
    )
    wrong_id = {**CREDS, "client_id": "999.999"}
    assert await error_of(client.oauth_v2_exchange(token=legacy, **wrong_id)) == (
        "invalid_client_id"
    )
    unknown = client.oauth_v2_exchange(token="xoxb-never-issued", **CREDS)
    assert await error_of(unknown) == "invalid_token"
    # The workspace's own token was not installed by this app.
    assert await error_of(client.oauth_v2_exchange(token=workspace.bot_token, **CREDS)) == (
        "invalid_token"
    )

    double.oauth.apps[APP.client_id].rotation_seconds = None  # rotation off in the app's settings
    off = client.oauth_v2_exchange(token=legacy, **CREDS)
    assert await error_of(off) == "token_rotation_not_enabled"
    assert (await client.auth_test(token=legacy))["ok"]  # a refused exchange changes nothing

    workspace.revoke_token(legacy)
    double.oauth.apps[APP.client_id].rotation_seconds = APP.rotation_seconds
    revoked = client.oauth_v2_exchange(token=legacy, **CREDS)
    assert await error_of(revoked) == "authorization_not_found"


async def test_a_rotating_token_has_nothing_to_exchange(
    double: SlackDouble, workspace: Workspace, client: AsyncWebClient
) -> None:
    double.oauth.register(APP)
    installed = await install(double, workspace, client)
    rotating = client.oauth_v2_exchange(token=installed["access_token"], **CREDS)
    assert await error_of(rotating) == "invalid_token"
