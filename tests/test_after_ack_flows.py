"""The work after form submissions and events runs a few pieces at a time: a new submission is
acknowledged at once while earlier work still waits (here on Slack), its own work queues
behind, and nothing is lost when the earlier work ends. Work that may open a form (a command's,
a button's) never queues: Slack honours its trigger for 3 s only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.ids import Command, View
from bot.slack.inflight import AfterAckGate
from bot.slack.routing import may_open_a_form
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, sandbox_on
from tests.flows import create_programme, open_enrolment, signup_values


async def until(condition: Callable[[], bool]) -> None:
    """Let the event loop run (no time passes) until `condition` holds."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def test_a_submission_is_acknowledged_while_earlier_work_waits_and_its_work_queues(
    db: Database, clock: FakeClock
) -> None:
    box = await sandbox_on(db, clock, app_settings={"after_ack_limit": 1}).start()
    try:
        await create_programme(box, LEAD)
        await open_enrolment(box, LEAD, GENERAL)
        forms = {}
        for user in (MENTOR, EXEC):
            await box.command(user, Command.PARTICIPANT, "join")
            form = box.modal(user)
            assert form is not None and form["callback_id"] == View.SIGNUP
            forms[user] = form
        assert box.signer is not None and box.deps is not None
        gate = box.deps.after_ack

        box.double.hold_calls()
        mia = await box.signer.submit_view(
            MENTOR, forms[MENTOR]["id"], signup_values(forms[MENTOR])
        )
        await until(lambda: box.double.held_calls == 1)  # Mia's work, waiting on Slack
        eve = await box.signer.submit_view(EXEC, forms[EXEC]["id"], signup_values(forms[EXEC]))
        await until(lambda: gate.waiting == 1)

        assert mia.status == 200 and eve.status == 200  # both acknowledged
        assert box.double.held_calls == 1  # Eve's work has not started: it queues
        box.double.release_calls()
        await box.settle()
        for user in (MENTOR, EXEC):
            assert any("You're signed up" in m["text"] for m in box.dms(user)), user
    finally:
        box.double.release_calls()
        await box.stop()


@pytest.mark.parametrize("queue", [True, False])
async def test_queued_work_starts_after_the_running_piece_and_form_work_beside_it(
    queue: bool,
) -> None:
    gate = AfterAckGate(limit=1)
    release, started = asyncio.Event(), []

    async def work(name: str) -> None:
        started.append(name)
        await release.wait()

    first = asyncio.ensure_future(gate.admit(work("first")))
    await until(lambda: started == ["first"])
    second = asyncio.ensure_future(gate.admit(work("second"), queue=queue))
    if queue:
        await until(lambda: gate.waiting == 1)
        for _ in range(100):  # the loop runs on; the second piece stays queued
            await asyncio.sleep(0)
        assert started == ["first"]
    else:
        await until(lambda: started == ["first", "second"])
    release.set()
    await asyncio.gather(first, second)
    assert started == ["first", "second"]


def test_only_requests_that_may_open_a_form_skip_the_queue() -> None:
    assert may_open_a_form({"command": "/mentoring", "trigger_id": "1.2.a"})
    assert may_open_a_form({"type": "block_actions", "trigger_id": "1.2.b"})
    assert not may_open_a_form({"type": "view_submission", "trigger_id": "1.2.c"})
    assert not may_open_a_form({"type": "event_callback", "event": {}})
