"""HTTP mode checks Slack's signature on the exact bytes received, by the app's clock, before
anything reads them: a request Slack did not sign (or signed too long ago), and a signed body
that is not a Slack request, get a 4xx and one short log line; nothing acts on them and nothing
logs what they said."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.ids import Command, Field, View
from bot.models import Concern
from bot.sandbox import Sandbox
from tests.conftest import GENERAL, LEAD, MENTOR, OUTSIDER, TEAM
from tests.flows import create_programme, open_enrolment, sign_up

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
PRIVATE = "my manager shouts at me in our one-to-ones"
ONE_MB = 1_000_000
OVER_THE_LIMIT = 1024**2 + 1  # aiohttp's default client_max_size, which the server keeps


def command(text: str = PRIVATE) -> bytes:
    """A slash command that would make the app write to the user it names, were it acted on."""
    form = {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "user_id": OUTSIDER,
        "channel_id": "D0OUT",
        "command": Command.PARTICIPANT,
        "text": text,
        "trigger_id": "1.2.3",
    }
    return urlencode(form).encode()


def interaction(*, cut: int = 0) -> bytes:
    payload = json.dumps(
        {"type": "block_actions", "team": {"id": TEAM}, "user": {"id": OUTSIDER}, "x": PRIVATE}
    )
    return urlencode({"payload": payload[: len(payload) - cut]}).encode()


def event(*, cut: int = 0) -> bytes:
    envelope = json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM,
            "event": {"type": "message", "user": OUTSIDER, "channel": "D0OUT", "text": PRIVATE},
        }
    )
    return envelope[: len(envelope) - cut].encode()


Headers = Callable[[Sandbox, bytes], dict[str, str]]


def signed(box: Sandbox, body: bytes) -> dict[str, str]:
    return box.signer.signed_headers(body)


def signed_raw(box: Sandbox, body: bytes) -> dict[str, str]:
    """Signed over the bytes themselves, for a body that is not UTF-8: Slack never sends one, so
    slack_sdk's signing code (the signer's) takes text only, but the app must still hash bytes."""
    timestamp = int(box.signer.clock())
    base = f"v0:{timestamp}:".encode() + body
    digest = hmac.new(box.signer.signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def unsigned(_box: Sandbox, _body: bytes) -> dict[str, str]:
    return {}


def signed_at(minutes: int) -> Headers:
    def headers(box: Sandbox, body: bytes) -> dict[str, str]:
        timestamp = int(box.signer.clock()) + minutes * 60
        return {
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": box.signer.sign(body, timestamp),
        }

    return headers


def with_headers(**changed: str) -> Headers:
    def headers(box: Sandbox, body: bytes) -> dict[str, str]:
        sent = {**box.signer.signed_headers(body), **changed}
        return {name: value for name, value in sent.items() if value}

    return headers


@dataclass(frozen=True)
class Case:
    body: bytes
    headers: Headers
    status: int
    content_type: str = FORM


CASES = {
    "no signature headers": Case(command(), unsigned, 401),
    "no signature": Case(command(), with_headers(**{"X-Slack-Signature": ""}), 401),
    "no timestamp": Case(command(), with_headers(**{"X-Slack-Request-Timestamp": ""}), 401),
    "non-numeric timestamp": Case(
        command(), with_headers(**{"X-Slack-Request-Timestamp": "soon"}), 401
    ),
    "wrong signature": Case(
        command(), with_headers(**{"X-Slack-Signature": "v0=" + "0" * 64}), 401
    ),
    "signature of another body": Case(
        command(), lambda box, _body: box.signer.signed_headers(command("hello")), 401
    ),
    "signed six minutes ago": Case(command(), signed_at(-6), 401),
    "signed six minutes ahead": Case(command(), signed_at(6), 401),
    "malformed JSON, unsigned": Case(event(cut=2), unsigned, 401, JSON),
    "malformed JSON, signed": Case(event(cut=2), signed, 400, JSON),
    "malformed payload field, signed": Case(interaction(cut=3), signed, 400),
    "payload field that is not an object, signed": Case(
        urlencode({"payload": json.dumps([PRIVATE])}).encode(), signed, 400
    ),
    "not UTF-8, unsigned": Case(command() + b"\xff\xfe", unsigned, 401),
    "not UTF-8, signed": Case(command() + b"\xff\xfe", signed_raw, 400),
    "1 MB, unsigned": Case(command(PRIVATE + "x" * ONE_MB), unsigned, 401),
    "1 MB, wrong signature": Case(
        command(PRIVATE + "x" * ONE_MB), with_headers(**{"X-Slack-Signature": "v0=00"}), 401
    ),
    "over the size limit, signed": Case(command(PRIVATE + "x" * OVER_THE_LIMIT), signed, 413),
}


async def post(box: Sandbox, body: bytes, headers: dict[str, str], content_type: str) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            box.app_url, data=body, headers={"Content-Type": content_type, **headers}
        ) as response,
    ):
        await response.read()
        return response.status


def said(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What was logged, but for the SQLite driver's trace of each call on its connections'
    threads: a connection the previous test's app closes late can add a line to this one's."""
    return [record for record in caplog.records if record.name != "aiosqlite"]


def assert_one_short_line(caplog: pytest.LogCaptureFixture) -> None:
    assert len(said(caplog)) == 1, caplog.text[:500]
    [record] = said(caplog)
    assert record.exc_info is None and record.stack_info is None
    assert len(record.getMessage()) < 120, record.getMessage()
    assert PRIVATE not in caplog.text and OUTSIDER not in caplog.text


@pytest.mark.parametrize("name", CASES)
async def test_a_request_that_is_not_slacks_is_refused_quietly_and_not_acted_on(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    case = CASES[name]
    caplog.set_level(logging.DEBUG)
    caplog.clear()

    status = await post(sandbox, case.body, case.headers(sandbox, case.body), case.content_type)
    await sandbox.settle()

    assert status == case.status
    assert_one_short_line(caplog)
    assert sandbox.double.calls == []  # no answer to, nor apology for, the named user


async def test_a_genuine_concern_signed_by_a_drifted_clock_is_refused_without_logging_it(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    await create_programme(sandbox, LEAD)
    await open_enrolment(sandbox, LEAD, GENERAL, "Digital cohort")
    await sign_up(sandbox, MENTOR)
    await sandbox.command(MENTOR, Command.PARTICIPANT, "concern")
    modal = sandbox.modal(MENTOR)
    assert modal is not None and modal["callback_id"] == View.CONCERN
    payload = sandbox.signer.view_submission(MENTOR, modal["id"], {Field.CONCERN_TEXT: PRIVATE})
    body = urlencode({"payload": json.dumps(payload)}).encode()
    calls_before = len(sandbox.double.calls)
    caplog.set_level(logging.DEBUG)
    caplog.clear()

    status = await post(sandbox, body, signed_at(-10)(sandbox, body), FORM)
    await sandbox.settle()

    assert status == 401
    [record] = said(caplog)
    assert "timestamp 600 s behind" in record.getMessage()  # says why, for the operator
    assert record.exc_info is None and PRIVATE not in caplog.text
    assert len(sandbox.double.calls) == calls_before
    async with sandbox.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Concern)) == 0

    # The same submission signed now, by the app's clock, goes through.
    assert await post(sandbox, body, signed(sandbox, body), FORM) == 200
    await sandbox.settle()
    async with sandbox.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Concern)) == 1
