"""A workspace that uninstalls the app, or revokes its bot token, hears nothing more: what was
queued is withdrawn and no sweep queues or sends anything for it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Outbox, OutboxStatus, Workspace
from bot.sandbox import Sandbox
from tests.conftest import (
    EXEC,
    LEAD,
    MENTOR,
    build_test_workspace,
    contracts_path,
    watching,
)
from tests.flows import agree, confirm_pairs
from tests.scenarios import play
from tests.test_momentum_flows import at, nudges, tick


async def reach_agreed(sandbox: Sandbox, clock: FakeClock) -> None:
    await agree(sandbox, await play(sandbox, clock, confirm_pairs))


@pytest.fixture
async def agreed(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_agreed)
    return sandbox


async def queued(box: Sandbox) -> dict[str, int]:
    async with box.db.transaction() as session:
        rows = await session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))
        return {str(status): n for status, n in rows}


async def sent_after(box: Sandbox, mark: int) -> list[str]:
    return [c.method for c in box.double.calls[mark:] if c.method == "chat.postMessage"]


@pytest.mark.parametrize("event", ["app_uninstalled", "tokens_revoked"])
async def test_an_uninstalled_workspace_hears_nothing_more(
    agreed: Sandbox, clock: FakeClock, event: str
) -> None:
    box = agreed
    earlier = (await queued(box))["sent"]  # the starter sets, sent at sign-up
    # The first rung is queued at 04:00 UTC but New York is asleep: it waits.
    await tick(box, clock, at("02-06", 4), "momentum", "deliver")
    assert (await queued(box)).get("pending") == 2
    payload = {"type": event}
    if event == "tokens_revoked":
        payload["tokens"] = {"oauth": [], "bot": ["B0BOT"]}
    await box.event(payload)
    assert await queued(box) == {"cancelled": 2, "sent": earlier}
    async with box.db.transaction() as session:
        workspace = await session.scalar(select(Workspace))
        assert workspace is not None and workspace.uninstalled_at == clock.now()

    mark = len(box.double.calls)
    for day in ("02-06", "02-13", "02-20", "03-01", "07-01"):
        await tick(
            box, clock, at(day, 14), "momentum", "reminders", "surveys", "programmes", "deliver"
        )
    assert await sent_after(box, mark) == []
    assert nudges(box, MENTOR) == nudges(box, EXEC) == []
    assert await queued(box) == {"cancelled": 2, "sent": earlier}
    assert not [m for m in box.dms(LEAD) if "reached its end date" in m["text"]]


async def test_a_user_token_revoked_changes_nothing(agreed: Sandbox, clock: FakeClock) -> None:
    box = agreed
    await box.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0LEAD"], "bot": []}})
    await tick(box, clock, at("02-06", 12), "momentum", "deliver")
    assert len(nudges(box, MENTOR)) == 1
    assert (await queued(box)).get(str(OutboxStatus.CANCELLED)) is None


async def uninstalled_at(box: Sandbox) -> object:
    async with box.db.transaction() as session:
        workspace = await session.scalar(select(Workspace))
        assert workspace is not None
        return workspace.uninstalled_at


def home_opened(user: str) -> dict[str, str]:
    return {"type": "app_home_opened", "user": user, "tab": "home"}


async def test_a_workspace_that_installs_again_is_taken_up_again(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await tick(box, clock, at("03-01", 4), "surveys")  # the pulse waits for their mornings
    clock.set(at("03-01", 5))
    await box.event({"type": "app_uninstalled"})
    await box.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["B0BOT"]}})
    # Slack retrying an event sent before the uninstall is no sign of a new install.
    await box.event(home_opened(EXEC), retry_num=1, event_id="Ev0BEFORE")
    assert await uninstalled_at(box) == at("03-01", 5)
    mark = len(box.double.calls)
    await tick(box, clock, at("03-01", 14), "momentum", "reminders", "surveys", "deliver")
    assert await sent_after(box, mark) == []

    # Installed again: Mia opens the app's Home, the first request Slack signs for the team.
    clock.set(at("03-01", 15))
    await box.event(home_opened(MENTOR))
    assert await uninstalled_at(box) is None
    # What the uninstall withdrew goes out after all (each survey is sent once, so nothing
    # else would ask them), and the sweeps take the workspace up again.
    await tick(box, clock, at("03-01", 15), "momentum", "reminders", "surveys", "deliver")
    for user in (MENTOR, EXEC):
        assert box.last_dm(user).startswith("How is it going? Pulse survey for Digital cohort")
    await tick(box, clock, at("03-03", 15), "surveys", "deliver")
    assert box.last_dm(EXEC).startswith("A gentle reminder, and the only one:")
    # Nobody could log a session while the app was gone: the ladder starts again from the
    # day it came back, so the first rung falls 28 days later.
    await tick(box, clock, at("03-28", 14))
    assert nudges(box, MENTOR) == []
    await tick(box, clock, at("03-29", 14))
    assert len(nudges(box, MENTOR)) == len(nudges(box, EXEC)) == 1


async def test_only_the_first_request_after_an_uninstall_touches_the_workspace(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await box.event({"type": "app_uninstalled"})
    touched: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        # The background refresh of what is known (every few seconds) aside.
        # (The `workspace` table, not `workspace_member`, which a lead's Home figures read.)
        workspace = re.search(r"\bworkspace\b", statement)
        if workspace and "uninstalled_at IS NOT NULL" not in statement:
            touched.append(statement)

    per_request = []
    with watching(box.db, "before_cursor_execute", record):
        for user in (MENTOR, EXEC, MENTOR, LEAD):
            touched.clear()
            await box.event(home_opened(user))
            per_request.append(len(touched))
    assert per_request[0] > 0 and per_request[1:] == [0, 0, 0]
    assert await uninstalled_at(box) is None


async def test_another_replica_learns_of_the_uninstall_from_the_database(
    agreed: Sandbox, clock: FakeClock, db: Database
) -> None:
    await agreed.event({"type": "app_uninstalled"})
    contracts = contracts_path()
    replica = Sandbox(
        build_test_workspace(),
        database_url=db.url,
        lead_user_ids=frozenset({LEAD}),
        clock=clock,
        contracts_dir=contracts if (contracts / "methods").is_dir() else None,
    )
    await replica.start()
    try:
        await replica.event(home_opened(EXEC))
    finally:
        await replica.stop()
    assert await uninstalled_at(agreed) is None
