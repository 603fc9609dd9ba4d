"""LOG_FORMAT=json: every log line is one JSON object that says which workspace, request and
Slack retry it belongs to; no line carries a token or what a person typed, even at DEBUG."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.ids import Command, Field, View
from bot.observe import logs
from bot.sandbox import Sandbox
from tests.conftest import GENERAL, LEAD, MENTOR, ROOT, TEAM
from tests.flows import create_programme, open_enrolment, sign_up

TYPED = "Qz7 my mentee keeps cancelling and I feel awkward"
PASTED_TOKEN = "xoxp-1111-2222-plantedsecret"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The app's logging as `python -m bot` sets it up with LOG_FORMAT=json and
    LOG_LEVEL=DEBUG, into a buffer; the test run's own logging is put back after."""
    root = logging.getLogger()
    named = [*logs.BODY_LOGGERS, "alembic.runtime.plugins"]
    saved = (list(root.handlers), root.level, {n: logging.getLogger(n).level for n in named})
    settings = Settings(_env_file=None, log_format="JSON", log_level="debug")  # type: ignore[call-arg]
    stream = io.StringIO()
    logs.configure(
        level=settings.log_level, json_lines=settings.log_format == "json", stream=stream
    )
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def raise_concern(box: Sandbox, text: str) -> None:
    await box.command(MENTOR, Command.PARTICIPANT, "concern")
    modal = box.modal(MENTOR)
    assert modal is not None and modal["callback_id"] == View.CONCERN
    await box.submit(MENTOR, modal["id"], {Field.CONCERN_TEXT: text})


async def test_json_lines_carry_the_workspace_and_never_a_token_or_typed_text(
    sandbox: Sandbox, json_log: io.StringIO
) -> None:
    await create_programme(sandbox, LEAD)
    await open_enrolment(sandbox, LEAD, GENERAL)
    await sign_up(sandbox, MENTOR, **{Field.GOALS: f"{TYPED} (goals)"})
    # The concern reaches the leads, but its first message fails: the failure is logged.
    sandbox.double.fail_next("chat.postMessage", "channel_not_found")
    await raise_concern(sandbox, f"{TYPED}; token {PASTED_TOKEN}")
    # Slack retries an event it thinks went unanswered; the repeat is dropped and logged.
    home = {"type": "app_home_opened", "user": MENTOR, "tab": "home"}
    first = await sandbox.event(home)
    await sandbox.event(home, event_id=first.payload["event_id"], retry_num=1)

    logged = lines(json_log)  # every line parses as one JSON object
    assert logged, "nothing was logged"
    assert {"time", "level", "logger", "message"} <= set(logged[0])
    (failure,) = [line for line in logged if line["logger"] == "bot.errors"]
    assert failure["level"] == "ERROR" and failure["team_id"] == TEAM
    assert failure["message"] == "listener failed for view_submission"
    assert "channel_not_found" in failure["error"] and failure["request_id"]
    (repeat,) = [line for line in logged if "repeat of a handled" in line["message"]]
    assert (repeat["team_id"], repeat["slack_retry"]) == (TEAM, 1)
    everything = json_log.getvalue()
    for secret in ("Qz7", "plantedsecret", sandbox.workspace.bot_token):
        assert secret not in everything


def test_a_token_in_a_log_line_is_redacted(json_log: io.StringIO) -> None:
    logging.getLogger("bot.test").warning("Slack refused %s", PASTED_TOKEN)
    (line,) = lines(json_log)
    assert line["message"] == "Slack refused [redacted token]"
    assert "team_id" not in line  # logged outside any request


def test_the_cli_writes_json_lines(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LOG_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env={
            **env,
            "PYTHONPATH": str(ROOT),
            "LOG_FORMAT": "json",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    logged = [json.loads(line) for line in result.stderr.splitlines()]
    assert any(line["message"].startswith("Running upgrade") for line in logged)
    assert {line["level"] for line in logged} == {"INFO"}
