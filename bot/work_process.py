"""A worker process for the work after acknowledgements (bot/slack/handoff.py): the same app
on its own database connections, Slack client and caches, routing each request the web
process hands it and running the work its listener starts; it answers once that is done."""

from __future__ import annotations

import asyncio
import functools
import os
import pickle
import socket

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import create_app
from bot.collector import tune_garbage_collector
from bot.config import Settings
from bot.db import Database
from bot.deps import build_deps
from bot.observe import logs
from bot.slack.handoff import HANDED, READY, Handed, JobClock, read_frame, write_frame
from bot.slack.inflight import collecting
from bot.web import parse_slack_body

# Acknowledgements come first: when the cores are busy, the operating system runs the web
# process ahead of the work it handed on.
NICENESS = 10


def main(sock: socket.socket, settings: Settings) -> None:
    os.nice(NICENESS)
    logs.configure(level=settings.log_level, json_lines=settings.log_format == "json")
    asyncio.run(serve(sock, settings))


async def serve(sock: socket.socket, settings: Settings) -> None:
    """Run what comes on `sock` until the web process closes it, then finish and return."""
    db = Database(settings.database_url)
    deps = build_deps(settings, db, JobClock())
    app = create_app(settings, db, deps=deps)
    tune_garbage_collector()
    reader, writer = await asyncio.open_connection(sock=sock)
    write_frame(writer, READY)
    running: set[asyncio.Task[None]] = set()
    while (frame := await read_frame(reader)) is not None:
        job, payload = frame
        task = asyncio.create_task(run(app, pickle.loads(payload)))
        running.add(task)
        task.add_done_callback(running.discard)
        task.add_done_callback(functools.partial(_answer, writer, job))
    await asyncio.gather(*running, return_exceptions=True)
    await deps.http.close()
    writer.close()
    await deps.engine.close()
    await db.dispose()


def _answer(writer: asyncio.StreamWriter, job: int, _task: asyncio.Task[None]) -> None:
    if not writer.is_closing():
        write_frame(writer, job)


async def run(app: AsyncApp, handed: Handed) -> None:
    """Route the request as the web process did, and wait for the work its listener starts
    (the listener sees HANDED and neither acknowledges nor checks again)."""
    with JobClock.job(handed), logs.bound(**handed.log_fields), collecting() as started:
        await app.async_dispatch(routed(handed))
        await asyncio.gather(*started, return_exceptions=True)


def routed(handed: Handed) -> AsyncBoltRequest:
    """The request Bolt routes here: the body decoded as the web process decoded it."""
    body = handed.body if isinstance(handed.body, dict) else parse_slack_body(handed.body)
    return AsyncBoltRequest(
        body=body, headers=handed.headers, context={HANDED: handed}, mode="socket_mode"
    )
