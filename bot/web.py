"""HTTP mode: Slack requests at POST /slack/events, liveness at GET /healthz, the operator's
GET /metrics and GET /readyz (bot/observe/endpoints.py), and in OAuth mode the install flow at
GET /slack/install and GET /slack/oauth_redirect.

A request's signature is checked on the exact bytes received before anything decodes or parses
them, so nothing (no listener, no error handler, no log line) ever sees a body Slack did not
sign. A refused request gets a 4xx and one short log line naming why, never its content.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import yarl
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.deps import Deps
from bot.observe import endpoints, logs
from bot.observe.metrics import request_kind
from bot.slack.request_signature import RequestSignature

SLACK_PATH = "/slack/events"

log = logging.getLogger("bot.web")


def parse_slack_body(raw: str) -> dict[str, Any]:
    """Decode a request body as Bolt's parse_body does, with yarl's C unquoter: a modal's
    submission is a large form-encoded JSON document and urllib's pure-Python unquote was a
    third of the acknowledgement's CPU time. Raises ValueError for a body that is not one."""
    if not raw:
        return {}
    if raw.startswith("{"):
        return _json_object(raw)
    fields = yarl.URL.build(query_string=raw, encoded=True).query
    if "payload" in fields:
        return _json_object(fields["payload"])
    return {key: fields.getone(key) for key in fields}


def _json_object(text: str) -> dict[str, Any]:
    decoded = json.loads(text)
    if not isinstance(decoded, dict):
        raise ValueError("not a JSON object")
    return decoded


def to_bolt_request(request: web.Request, raw: str) -> AsyncBoltRequest:
    # Built from the decoded body (Bolt's socket-mode form skips its own slower parse); the
    # raw text is kept for Bolt's copies of an HTTP request.
    bolt_request = AsyncBoltRequest(
        body=parse_slack_body(raw),
        query=request.query_string,
        headers=request.headers,  # type: ignore[arg-type]
        mode="socket_mode",
    )
    bolt_request.raw_body = raw
    bolt_request.mode = "http"
    return bolt_request


def _query(request: web.Request) -> AsyncBoltRequest:
    """A browser's GET as Bolt's install flow reads it: the query and the headers (cookies)."""
    return AsyncBoltRequest(body="", query=request.query_string, headers=request.headers)  # type: ignore[arg-type]


def refuse(status: int, reason: str) -> web.Response:
    log.warning("Refused a request to %s (%s): %s", SLACK_PATH, status, reason)
    return web.json_response({"error": "invalid request"}, status=status)


def build_web_app(app: AsyncApp, *, signing_secret: str, deps: Deps) -> web.Application:
    """The server for `app`, whose own request verification is off: it is done here."""
    signature = RequestSignature(signing_secret, deps.clock)

    async def slack_events(request: web.Request) -> web.Response:
        arrived = time.perf_counter()
        problem = signature.header_problem(request.headers)
        if problem:
            return refuse(401, problem)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return refuse(413, f"body over {request.client_max_size} bytes")
        problem = signature.body_problem(body, request.headers)
        if problem:
            return refuse(401, problem)
        try:
            bolt_request = to_bolt_request(request, body.decode())
        except ValueError:  # not UTF-8, not JSON, or not the shape Slack sends
            return refuse(400, "signed body is not a Slack request")
        payload = bolt_request.body
        # The work a listener starts after acknowledging inherits the log context too.
        with logs.bound(**logs.slack_request(payload, request.headers)):
            response = await app.async_dispatch(bolt_request)
        waited = time.perf_counter() - arrived
        deps.metrics.ack_seconds.labels(request_kind(payload)).observe(waited)
        return await to_aiohttp_response(response)

    async def install(request: web.Request) -> web.Response:
        assert app.oauth_flow is not None
        return await to_aiohttp_response(await app.oauth_flow.handle_installation(_query(request)))

    async def oauth_redirect(request: web.Request) -> web.Response:
        # Bolt's flow checks the state against the browser's cookie and uses it once; a
        # refusal is a 4xx page and stores nothing.
        assert app.oauth_flow is not None
        return await to_aiohttp_response(await app.oauth_flow.handle_callback(_query(request)))

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def close_http_session(web_app: web.Application) -> AsyncIterator[None]:
        yield
        await deps.http.close()  # the Web API clients' pooled connections

    web_app = web.Application()
    web_app.router.add_post(SLACK_PATH, slack_events)
    web_app.router.add_get("/healthz", healthz)
    if app.oauth_flow is not None:
        web_app.router.add_get(app.oauth_flow.install_path, install)
        web_app.router.add_get(app.oauth_flow.redirect_uri_path, oauth_redirect)
    endpoints.add_routes(web_app, deps)
    web_app.cleanup_ctx.append(close_http_session)
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
