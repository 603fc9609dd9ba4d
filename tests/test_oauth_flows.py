"""OAuth mode: a workspace installs the app through Slack's approval page, and the app then
answers that workspace's requests with the token it installed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.ids import Command
from bot.sandbox.box import CLIENT_ID
from bot.slack.installations import BOT_SCOPES
from tests.conftest import LEAD, TEAM, manifest_bot_scopes
from tests.oauth_steps import (
    LEAD2,
    TEAM2,
    TwoWorkspaces,
    bot_tokens,
    install,
    installed,
    oauth_sandboxes,
    query_of,
    visit,
)


@pytest.fixture
async def two(db: Database, clock: FakeClock) -> AsyncIterator[TwoWorkspaces]:
    async for both in oauth_sandboxes(db, clock):
        yield both


def test_the_app_asks_for_its_manifests_scopes() -> None:
    assert set(BOT_SCOPES) == manifest_bot_scopes()


async def test_a_workspace_installs_the_app_and_is_answered_with_its_token(
    two: TwoWorkspaces,
) -> None:
    box = two.first
    start = await visit(f"{box.web_url}/slack/install?team={TEAM}")
    assert start.status == 302 and start.cookie
    assert start.location.startswith(f"{box.double.base_url}/oauth/v2/authorize?")
    asked = query_of(start.location)
    assert asked["client_id"] == CLIENT_ID
    assert set(asked["scope"].split(",")) == manifest_bot_scopes()
    assert asked["state"] == start.cookie  # the browser holds the state Slack will send back

    approved = await visit(start.location)  # Slack's page, approved
    assert approved.location.startswith(f"{box.web_url}/slack/oauth_redirect?")
    assert query_of(approved.location)["state"] == start.cookie
    assert await bot_tokens(box.db) == {}
    done = await visit(approved.location, cookie=start.cookie)
    assert done.status == 200
    token = (await bot_tokens(box.db))[TEAM]
    assert token.startswith(f"xoxb-{TEAM}-")

    box.double.clear_calls()
    await box.command(LEAD, Command.ADMIN, "list")
    assert box.double.calls and {c.token for c in box.double.calls} == {token}


async def test_a_forged_state_installs_nothing(two: TwoWorkspaces) -> None:
    box = two.first
    approved, cookie = await install(box, TEAM)
    forged = approved.location.replace(query_of(approved.location)["state"], "forged")
    refused = await visit(forged, cookie="forged")  # the browser's cookie matches; Slack's not
    assert 400 <= refused.status < 500
    other_browser = await visit(forged, cookie=cookie)
    assert 400 <= other_browser.status < 500
    no_cookie = await visit(approved.location)
    assert 400 <= no_cookie.status < 500
    assert await bot_tokens(box.db) == {}


async def test_a_replayed_redirect_installs_nothing_more(two: TwoWorkspaces) -> None:
    box = two.first
    approved, cookie = await install(box, TEAM)
    assert (await visit(approved.location, cookie=cookie)).status == 200
    first = await bot_tokens(box.db)
    again = await visit(approved.location, cookie=cookie)
    assert 400 <= again.status < 500
    assert await bot_tokens(box.db) == first


async def test_each_workspace_installs_its_own_bot(two: TwoWorkspaces) -> None:
    first = await installed(two.first, TEAM)
    second = await installed(two.first, TEAM2)
    assert first != second and second.startswith(f"xoxb-{TEAM2}-")
    assert await bot_tokens(two.first.db) == {TEAM: first, TEAM2: second}


async def test_a_workspace_that_has_not_installed_is_not_answered(two: TwoWorkspaces) -> None:
    await installed(two.first, TEAM)
    mark = len(two.first.double.calls)
    response = await two.second.command(LEAD2, Command.ADMIN, "list")
    assert two.first.double.calls[mark:] == []  # nothing done, with nobody's token
    assert response.status == 200  # acknowledged, so Slack does not retry it
