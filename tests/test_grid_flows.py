"""Enterprise Grid: an org installs the app once, org-wide, and every workspace of the org is
answered, swept and uninstalled with the org's installation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from bot.clock import FakeClock
from bot.db import Database
from bot.ids import Action, Command, Field, View
from bot.models import Participant, Programme, ProgrammeStatus, slack_bots
from bot.sandbox import Sandbox
from bot.sandbox.box import CLIENT_ID
from bot.sandbox.double import User
from tests.conftest import GENERAL, LEAD, TEAM, build_test_workspace
from tests.flows import (
    channel_of,
    close_enrolment,
    create_programme,
    open_enrolment,
    preview,
    sign_up,
    signup_values,
)
from tests.oauth_steps import (
    EXEC_2,
    GENERAL2,
    LEAD2,
    MENTOR_2,
    TEAM2,
    build_other_workspace,
    install,
    oauth_sandboxes,
    visit,
)
from tests.test_momentum_flows import at, tick
from tests.test_two_workspace_flows import home_text, run_programme

ORG = "E0GRID"
SHARED = "W0SHARED"  # a person of the org, seen in both its workspaces


@dataclass
class Org:
    a: Sandbox  # the test workspace, in the org
    b: Sandbox  # TEAM2, in the same org


@pytest.fixture
async def org(db: Database, clock: FakeClock) -> AsyncIterator[Org]:
    first, second = build_test_workspace(), build_other_workspace()
    for workspace in (first, second):
        workspace.enterprise_id, workspace.enterprise_name = ORG, "Grid Org"
        workspace.add_user(User(id=SHARED, name="sam", real_name="Sam Shared", tz="Europe/Paris"))
    async for two in oauth_sandboxes(db, clock, first=first, second=second):
        yield Org(two.first, two.second)


async def installations(db: Database | None) -> list[tuple[str | None, str | None, bool, str]]:
    assert db is not None
    async with db.transaction() as session:
        c = slack_bots.c
        rows = await session.execute(
            select(c.enterprise_id, c.team_id, c.is_enterprise_install, c.bot_token)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def install_org(box: Sandbox) -> str:
    approved, cookie = await install(box, ORG)
    assert (await visit(approved.location, cookie=cookie)).status == 200
    [(enterprise, team, org_wide, token)] = await installations(box.db)
    assert (enterprise, team, org_wide) == (ORG, None, True)
    return token


async def test_an_org_installs_once_and_each_workspace_is_answered_with_its_token(
    org: Org,
) -> None:
    token = await install_org(org.a)
    answer = org.a.double.calls_to("oauth.v2.access")[-1].response
    assert answer["team"] is None and answer["enterprise"]["id"] == ORG
    assert answer["is_enterprise_install"] is True

    org.a.double.clear_calls()
    sent = await org.b.command(LEAD2, Command.ADMIN, "new")
    assert sent.payload["enterprise_id"] == ORG and sent.payload["team_id"] == TEAM2
    assert sent.payload["is_enterprise_install"] == "true"
    assert org.b.modal(LEAD2) is not None  # opened in TEAM2, with the org's token
    assert org.a.modal(LEAD2) is None
    await org.a.command(LEAD, Command.ADMIN, "new")
    assert org.a.modal(LEAD) is not None
    assert {c.token for c in org.a.double.calls} == {token}


async def test_an_event_in_an_org_workspace_reaches_that_workspace(org: Org) -> None:
    await install_org(org.a)
    sent = await org.b.event({"type": "app_home_opened", "user": LEAD2, "tab": "home"})
    authorization = sent.payload["authorizations"][0]
    assert authorization["team_id"] is None and authorization["is_enterprise_install"] is True
    assert sent.payload["team_id"] == TEAM2 and sent.payload["enterprise_id"] == ORG
    assert home_text(org.b, LEAD2)  # the Home of TEAM2, though the event named no team
    assert org.a.double.home_view(LEAD2) is None


async def test_a_sweep_sends_to_an_org_workspace_with_the_orgs_token(
    org: Org, clock: FakeClock
) -> None:
    token = await install_org(org.a)
    await run_programme(org.b, LEAD2, GENERAL2, "Grid cohort", MENTOR_2)
    assert org.a.db is not None
    async with org.a.db.transaction() as session:
        await session.execute(update(Programme).values(status=ProgrammeStatus.RUNNING))
    org.a.double.clear_calls()
    await tick(org.a, clock, at("07-02", 12), "programmes", "deliver")
    assert any("reached its end date" in m["text"] for m in org.b.dms(LEAD2))
    posts = org.a.double.calls_to("chat.postMessage")
    assert posts and {c.token for c in posts} == {token}


@pytest.mark.parametrize("event", ["app_uninstalled", "tokens_revoked"])
async def test_an_org_wide_uninstall_deletes_the_orgs_installation(org: Org, event: str) -> None:
    await install_org(org.a)
    await org.b.command(LEAD2, Command.ADMIN, "list")  # the app hears of TEAM2 in the org
    payload: dict[str, object] = {"type": event}
    if event == "tokens_revoked":
        payload["tokens"] = {"oauth": [], "bot": ["B0BOT"]}
    await org.a.event(payload)
    assert await installations(org.a.db) == []

    mark = len(org.a.double.calls)
    response = await org.b.command(LEAD2, Command.ADMIN, "list")
    assert response.status == 200 and org.a.double.calls[mark:] == []  # nobody's token


async def test_a_workspace_of_an_org_can_still_install_for_itself(org: Org) -> None:
    approved, cookie = await install(org.a, TEAM)
    assert (await visit(approved.location, cookie=cookie)).status == 200
    [(enterprise, team, org_wide, token)] = await installations(org.a.db)
    assert (enterprise, team, org_wide) == (ORG, TEAM, False)
    org.a.double.clear_calls()
    await org.a.command(LEAD, Command.ADMIN, "new")
    assert org.a.modal(LEAD) is not None
    assert {c.token for c in org.a.double.calls} == {token}
    assert "Digital" not in home_text(org.b, LEAD2)


async def test_an_org_wide_token_is_refreshed_once_for_every_workspace(
    org: Org, clock: FakeClock
) -> None:
    org.a.double.oauth.apps[CLIENT_ID].rotation_seconds = 12 * 3600  # Slack's twelve hours
    old = await install_org(org.a)
    clock.advance(hours=11)  # inside the two hours before it runs out
    org.a.double.clear_calls()
    await org.b.command(LEAD2, Command.ADMIN, "new")
    await org.a.command(LEAD, Command.ADMIN, "new")
    assert org.b.modal(LEAD2) is not None and org.a.modal(LEAD) is not None
    refreshes = [c for c in org.a.double.calls_to("oauth.v2.access") if c.args.get("grant_type")]
    assert len(refreshes) == 1  # the org's one installation, refreshed once for both
    [(enterprise, team, org_wide, new)] = await installations(org.a.db)
    assert (enterprise, team, org_wide) == (ORG, None, True) and new != old
    opened = org.a.double.calls_to("views.open")
    assert {c.token for c in opened} == {new}


async def participants_named(db: Database | None, user_id: str) -> list[tuple[str, str]]:
    assert db is not None
    async with db.transaction() as session:
        rows = await session.execute(
            select(Programme.team_id, Participant.department)
            .join(Participant, Participant.programme_id == Programme.id)
            .where(Participant.user_id == user_id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_an_org_programme_enrols_people_from_two_of_its_workspaces(org: Org) -> None:
    """One programme for the org: its lead in one workspace, people from both, and a person
    of the org seen in both workspaces is one participant, whichever one they answer from."""
    await install_org(org.a)
    await create_programme(org.a, LEAD, **{Field.NAME: "Org cohort"})
    await open_enrolment(org.a, LEAD, GENERAL)

    mentee = {Field.ROLE: "mentee", Field.GRADE: "6", Field.PERSONALITY: "introvert"}
    await sign_up(org.b, EXEC_2, **mentee)  # from the other workspace
    await sign_up(org.a, SHARED, **{Field.DEPARTMENT: "Legal"})
    await org.b.command(SHARED, Command.PARTICIPANT, "join")  # the same person, from TEAM2
    modal = org.b.modal(SHARED)
    assert modal is not None and modal["callback_id"] == View.SIGNUP
    assert "Org cohort" in str(modal)  # the org's programme, their answers to edit
    await org.b.submit(SHARED, modal["id"], signup_values(modal, **{Field.DEPARTMENT: "Sales"}))
    assert await participants_named(org.a.db, SHARED) == [(ORG, "Sales")]
    assert await participants_named(org.a.db, EXEC_2) == [(ORG, "Marketing")]
    # The safe spaces are made in the lead's workspace, and stay: Slack lets in the org's
    # people who are members there, and refuses the others without losing the channel.
    spaces = {c.name: c for c in org.a.workspace.channels.values() if c.name.startswith("org-")}
    assert SHARED in spaces["org-cohort-mentors"].members
    assert EXEC_2 not in spaces["org-cohort-mentees"].members
    assert not any("could not set up" in m["text"] for m in org.a.dms(LEAD))

    await close_enrolment(org.a, LEAD)
    await org.a.command(LEAD, Command.ADMIN, "match Org cohort")
    await org.a.press(LEAD, preview(org.a), Action.APPROVE_MATCH)
    await org.a.run_job("deliver")
    # The pair spans the two workspaces: one group DM of the org's, with both of them in it.
    [introduced] = [m for box in (org.a, org.b) for m in group_dm_messages(box, SHARED, EXEC_2)]
    assert f"<@{EXEC_2}>" in str(introduced) and f"<@{SHARED}>" in str(introduced)


def group_dm_messages(box: Sandbox, *people: str) -> list[dict[str, object]]:
    try:
        return box.double.messages(channel_of(box, *people))[:1]
    except AssertionError:  # not opened in this workspace
        return []
