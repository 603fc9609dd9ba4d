"""Work that continues after Slack has its acknowledgement: admitted a few at a time, and
tracked so it can be awaited (tests and the demo wait for it; a shutting-down server lets it
finish)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

_running: set[asyncio.Task[Any]] = set()


class AfterAckGate:
    """At most `limit` pieces of work after acknowledgements run at once; the rest wait here,
    out of the event loop's ready queue. Each running piece puts a step of work ahead of every
    new request on the loop, so a burst of sign-ups with unlimited work in flight delays the
    next acknowledgement by all of their steps; queued here, by a few. A piece with a deadline
    (it may open a form, which Slack allows for 3 s after the trigger) starts anyway once it
    has waited `max_wait` seconds; the rest wait their turn, however long the burst."""

    def __init__(self, *, limit: int, max_wait: float) -> None:
        self.limit, self.max_wait = limit, max_wait
        self._slots = asyncio.Semaphore(limit)
        self.waiting = 0  # admitted, not started
        self.late = 0  # started after max_wait without a free slot

    async def admit(self, work: Coroutine[Any, Any, Any], *, deadline: bool = True) -> Any:
        self.waiting += 1
        try:
            slot = await self._take(self.max_wait if deadline else None)
        except BaseException:
            work.close()  # cancelled while waiting: it never starts
            raise
        finally:
            self.waiting -= 1
        try:
            return await work
        finally:
            if slot:
                self._slots.release()

    async def _take(self, max_wait: float | None) -> bool:
        try:
            async with asyncio.timeout(max_wait):
                await self._slots.acquire()
        except TimeoutError:
            self.late += 1
            return False
        return True


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
