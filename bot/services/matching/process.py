"""The matching engine in a worker process, so the app's event loop never waits for it.

SciPy's assignment solver holds the GIL for the whole solve, so in a thread it stalled every
acknowledgement for a fifth of a second at a time (bench/matching.py). Here one worker process,
started the first time it is needed and kept warm, runs one match at a time; the app's process
keeps the database work and only moves plain data across (transfer.py, in chunks between
which the event loop runs). Workers come from a fork server (a fresh interpreter, never a fork
of the app's threads and event loop) that has loaded the engine once, so a new worker, after a
crash or in each test's app, costs a fork rather than a fresh import of SciPy
(bot/processes.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import count
from multiprocessing.connection import Connection

from bot.processes import worker_context
from bot.services.matching import transfer, worker
from bot.services.matching.model import MatchInput, MatchResult

Heard = Callable[[str], None]  # hears each stage of a match by name, on the event loop


class EngineStopped(Exception):
    """The worker process ended before it answered (killed, out of memory, crashed): nothing
    came back, and the next match starts a new worker."""


@dataclass(frozen=True)
class _Worker:
    executor: ProcessPoolExecutor
    stages: Connection  # the worker tells each stage here, the event loop reads it
    writer: Connection  # the worker's end, kept open here while the worker lives
    loop: asyncio.AbstractEventLoop


def _new_worker(loop: asyncio.AbstractEventLoop) -> _Worker:
    """A pool of one, its worker up (blocks until the new process answers)."""
    context = worker_context()
    stages, writer = context.Pipe(duplex=False)
    executor = ProcessPoolExecutor(
        max_workers=1, mp_context=context, initializer=worker.started, initargs=(writer,)
    )
    try:
        executor.submit(worker.pid).result()
    except BrokenProcessPool:
        executor.shutdown(wait=False, cancel_futures=True)
        stages.close()
        writer.close()
        raise
    return _Worker(executor, stages, writer, loop)


class EngineProcess:
    """One app's worker process for the matching engine. Nothing starts until `start` or the
    first `match`; `close` ends it."""

    def __init__(self) -> None:
        self._worker: _Worker | None = None
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self._jobs = count(1)
        self._listening: dict[int, Heard] = {}

    async def start(self) -> int:
        """Start the worker unless it runs, and wait until it answers; its process id."""
        running = await self._running()
        try:
            return await asyncio.wrap_future(running.executor.submit(worker.pid))
        except BrokenProcessPool:
            self._drop(running)
            raise EngineStopped("The matching engine's process stopped.") from None

    async def match(self, data: MatchInput, heard: Heard | None = None) -> MatchResult:
        """`engine.match(data)` in the worker; `heard` hears each stage as it starts."""
        chunks = []
        for chunk in transfer.input_chunks(data):
            chunks.append(chunk)
            await asyncio.sleep(0)
        running = await self._running()
        job = next(self._jobs)
        if heard is not None:
            self._listening[job] = heard
        try:
            answer = await asyncio.wrap_future(running.executor.submit(worker.run, job, chunks))
            # The worker told its stages before it answered: hear any not yet read.
            self._hear(running)
        except BrokenProcessPool:
            self._drop(running)
            raise EngineStopped("The matching engine's process stopped mid-match.") from None
        finally:
            self._listening.pop(job, None)
        unmatched = transfer.read_unmatched(answer[0])
        pairs = []
        for chunk in answer[1:]:
            await asyncio.sleep(0)
            pairs += transfer.read_pairs(chunk)
        return MatchResult(pairs=tuple(pairs), unmatched=tuple(unmatched))

    async def close(self) -> None:
        """End the worker (after the match it may be running) and stop listening to it."""
        running, self._worker = self._worker, None
        if running is not None:
            self._stop_listening(running)
            await asyncio.to_thread(running.executor.shutdown, wait=True, cancel_futures=True)
            running.stages.close()
            running.writer.close()

    async def _running(self) -> _Worker:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            # A lock and a worker belong to one event loop (each test's app has its own).
            self._lock, self._lock_loop = asyncio.Lock(), loop
        async with self._lock:
            if self._worker is not None and self._worker.loop is not loop:
                self._drop(self._worker)
            if self._worker is None:
                try:
                    # In a thread: starting a process waits for it (and, the first time, for
                    # the fork server to load the engine).
                    self._worker = await asyncio.to_thread(_new_worker, loop)
                except BrokenProcessPool:
                    raise EngineStopped("The matching engine's process did not start.") from None
                self._listen(self._worker)
            return self._worker

    def _listen(self, running: _Worker) -> None:
        # An event loop without readers (Windows' default) runs matches unheard.
        with contextlib.suppress(NotImplementedError):
            running.loop.add_reader(running.stages.fileno(), self._hear, running)

    def _stop_listening(self, running: _Worker) -> None:
        if not running.loop.is_closed():
            # Closed already, or never listened to: nothing to stop.
            with contextlib.suppress(NotImplementedError, OSError, ValueError):
                running.loop.remove_reader(running.stages.fileno())

    def _hear(self, running: _Worker) -> None:
        """Every stage the worker has told so far, to whoever listens for its job."""
        try:
            while running.stages.poll():
                job, stage = running.stages.recv()
                heard = self._listening.get(job)
                if heard is not None:
                    heard(stage)
        except (EOFError, OSError):
            self._stop_listening(running)

    def _drop(self, running: _Worker) -> None:
        """Forget a broken (or other loop's) worker; the next match starts a new one."""
        if self._worker is running:
            self._worker = None
        self._stop_listening(running)
        running.executor.shutdown(wait=False, cancel_futures=True)
        running.stages.close()
        running.writer.close()
