"""Work that continues after Slack has its acknowledgement, tracked so it can be awaited
(tests and the demo wait for it; a shutting-down server lets it finish)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

_running: set[asyncio.Task[Any]] = set()


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
