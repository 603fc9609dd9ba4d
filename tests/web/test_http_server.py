"""HTTP mode as Slack and a load balancer see it: liveness, and requests Slack did not sign."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import aiohttp

from bot.sandbox import Sandbox
from tests.conftest import LEAD


async def test_healthz_answers(sandbox: Sandbox) -> None:
    url = sandbox.app_url.replace("/slack/events", "/healthz")
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert await response.json() == {"ok": True}


async def test_unsigned_forged_and_stale_requests_are_rejected(sandbox: Sandbox) -> None:
    body = urlencode(
        {
            "command": "/mentoring-admin",
            "text": "list",
            "user_id": LEAD,
            "team_id": "T0TEST",
            "trigger_id": "1.2.3",
        }
    )
    now = int(time.time())
    cases = {
        "unsigned": {},
        "wrong secret": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=00"},
        "stale": {
            "X-Slack-Request-Timestamp": str(now - 600),
            "X-Slack-Signature": sandbox.signer.sign(body, now - 600),
        },
    }
    async with aiohttp.ClientSession() as http:
        for name, headers in cases.items():
            async with http.post(
                sandbox.app_url,
                data=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
            ) as response:
                assert response.status == 401, name
    await sandbox.settle()
    assert sandbox.double.calls == []  # nothing acted on
