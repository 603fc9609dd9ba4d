"""What the engine's worker process runs (process.py starts it): one match at a time, its
stages told back over a pipe as they start.

Importing this module loads NumPy and SciPy (through the engine), so a worker that imported
it once, or forked from a server that did, answers its first match without that wait.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import Connection

from bot.collector import tune_garbage_collector
from bot.services.matching import transfer
from bot.services.matching.engine import match

_stages: Connection | None = None  # to the app's process: (job, stage) as each stage starts


def started(stages: Connection) -> None:
    """The worker's initializer."""
    global _stages
    _stages = stages
    tune_garbage_collector()  # the fork server's imports (SciPy, the app) are never scanned
    threading.Thread(target=_end_with_the_app, name="app-watch", daemon=True).start()


def _end_with_the_app() -> None:
    """An app killed before it could end its worker (SIGKILL, a SIGTERM it had no time for)
    leaves the worker waiting for jobs forever: it ends once the app's process has gone."""
    app = multiprocessing.parent_process()
    if app is not None:
        app.join()
        os._exit(1)


def pid() -> int:
    """A job that does nothing: the worker is up once it answers."""
    return os.getpid()


def run(job: int, chunks: list[bytes]) -> list[bytes]:
    """One match: the input as `transfer.input_chunks` gave it, the result as chunks too."""

    def tell(stage: str) -> None:
        if _stages is not None:
            # A few dozen bytes: one write, which a pipe never interleaves with another.
            _stages.send((job, stage))

    return transfer.result_chunks(match(transfer.read_input(chunks), tell))
