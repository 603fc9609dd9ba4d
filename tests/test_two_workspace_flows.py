"""Two workspaces install the app and each runs its own programme: every message, Home tab and
sweep stays in its own workspace and goes with that workspace's token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Programme, ProgrammeStatus
from bot.sandbox import Sandbox
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, TEAM
from tests.flows import create_programme, open_enrolment, sign_up
from tests.oauth_steps import (
    EXEC_2,
    GENERAL2,
    LEAD2,
    MENTOR_2,
    TEAM2,
    TwoWorkspaces,
    bot_tokens,
    installed,
    oauth_sandboxes,
)
from tests.test_momentum_flows import at, tick


@pytest.fixture
async def two(db: Database, clock: FakeClock) -> AsyncIterator[TwoWorkspaces]:
    async for both in oauth_sandboxes(db, clock):
        yield both


async def run_programme(box: Sandbox, lead: str, channel: str, name: str, *people: str) -> None:
    await create_programme(box, lead, **{"name": name})
    await open_enrolment(box, lead, channel)
    for person in people:
        await sign_up(box, person)


def home_text(box: Sandbox, user: str) -> str:
    home = box.double.home_view(user)
    return str(home) if home else ""


async def test_each_workspace_runs_its_own_programme(two: TwoWorkspaces, clock: FakeClock) -> None:
    first, second = two.first, two.second
    token = {TEAM: await installed(first, TEAM), TEAM2: await installed(first, TEAM2)}
    await run_programme(first, LEAD, GENERAL, "Digital cohort", MENTOR, EXEC)
    await run_programme(second, LEAD2, GENERAL2, "Other cohort", MENTOR_2)

    # Both run to their end date (matching is played elsewhere): the leads' summary goes out
    # through the outbox, from the sweeps.
    assert first.db is not None
    async with first.db.transaction() as session:
        await session.execute(update(Programme).values(status=ProgrammeStatus.RUNNING))
    await tick(first, clock, at("07-02", 12), "programmes", "deliver")
    assert any("reached its end date" in m["text"] for m in first.dms(LEAD))
    assert any("reached its end date" in m["text"] for m in second.dms(LEAD2))

    for call in first.double.calls:
        if call.token in token.values():
            team = next(t for t, tok in token.items() if tok == call.token)
            channel = str(call.args.get("channel") or "")
            others = second if team == TEAM else first
            assert channel not in others.workspace.channels, (call.method, team, channel)
    posts = first.double.calls_to("chat.postMessage")
    assert {c.token for c in posts} == set(token.values())  # both workspaces, each its own

    assert "Digital cohort" in home_text(first, LEAD) and "Other cohort" not in home_text(
        first, LEAD
    )
    assert "Other cohort" in home_text(second, LEAD2)
    assert "Digital cohort" not in home_text(second, LEAD2)
    everything_in_two = str([second.dms(u) for u in (LEAD2, MENTOR_2, EXEC_2)])
    assert "Digital cohort" not in everything_in_two


@pytest.mark.parametrize("event", ["app_uninstalled", "tokens_revoked"])
async def test_one_workspace_uninstalls_and_the_other_runs_on(
    two: TwoWorkspaces, clock: FakeClock, event: str
) -> None:
    first, second = two.first, two.second
    await installed(first, TEAM)
    kept = await installed(first, TEAM2)
    payload: dict[str, object] = {"type": event}
    if event == "tokens_revoked":
        payload["tokens"] = {"oauth": [], "bot": ["B0BOT"]}
    await first.event(payload)
    assert await bot_tokens(first.db) == {TEAM2: kept}  # the uninstalled team's rows are gone

    await run_programme(second, LEAD2, GENERAL2, "Other cohort", MENTOR_2)
    assert "Other cohort" in home_text(second, LEAD2)
    assert second.modal(MENTOR_2) is None and second.dms(MENTOR_2)  # signed up, and told
