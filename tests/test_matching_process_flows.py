"""The matching engine in its worker process: a lead's match runs outside the app's process,
and a worker that dies is reported to the lead, saves nothing, and is replaced."""

from __future__ import annotations

import os
import signal

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action, Command
from bot.models import MatchRun, Pair
from bot.sandbox import Sandbox
from tests.conftest import LEAD
from tests.flows import enrolled_cohort, last_message, preview
from tests.scenarios import play
from tests.test_matching_flows import pairs_in


async def saved(box: Sandbox) -> tuple[int, int]:
    """(match runs, pairs) in the database."""
    async with box.db.transaction() as session:
        runs = await session.scalar(select(func.count()).select_from(MatchRun))
        pairs = await session.scalar(select(func.count()).select_from(Pair))
    return runs or 0, pairs or 0


async def test_a_worker_that_dies_is_reported_saves_nothing_and_is_replaced(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    await play(sandbox, clock, enrolled_cohort)
    engine = sandbox.deps.engine
    worker = await engine.start()
    assert worker != os.getpid()
    os.kill(worker, signal.SIGKILL)

    await sandbox.command(LEAD, Command.ADMIN, "match")
    told = last_message(sandbox, LEAD)
    assert "stopped before it finished" in told["text"]
    assert "Nothing was saved" in told["text"]
    assert "`/mentoring-admin match Digital cohort`" in told["text"]
    assert await saved(sandbox) == (0, 0)

    await sandbox.press(LEAD, told, Action.CHOOSE_TO_MATCH)
    assert len(pairs_in(preview(sandbox))) == 2
    assert await saved(sandbox) == (1, 2)
    replacement = await engine.start()
    assert replacement not in (worker, os.getpid())


async def test_matches_run_one_after_another_in_the_same_worker(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    await play(sandbox, clock, enrolled_cohort)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    worker = await sandbox.deps.engine.start()
    await sandbox.press(LEAD, preview(sandbox), Action.RERUN_MATCH)
    assert len(pairs_in(preview(sandbox))) == 2
    assert await sandbox.deps.engine.start() == worker != os.getpid()
