"""HTTP mode: Slack requests at POST /slack/events, liveness at GET /healthz."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

SLACK_PATH = "/slack/events"


def build_web_app(app: AsyncApp) -> web.Application:
    async def slack_events(request: web.Request) -> web.Response:
        bolt_response = await app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def share_http_session(web_app: web.Application) -> object:
        # One pooled HTTP session for every outbound Web API call instead of one per call.
        session = aiohttp.ClientSession()
        app.client.session = session
        yield
        await session.close()

    web_app = web.Application()
    web_app.router.add_post(SLACK_PATH, slack_events)
    web_app.router.add_get("/healthz", healthz)
    web_app.cleanup_ctx.append(share_http_session)
    return web_app


async def start_web_app(web_app: web.Application, *, host: str, port: int) -> web.AppRunner:
    """Start serving; returns the runner (await runner.cleanup() to stop)."""
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    server = runner.addresses[0]
    return int(server[1])
