"""OAuth mode in the sandbox: two workspaces on one Slack, and a browser that installs the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import aiohttp
from sqlalchemy import select

from bot.clock import FakeClock
from bot.db import Database
from bot.models import slack_bots
from bot.sandbox import Sandbox
from bot.sandbox.double import Channel, User, Workspace
from tests.conftest import LEAD, manifest_bot_scopes, sandbox_on

TEAM2 = "T0OTHER"
LEAD2 = "U2LEAD"
MENTOR_2 = "U2MENTOR"
EXEC_2 = "U2EXEC"
GENERAL2 = "C2GENERAL"
STATE_COOKIE = "slack-app-oauth-state"


def build_other_workspace() -> Workspace:
    workspace = Workspace(
        team_id=TEAM2,
        team_name="Other Co",
        domain="otherco",
        bot_user_id="U2BOT",
        bot_id="B2BOT",
        app_id="A0APP",
        bot_token="xoxb-other-unused",  # OAuth mode: the app only uses what it installs
        bot_scopes=manifest_bot_scopes(),
    )
    for user in (
        User(id=LEAD2, name="lou", real_name="Lou Lead", tz="Europe/Paris"),
        User(id=MENTOR_2, name="mo", real_name="Mo Mentor", tz="Europe/Paris"),
        User(id=EXEC_2, name="ed", real_name="Ed Exec", tz="Europe/Paris"),
    ):
        workspace.add_user(user)
    everyone = set(workspace.users)
    workspace.add_channel(Channel(id=GENERAL2, name="general", is_general=True, members=everyone))
    return workspace


@dataclass
class TwoWorkspaces:
    first: Sandbox  # the test workspace (tests/conftest.py)
    second: Sandbox  # the same app and Slack, seen from TEAM2


async def oauth_sandboxes(
    db: Database,
    clock: FakeClock,
    *,
    first: Workspace | None = None,
    second: Workspace | None = None,
    token_rotation: bool = False,
) -> AsyncIterator[TwoWorkspaces]:
    """The app in OAuth mode on a Slack hosting two workspaces (by default the test workspace
    and TEAM2), nothing installed yet; `token_rotation` sets SLACK_TOKEN_ROTATION."""
    box = sandbox_on(
        db,
        clock,
        workspace=first,
        leads=frozenset({LEAD, LEAD2}),
        oauth=True,
        token_rotation=token_rotation,
    )
    await box.start()
    try:
        yield TwoWorkspaces(box, box.host(second or build_other_workspace()))
    finally:
        await box.stop()


@dataclass
class Visit:
    status: int
    location: str
    cookie: str | None
    text: str


async def visit(url: str, *, cookie: str | None = None) -> Visit:
    """A browser's GET, redirects not followed, the state cookie sent when given."""
    headers = {"Cookie": f"{STATE_COOKIE}={cookie}"} if cookie else {}
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, headers=headers, allow_redirects=False) as resp,
    ):
        set_cookie = resp.cookies.get(STATE_COOKIE)
        return Visit(
            resp.status,
            resp.headers.get("Location", ""),
            set_cookie.value if set_cookie else None,
            await resp.text(),
        )


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def install(box: Sandbox, team_id: str) -> tuple[Visit, str]:
    """A person in `team_id` installs the app: the redirect back from Slack (not yet
    followed) and the state cookie their browser holds."""
    start = await visit(f"{box.web_url}/slack/install?team={team_id}")
    assert start.status == 302 and start.cookie, start
    approved = await visit(start.location)
    assert approved.status == 302, approved
    return approved, start.cookie


async def installed(box: Sandbox, team_id: str) -> str:
    approved, cookie = await install(box, team_id)
    done = await visit(approved.location, cookie=cookie)
    assert done.status == 200, done
    token = (await bot_tokens(box.db)).get(team_id)
    assert token is not None
    return token


async def bot_tokens(db: Database | None) -> dict[str, str]:
    assert db is not None
    async with db.transaction() as session:
        rows = await session.execute(select(slack_bots.c.team_id, slack_bots.c.bot_token))
        return {team: token for team, token in rows}
