"""A workspace that uninstalls the app, or revokes its bot token, hears nothing more: what was
queued is withdrawn and no sweep queues or sends anything for it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.models import Outbox, OutboxStatus, Workspace
from bot.sandbox import Sandbox
from tests.conftest import EXEC, LEAD, MENTOR
from tests.flows import agree, confirm_pairs
from tests.test_momentum_flows import at, nudges, tick


@pytest.fixture
async def agreed(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await agree(sandbox, await confirm_pairs(sandbox, clock))
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
    # The first rung is queued at 04:00 UTC but New York is asleep: it waits.
    await tick(box, clock, at("02-06", 4), "momentum", "deliver")
    assert (await queued(box)).get("pending") == 2
    payload = {"type": event}
    if event == "tokens_revoked":
        payload["tokens"] = {"oauth": [], "bot": ["B0BOT"]}
    await box.event(payload)
    assert await queued(box) == {"cancelled": 2}
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
    assert await queued(box) == {"cancelled": 2}
    assert not [m for m in box.dms(LEAD) if "reached its end date" in m["text"]]


async def test_a_user_token_revoked_changes_nothing(agreed: Sandbox, clock: FakeClock) -> None:
    box = agreed
    await box.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0LEAD"], "bot": []}})
    await tick(box, clock, at("02-06", 12), "momentum", "deliver")
    assert len(nudges(box, MENTOR)) == 1
    assert (await queued(box)).get(str(OutboxStatus.CANCELLED)) is None
