"""HTTP mode as a load balancer sees it: liveness (requests Slack did not sign are in
test_request_verification.py)."""

from __future__ import annotations

import aiohttp

from bot.sandbox import Sandbox


async def test_healthz_answers(sandbox: Sandbox) -> None:
    url = sandbox.app_url.replace("/slack/events", "/healthz")
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert await response.json() == {"ok": True}
