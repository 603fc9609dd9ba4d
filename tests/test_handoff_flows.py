"""With AFTER_ACK_PROCESSES set, the web process only acknowledges: the work after each
acknowledgement runs in a worker process, routed through the same app with the form's checked
result handed along, and nothing in what people see changes. Replays still act once, a worker
that dies loses only what it was doing, and Socket Mode hands work on as HTTP does."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pickle
import signal
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import make_mocked_request
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy import select

from bot.clock import FakeClock, SystemClock
from bot.config import Settings
from bot.db import Database
from bot.ids import Field
from bot.models import Participant
from bot.sandbox import Sandbox
from bot.slack.handoff import WorkProcesses
from bot.web import to_bolt_request
from bot.work_process import routed
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, empty, sandbox_on
from tests.flows import (
    create_programme,
    enrol_cohort,
    open_enrolment,
    signup_forms,
    signup_values,
    submit_signup,
)
from tests.test_scenarios import differences, matched

HANDING_ON = {"after_ack_processes": 1}


async def people(box: Sandbox) -> list[tuple[str, str]]:
    async with box.db.transaction() as session:
        rows = await session.execute(
            select(Participant.user_id, Participant.role).order_by(Participant.id)
        )
        return [(user_id, str(role)) for user_id, role in rows]


def handoff(box: Sandbox) -> WorkProcesses:
    assert box.deps is not None and box.deps.handoff is not None
    return box.deps.handoff


async def enrolling(box: Sandbox) -> None:
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)


async def test_sign_ups_are_saved_told_and_shown_by_a_worker_process(
    db: Database, clock: FakeClock
) -> None:
    box = await sandbox_on(db, clock, app_settings=HANDING_ON).start()
    try:
        await enrolling(box)
        await submit_signup(box, MENTOR)
        await submit_signup(box, EXEC, **{Field.ROLE: "mentee", Field.GRADE: "6"})

        assert await people(box) == [(MENTOR, "mentor"), (EXEC, "mentee")]
        for user in (MENTOR, EXEC):
            assert any("You're signed up" in m["text"] for m in box.dms(user)), user
        # Their Homes, published by the worker's delivery.
        published = [c.args["user_id"] for c in box.double.calls_to("views.publish") if c.ok]
        assert {MENTOR, EXEC} <= set(published)
        # Every piece of work after an acknowledgement went to the worker: the lead's two
        # forms and command, and each person's command and form.
        assert handoff(box).done >= 6
        assert len(handoff(box).pids) == 1 and handoff(box).pids != [os.getpid()]
    finally:
        await box.stop()


async def test_a_replayed_sign_up_handed_on_acts_once(db: Database, clock: FakeClock) -> None:
    box = await sandbox_on(db, clock, app_settings=HANDING_ON).start()
    try:
        await enrolling(box)
        sent = await submit_signup(box, MENTOR)
        told = len(box.dms(MENTOR))

        again = await box.resend(sent)

        assert again.status == 200 and again.text == ""
        assert await people(box) == [(MENTOR, "mentor")]
        assert len(box.dms(MENTOR)) == told
    finally:
        await box.stop()


async def test_a_worker_that_stops_loses_its_own_work_and_a_new_one_takes_the_next(
    db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    box = await sandbox_on(db, clock, app_settings=HANDING_ON).start()
    try:
        await enrolling(box)
        forms = await signup_forms(box, MENTOR, EXEC)
        assert box.signer is not None
        (first,) = handoff(box).pids

        box.double.hold_calls()
        sent = await box.signer.submit_view(
            MENTOR, forms[MENTOR]["id"], signup_values(forms[MENTOR])
        )
        async with asyncio.timeout(60):  # bounds only a failure: the call comes or it does not
            await box.double.until_held(1)  # the worker is mid-way through it
        assert sent.status == 200
        with caplog.at_level(logging.ERROR, logger="bot.slack.handoff"):
            os.kill(first, signal.SIGKILL)
            await box.settle()  # the hand-off ends rather than wait for ever
        box.double.release_calls()
        assert "A worker process stopped during job" in caplog.text

        await box.submit(EXEC, forms[EXEC]["id"], signup_values(forms[EXEC], role="mentee"))

        assert any("You're signed up" in m["text"] for m in box.dms(EXEC))
        assert handoff(box).pids not in ([], [first])
    finally:
        box.double.release_calls()
        await box.stop()


async def test_socket_mode_hands_work_on_too(db: Database, clock: FakeClock) -> None:
    box = await sandbox_on(db, clock, socket_mode=True, app_settings=HANDING_ON).start()
    try:
        await enrolling(box)
        await submit_signup(box, MENTOR)

        assert await people(box) == [(MENTOR, "mentor")]
        assert any("You're signed up" in m["text"] for m in box.dms(MENTOR))
        assert handoff(box).done >= 4
    finally:
        await box.stop()


async def test_a_programme_run_through_worker_processes_is_the_one_run_here(
    db: Database, clock: FakeClock
) -> None:
    """The same story, run with its work here and then handed on, leaves the same rows and
    the same Slack: enrolment, sign-ups, a match and its approval."""
    start = clock.now()
    seen = []
    for settings in ({}, HANDING_ON):
        await empty(db)
        clock.set(start)
        box = await sandbox_on(db, clock, app_settings=settings).start()
        try:
            await enrol_cohort(box)
            seen.append(await matched(box))
        finally:
            await box.stop()
    here, handed_on = seen
    differ = differences(handed_on, here)
    assert not differ, "\n".join(differ)


async def test_work_runs_here_when_no_worker_process_will_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    processes = WorkProcesses(
        Settings(_env_file=None),  # type: ignore[call-arg]
        count=1,
        module="tests.worker_that_fails",
        clock=SystemClock(),
    )
    ran: list[str] = []

    async def work() -> None:
        ran.append("work")

    async def here(piece: Coroutine[Any, Any, None]) -> None:
        ran.append("here")
        await piece

    with caplog.at_level(logging.ERROR, logger="bot.slack.handoff"):
        await processes.hand(b"", work(), here)
    await processes.close()

    assert ran == ["here", "work"]
    assert "exit code 3" in caplog.text and "runs in this process" in caplog.text


def test_a_form_goes_on_as_slack_sent_it_and_the_worker_reads_what_the_web_process_read() -> None:
    """A submission's text is handed on as it came (pickling its decoded document cost the web
    process more than decoding it again costs the worker); a Socket Mode envelope has no such
    text and goes decoded. Either way the worker routes the same body."""
    processes = WorkProcesses(
        Settings(_env_file=None),  # type: ignore[call-arg]
        count=1,
        module="bot.work_process",
        clock=SystemClock(),
    )
    typed = {"type": "plain_text_input", "value": "R&D + 100% = ✓ payload=x"}
    payload = {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX", "domain": "sandbox"},
        "user": {"id": MENTOR, "team_id": "T0SANDBOX"},
        "view": {"type": "modal", "state": {"values": {"goals": {"goals": typed}}}},
    }
    raw = urlencode({"payload": json.dumps(payload)})
    over_http = to_bolt_request(make_mocked_request("POST", "/slack/events"), raw)
    over_socket = AsyncBoltRequest(body=payload, mode="socket_mode")
    for request, sent in ((over_http, raw), (over_socket, payload)):
        frame = processes.frame(request, checked=None)
        assert frame is not None
        handed = pickle.loads(frame)
        assert handed.body == sent
        assert routed(handed).body == request.body == payload
