"""Work that continues after Slack has its acknowledgement: admitted a few at a time, and
tracked so it can be awaited (tests and the demo wait for it; a shutting-down server lets it
finish)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

_running: set[asyncio.Task[Any]] = set()


class AfterAckGate:
    """At most `limit` pieces of queued work after acknowledgements run at once; the rest wait
    here, out of the event loop's ready queue. Each running piece puts a step of work ahead of
    every new request on the loop, so a burst of sign-ups with unlimited work in flight delays
    the next acknowledgement by all of their steps; queued here, by a few. Work that may open a
    form does not queue: Slack honours its trigger for 3 s only."""

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
        try:
            return await work
        finally:
            self._slots.release()


def track(work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    task = asyncio.ensure_future(work)
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
