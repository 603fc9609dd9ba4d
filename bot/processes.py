"""Where the app's worker processes come from: a fork server (a fresh interpreter, never a
fork of the app's threads and event loop) that has imported what the workers run, so a new
worker costs a fork rather than a fresh import of SciPy or of the app. One fork server serves
the whole process and reads its preload list once, when it starts: so the list is one, here."""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import ForkServerContext, SpawnContext

PRELOAD = [
    "bot.services.matching.worker",  # the matching engine (services/matching/process.py)
    "bot.work_process",  # the work after acknowledgements (slack/handoff.py)
]


def worker_context() -> ForkServerContext | SpawnContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")
