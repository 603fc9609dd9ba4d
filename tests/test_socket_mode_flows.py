"""The app over Socket Mode, started as `python -m bot run` starts it: Slack's requests come as
envelopes on its connection to the double, and its acknowledgements go back the same way."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.db import Database
from bot.ids import Command, Field
from bot.models import Participant
from bot.runner import StartupError
from bot.sandbox import Sandbox
from bot.sandbox.box import SIGNING_SECRET
from tests.conftest import GENERAL, LEAD, MENTOR, build_test_workspace, sandbox_on
from tests.flows import create_programme, open_enrolment, sign_up, signup_values
from tests.test_uninstall_flows import home_opened, uninstalled_at


@pytest.fixture
async def box(db: Database, clock: FakeClock) -> AsyncIterator[Sandbox]:
    sandbox = await sandbox_on(db, clock, socket_mode=True).start()
    yield sandbox
    await sandbox.stop()


async def participant_count(box: Sandbox) -> int:
    assert box.db is not None
    async with box.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(Participant)) or 0)


async def enrolling(box: Sandbox) -> None:
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)


async def test_sign_up_over_socket_mode(box: Sandbox) -> None:
    await enrolling(box)
    response = await sign_up(box, MENTOR)

    assert response.status == 200 and response.acked_in_time
    assert response.view_ack_error is None and box.modal(MENTOR) is None
    assert await participant_count(box) == 1
    assert "You're signed up" in box.dms(MENTOR)[-2]["text"]
    # Everything came over the one connection the app opened with its app-level token.
    [opened] = box.double.calls_to("apps.connections.open")
    assert opened.token == box.workspace.app_token and box.app_url == ""
    assert box.double.socket_mode.failures == []


async def test_a_field_error_in_the_ack_keeps_the_modal_open_with_the_error(
    box: Sandbox,
) -> None:
    await enrolling(box)
    await box.command(MENTOR, Command.PARTICIPANT, "join")
    modal = box.modal(MENTOR)
    assert modal is not None
    response = await box.submit(
        MENTOR, modal["id"], signup_values(modal, **{Field.DEPARTMENT: "   "})
    )

    assert response.json()["response_action"] == "errors"
    assert response.view_ack_error is None
    assert box.modal(MENTOR) == modal
    assert Field.DEPARTMENT in box.field_errors(MENTOR)
    assert await participant_count(box) == 0
    assert box.double.socket_mode.failures == []


async def test_a_disconnect_mid_flow_loses_nothing_and_handles_nothing_twice(
    box: Sandbox,
) -> None:
    await enrolling(box)
    await box.command(MENTOR, Command.PARTICIPANT, "join")
    modal = box.modal(MENTOR)
    assert modal is not None
    # Slack asks the app to reconnect while it is handling the submission.
    box.double.socket_mode.refresh_after_next_envelope()
    response = await box.submit(MENTOR, modal["id"], signup_values(modal))
    assert response.status == 200 and box.modal(MENTOR) is None
    # The next request goes over the new connection.
    await box.command(MENTOR, Command.PARTICIPANT, "status")

    assert len(box.double.calls_to("apps.connections.open")) == 2
    assert await participant_count(box) == 1
    signed_up = [m for m in box.dms(MENTOR) if "You're signed up" in m["text"]]
    assert len(signed_up) == 1
    assert "waiting for matching" in json.dumps(box.replies(MENTOR)[-1]["blocks"])
    assert box.double.socket_mode.failures == []


async def test_a_refused_app_token_stops_start_up_with_one_line(
    db: Database, clock: FakeClock
) -> None:
    workspace = build_test_workspace()
    workspace.revoke_token(str(workspace.app_token))
    sandbox = Sandbox(workspace, database_url=db.url, clock=clock, socket_mode=True)
    with pytest.raises(StartupError, match="Slack refused SLACK_APP_TOKEN \\(token_revoked\\)"):
        await sandbox.start()
    await sandbox.stop()


async def test_an_events_first_delivery_is_no_retry(box: Sandbox) -> None:
    # Over Socket Mode a first delivery says retry_attempt 0: a sign of a new install all the same.
    await box.event({"type": "app_uninstalled"})
    assert await uninstalled_at(box) is not None
    await box.event(home_opened(MENTOR))
    assert await uninstalled_at(box) is None


async def test_a_correctly_configured_start_logs_no_warning(
    db: Database,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Started as an operator starts it, the settings in the environment (Bolt reads some of
    them too), nothing at start-up warns."""
    workspace = build_test_workspace()
    monkeypatch.setenv("SLACK_BOT_TOKEN", workspace.bot_token)
    monkeypatch.setenv("SLACK_APP_TOKEN", str(workspace.app_token))
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    caplog.set_level(logging.WARNING)
    sandbox = await sandbox_on(db, clock, workspace=workspace, socket_mode=True).start()
    await sandbox.stop()
    assert sandbox.double.calls_to("apps.connections.open")  # it did start
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
