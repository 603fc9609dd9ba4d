"""Work that continues after Slack has its acknowledgement: admitted a few at a time, and
tracked so it can be awaited (tests and the demo wait for it; a shutting-down server lets it
finish)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

_running: set[asyncio.Task[Any]] = set()


@dataclass
class _Place:
    gate: AfterAckGate
    held: bool = True


# The gate place of the work running in this task, if it has one.
_place: ContextVar[_Place | None] = ContextVar("after_ack_place", default=None)


class AfterAckGate:
    """At most `limit` pieces of queued work after acknowledgements run at once; the rest wait
    here, out of the event loop's ready queue. Each running piece puts a step of work ahead of
    every new request on the loop, so a burst of sign-ups with unlimited work in flight delays
    the next acknowledgement by all of their steps; queued here, by a few. A piece waiting on
    Slack gives its place up meanwhile (`waiting_on_slack`): it puts nothing on the loop then,
    and Slack's latency must not cap how many run. Work that may open a form does not queue:
    Slack honours its trigger for 3 s only."""

    def __init__(self, *, limit: int) -> None:
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)
        self.waiting = 0  # queued, not started

    async def admit(self, work: Coroutine[Any, Any, Any], *, queue: bool = True) -> Any:
        if not queue:
            return await work
        self.waiting += 1
        try:
            await self._slots.acquire()
        except BaseException:
            work.close()  # cancelled while waiting: it never starts
            raise
        finally:
            self.waiting -= 1
        place = _Place(self)
        _place.set(place)  # admit() runs as its own task, so this is the work's context
        try:
            return await work
        finally:
            if place.held:
                self._slots.release()


@asynccontextmanager
async def waiting_on_slack() -> AsyncIterator[None]:
    """While a piece of queued work waits on a Web API call its gate place is free for another
    piece; it takes a place again (queueing if need be) before it goes on."""
    place = _place.get()
    if place is None or not place.held:
        yield
        return
    place.gate._slots.release()
    place.held = False
    try:
        yield
    finally:
        await place.gate._slots.acquire()
        place.held = True


# The tasks tracked within a `collecting()` block, when one is open.
_collected: ContextVar[list[asyncio.Task[Any]] | None] = ContextVar("collected", default=None)


@contextmanager
def collecting() -> Iterator[list[asyncio.Task[Any]]]:
    """The work tracked within the block (a worker process awaits each request's own)."""
    tasks: list[asyncio.Task[Any]] = []
    token = _collected.set(tasks)
    try:
        yield tasks
    finally:
        _collected.reset(token)


def track(work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    task = asyncio.ensure_future(work)
    collected = _collected.get()
    if collected is not None:
        collected.append(task)
    _running.add(task)  # also keeps the task from being garbage-collected mid-flight
    task.add_done_callback(_running.discard)
    return task


async def wait_for_listeners(timeout: float = 30.0) -> None:
    """Return once no tracked work is running (work started meanwhile is awaited too)."""
    async with asyncio.timeout(timeout):
        while True:
            loop = asyncio.get_running_loop()
            pending = [t for t in _running if t.get_loop() is loop]
            if not pending:
                return
            await asyncio.gather(*pending, return_exceptions=True)
