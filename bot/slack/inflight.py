"""Wait for listener work still running after its acknowledgement (tests, demo, shutdown)."""

from __future__ import annotations

import asyncio

# Bolt runs each listener body in a task built from this coroutine once ack() has answered Slack.
_LISTENER_COROUTINES = ("run_ack_function_asynchronously", "_start_lazy_function")


def _is_listener_task(task: asyncio.Task[object]) -> bool:
    name = getattr(task.get_coro(), "__qualname__", "")
    return any(part in name for part in _LISTENER_COROUTINES)


async def wait_for_listeners(timeout: float = 30.0) -> None:
    """Return once no listener task is running (new ones started meanwhile are awaited too)."""
    async with asyncio.timeout(timeout):
        while True:
            current = asyncio.current_task()
            pending = [t for t in asyncio.all_tasks() if t is not current and _is_listener_task(t)]
            if not pending:
                return
            await asyncio.gather(*pending, return_exceptions=True)
