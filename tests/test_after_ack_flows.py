"""Work after acknowledgements runs a few pieces at a time: a new request is acknowledged at
once while earlier work still waits (here on Slack), its own work queues behind, and nothing
is lost when the earlier work ends. A piece that may open a form and waited its turn too long
starts anyway."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.ids import Command
from bot.slack.inflight import AfterAckGate
from bot.slack.routing import may_open_a_form
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, sandbox_on
from tests.flows import create_programme, open_enrolment


async def until(condition: Callable[[], bool]) -> None:
    """Let the event loop run (no time passes) until `condition` holds."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def test_a_request_is_acknowledged_while_earlier_work_waits_and_its_work_queues(
    db: Database, clock: FakeClock
) -> None:
    box = await sandbox_on(db, clock, app_settings={"after_ack_limit": 1}).start()
    try:
        await create_programme(box, LEAD)
        await open_enrolment(box, LEAD, GENERAL)
        assert box.signer is not None and box.deps is not None
        gate = box.deps.after_ack
        gate.max_wait = 3600.0  # the queued work waits for its turn, however slow the machine

        box.double.hold_calls()
        first = await box.signer.slash_command(MENTOR, Command.PARTICIPANT, "join")
        await until(lambda: box.double.held_calls == 1)  # Mia's sign-up form, on its way
        second = await box.signer.slash_command(EXEC, Command.PARTICIPANT, "join")
        await until(lambda: gate.waiting == 1)

        assert first.status == 200 and second.status == 200  # both acknowledged
        assert box.double.held_calls == 1  # Eve's work has not started: it queues
        box.double.release_calls()
        await box.settle()
        assert box.modal(MENTOR) is not None and box.modal(EXEC) is not None
        assert gate.late == 0
    finally:
        box.double.release_calls()
        await box.stop()


@pytest.mark.parametrize(
    ("max_wait", "deadline", "beside"),
    [(3600.0, True, False), (0.0, True, True), (0.0, False, False)],
)
async def test_work_with_a_deadline_that_waited_too_long_starts_anyway(
    max_wait: float, deadline: bool, beside: bool
) -> None:
    """With time to wait, the second piece starts after the first; with none, a piece that may
    open a form starts beside it, and one that may not (a submission's) still waits."""
    gate = AfterAckGate(limit=1, max_wait=max_wait)
    release, started = asyncio.Event(), []

    async def work(name: str) -> None:
        started.append(name)
        await release.wait()

    first = asyncio.ensure_future(gate.admit(work("first")))
    await until(lambda: started == ["first"])
    second = asyncio.ensure_future(gate.admit(work("second"), deadline=deadline))
    if beside:
        await until(lambda: started == ["first", "second"])
        assert gate.late == 1
    else:
        await until(lambda: gate.waiting == 1)
        for _ in range(100):  # the loop runs on; the second piece stays queued
            await asyncio.sleep(0)
        assert started == ["first"] and gate.late == 0
    release.set()
    await asyncio.gather(first, second)
    assert started == ["first", "second"]


def test_only_requests_that_may_open_a_form_have_a_deadline() -> None:
    assert may_open_a_form({"command": "/mentoring", "trigger_id": "1.2.a"})
    assert may_open_a_form({"type": "block_actions", "trigger_id": "1.2.b"})
    assert not may_open_a_form({"type": "view_submission", "trigger_id": "1.2.c"})
    assert not may_open_a_form({"type": "event_callback", "event": {}})
