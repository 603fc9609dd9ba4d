"""The garbage collector's settings for each of the app's long-lived processes: the web or
Socket Mode process, the hand-off workers and the matching engine's worker."""

from __future__ import annotations

import gc


def tune_garbage_collector() -> None:
    """Once start-up is done: what it built is frozen (never scanned again) and collections run
    less often than the defaults. Untuned, under load a process ran full collections over the
    live asyncio, aiohttp and SQLAlchemy objects every few hundred requests (bench/ack.py shows
    the latency tail), and a worker forked from the fork server scanned every module it
    inherited (a hand-off worker spent over a second of CPU in them per 1,700 requests)."""
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)
