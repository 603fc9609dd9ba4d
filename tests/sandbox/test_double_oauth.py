"""Token rotation as the double plays it: a rotating bot token expires, and each refresh token
buys the next token once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.sandbox.double import SlackDouble, Workspace
from bot.sandbox.double.oauth import OAuthApp

APP = OAuthApp("111.222", "app-secret", "https://app.example/redirect", rotation_seconds=43200)


async def test_a_refresh_token_buys_one_token(
    double: SlackDouble, workspace: Workspace, client: AsyncWebClient, clock: FakeClock
) -> None:
    double.oauth.register(APP)
    approved = double.oauth.approve(
        {"client_id": APP.client_id, "team": workspace.team_id}, double.hosted
    )
    code = parse_qs(urlsplit(approved.headers["Location"]).query)["code"][0]
    creds = {"client_id": APP.client_id, "client_secret": APP.client_secret}
    installed = await client.oauth_v2_access(code=code, **creds)
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
