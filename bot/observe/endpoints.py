"""The operator's endpoints in HTTP mode: GET /metrics for Prometheus, GET /readyz for a load
balancer (ready once the database answers and its schema is this code's). GET /healthz, in
bot/web.py, only says the process is up."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.db import Database
from bot.migrate import schema_state
from bot.observe.metrics import CONTENT_TYPE, Metrics
from bot.services import outbox

log = logging.getLogger(__name__)

# A readiness probe that waits longer than this says "not ready" rather than hang.
READY_TIMEOUT_SECONDS = 2.0


async def readiness_problem(db: Database) -> str | None:
    """Why this replica should not get traffic yet, or None when it should."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            state = await schema_state(db)
    except TimeoutError:
        return f"database did not answer within {READY_TIMEOUT_SECONDS:g} s"
    except (SQLAlchemyError, OSError) as exc:
        return f"database unreachable ({type(exc).__name__})"
    if not state.up_to_date:
        return (
            f"database schema at {state.current or 'none'}, this version needs {state.head} "
            "(python -m bot migrate)"
        )
    return None


class Observed(Protocol):
    """What the operator's endpoints read of the app's Deps."""

    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def metrics(self) -> Metrics: ...


def add_routes(web_app: web.Application, deps: Observed) -> None:
    async def metrics(_request: web.Request) -> web.Response:
        await read_backlog(deps)
        return web.Response(body=deps.metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    async def readyz(_request: web.Request) -> web.Response:
        problem = await readiness_problem(deps.db)
        if problem is not None:
            return web.json_response({"ready": False, "reason": problem}, status=503)
        return web.json_response({"ready": True})

    web_app.router.add_get("/metrics", metrics)
    web_app.router.add_get("/readyz", readyz)


async def read_backlog(deps: Observed) -> None:
    """The outbox gauges, read as they are scraped; when the database does not answer they
    keep their last values (and /readyz says why)."""
    now = deps.clock.now()
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), deps.db.transaction() as session:
            backlog = await outbox.backlog(session, now=now)
    except (TimeoutError, SQLAlchemyError, OSError) as exc:
        log.warning("could not read the outbox for /metrics (%s)", type(exc).__name__)
        return
    deps.metrics.outbox(depth=backlog.depth, oldest_due=backlog.oldest_due, now=now)
