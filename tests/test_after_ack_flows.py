"""The work after form submissions and events runs a few pieces at a time: the rest queue
behind new acknowledgements, and nothing is lost. A piece waiting on Slack gives its place to
the next meanwhile. Work that may open a form (a command's, a button's) never queues: Slack
honours its trigger for 3 s only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.slack.inflight import AfterAckGate, waiting_on_slack
from bot.slack.profiles import ProfileDirectory
from bot.slack.routing import may_open_a_form
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, sandbox_on
from tests.flows import create_programme, open_enrolment, signup_forms, signup_values


async def until(condition: Callable[[], bool]) -> None:
    """Let the event loop run (no time passes) until `condition` holds."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def test_work_waiting_on_slack_lets_the_next_submission_s_work_run(
    db: Database, clock: FakeClock
) -> None:
    box = await sandbox_on(db, clock, app_settings={"after_ack_limit": 1}).start()
    try:
        await create_programme(box, LEAD)
        await open_enrolment(box, LEAD, GENERAL)
        forms = await signup_forms(box, MENTOR, EXEC)
        assert box.signer is not None

        box.double.hold_calls()
        mia = await box.signer.submit_view(
            MENTOR, forms[MENTOR]["id"], signup_values(forms[MENTOR])
        )
        await until(lambda: box.double.held_calls == 1)  # Mia's work, waiting on Slack
        eve = await box.signer.submit_view(EXEC, forms[EXEC]["id"], signup_values(forms[EXEC]))
        assert mia.status == 200 and eve.status == 200  # both acknowledged
        # With one place, Eve's work still runs up to Slack: Mia's gave its place up there.
        await until(lambda: box.double.held_calls == 2)
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


async def test_a_piece_waiting_on_slack_queues_again_behind_the_piece_that_took_its_place() -> None:
    gate = AfterAckGate(limit=1)
    answer, second_done, steps = asyncio.Event(), asyncio.Event(), []

    async def first() -> None:
        steps.append("first asks Slack")
        async with waiting_on_slack():
            await answer.wait()
        steps.append("first goes on")

    async def second() -> None:
        steps.append("second runs")
        await second_done.wait()

    one = asyncio.ensure_future(gate.admit(first()))
    await until(lambda: steps == ["first asks Slack"])
    two = asyncio.ensure_future(gate.admit(second()))
    await until(lambda: steps == ["first asks Slack", "second runs"])  # took the free place
    answer.set()  # Slack answers: the first piece needs a place again
    for _ in range(100):
        await asyncio.sleep(0)
    assert steps[-1] == "second runs"  # first waits for second's place
    second_done.set()
    await asyncio.gather(one, two)
    assert steps == ["first asks Slack", "second runs", "first goes on"]


async def test_pieces_waiting_for_one_person_s_profile_leave_the_gate_to_the_piece_asking() -> None:
    """The piece that asks users.info gives its place up while Slack answers; pieces wanting
    the same profile meanwhile wait for that answer. Were they to keep their places, the
    asking piece could never take one back to finish, and none would."""
    gate, answer = AfterAckGate(limit=1), asyncio.Event()
    asked: list[str] = []

    class Slack:
        token = "xoxb-test"

        async def users_info(self, *, user: str, token: str | None) -> dict[str, Any]:
            asked.append(user)
            async with waiting_on_slack():  # as every Web API call does (bot/slack/client.py)
                await answer.wait()
            return {"user": {"id": user, "name": "mia", "tz": "Europe/London"}}

    profiles, client = ProfileDirectory(clock=lambda: 0.0), Slack()

    async def wants_the_profile() -> str:
        profile = await profiles.get(client, team_id="T1", user_id=MENTOR)  # type: ignore[arg-type]
        return profile.display_name

    pieces = [asyncio.ensure_future(gate.admit(wants_the_profile())) for _ in range(3)]
    await until(lambda: asked == [MENTOR] and gate.waiting == 0)  # all three are in
    answer.set()
    await until(lambda: all(piece.done() for piece in pieces))
    assert [piece.result() for piece in pieces] == ["mia"] * 3
    assert asked == [MENTOR]  # one call for the three
