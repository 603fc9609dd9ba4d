"""Work after acknowledgements, run in worker processes (AFTER_ACK_PROCESSES > 0).

On one event loop a sign-up's work after its acknowledgement (about 11 ms of CPU) runs in
steps between which new requests wait, so at a hundred sign-ups a second acknowledgements
queue behind it (bench/ack.py). Here the web process acknowledges and hands the request on:
a worker process routes it through the same Bolt app, whose listener skips its
acknowledgement and its form's check (the web process did both; the checked result comes
along) and runs the same work. The operating system, not the event loop, then shares the
CPU between acknowledgements and work.

Frames on a socket pair, each a 4-byte length and its bytes: the job's number and the
pickled Handed to the worker, the job's number back once the job's work is done, so awaiting
a hand-off awaits the work (tests and a stopping server wait for it as for work run here).
Writes are buffered by the event loop's transport, so a busy worker never blocks an
acknowledgement.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import importlib
import itertools
import logging
import pickle
import socket
import struct
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_bolt.request.async_request import AsyncBoltRequest

from bot.clock import Clock, SystemClock
from bot.observe import logs
from bot.processes import worker_context

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

_LENGTH = _JOB = struct.Struct("!I")
READY = 0  # the job number of a worker's first frame, sent once it can take work
# The key under which a worker's request carries what the web process handed it.
HANDED = "handed_on"


@dataclass(frozen=True)
class Handed:
    """A request acknowledged in the web process: what Bolt routes it by, what the form's
    check returned (None for work without a form), the web process's time when it handed it
    on if that is not the system's (see JobClock), and its log fields.

    The body goes as Slack sent it over HTTP, and the worker decodes it again: pickling a
    form's decoded submission cost the web process more than the worker's decoding costs it.
    A Socket Mode envelope has no such text and goes decoded."""

    body: dict[str, Any] | str
    headers: dict[str, Any]
    checked: Any
    now: datetime | None
    log_fields: dict[str, Any]


def handed_in(request: AsyncBoltRequest) -> Handed | None:
    """In a worker: what the web process handed on with this request."""
    handed = request.context.get(HANDED)
    return handed if isinstance(handed, Handed) else None


def write_frame(writer: asyncio.StreamWriter, job: int, payload: bytes = b"") -> None:
    writer.write(_LENGTH.pack(_JOB.size + len(payload)) + _JOB.pack(job) + payload)


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes] | None:
    """The next frame's job and payload; None once the other end has closed."""
    try:
        (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
        frame = await reader.readexactly(length)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    return _JOB.unpack_from(frame)[0], frame[_JOB.size :]


_handed_now: ContextVar[datetime | None] = ContextVar("handed_now", default=None)


class JobClock:
    """A worker's clock: the system's, unless the web process runs on another clock (a test's
    or the demo's), whose time then reaches each job as it stood when the job was handed on,
    as that job would have seen it in the web process."""

    def __init__(self, system: Clock | None = None) -> None:
        self._system = system or SystemClock()

    def now(self) -> datetime:
        return _handed_now.get() or self._system.now()

    @staticmethod
    @contextlib.contextmanager
    def job(handed: Handed) -> Iterator[None]:
        token = _handed_now.set(handed.now)
        try:
            yield
        finally:
            _handed_now.reset(token)


class HandOffLost(Exception):
    """The worker ended before it said the work was done."""


@dataclass(eq=False)
class _Worker:
    process: Any  # multiprocessing's Process, of whichever start method
    writer: asyncio.StreamWriter
    reading: asyncio.Task[None] | None = None
    pending: dict[int, asyncio.Future[None]] = field(default_factory=dict)
    alive: bool = True


def _end(process: Any) -> None:
    """At exit, before multiprocessing joins its children: end a worker still running (one
    that `close` did not end)."""
    with contextlib.suppress(AssertionError, ValueError):  # not this process's child
        if process.is_alive():
            process.terminate()
            process.join(5)


def _run_named(module: str, sock: socket.socket, settings: Settings) -> None:
    """The worker process's entry: `module.main(sock, settings)`."""
    importlib.import_module(module).main(sock, settings)


class WorkProcesses:
    """The web process's side: `count` workers, each running `module.main` (started with
    `start`, or at the first hand-off), and the jobs handed to each."""

    def __init__(self, settings: Settings, *, count: int, module: str, clock: Clock) -> None:
        self._settings = settings.model_copy(update={"after_ack_processes": 0})
        self._count = count
        self._module = module
        self._clock = clock
        self._workers: list[_Worker] = []
        self._jobs = itertools.count(1)
        self.done = 0  # jobs the workers said were done
        self._starting: asyncio.Lock | None = None

    @property
    def pending(self) -> int:
        """Jobs handed on and not done yet."""
        return sum(len(w.pending) for w in self._workers)

    @property
    def pids(self) -> list[int]:
        """The running workers' process ids."""
        return [w.process.pid for w in self._workers if w.alive]

    def frame(self, request: AsyncBoltRequest, checked: Any) -> bytes | None:
        """The hand-off of this request; None when something in it cannot go to another
        process (it then runs here)."""
        handed = Handed(
            body=request.raw_body or request.body,
            headers=dict(request.headers),
            checked=checked,
            now=None if isinstance(self._clock, SystemClock) else self._clock.now(),
            log_fields=logs.context(),
        )
        try:
            return pickle.dumps(handed, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            log.warning("Work after an acknowledgement runs here: %s cannot be handed on", error)
            return None

    async def hand(
        self,
        handed: bytes,
        work: Coroutine[Any, Any, None],
        here: Callable[[Coroutine[Any, Any, None]], Coroutine[Any, Any, Any]],
    ) -> None:
        """Hand the job to the least busy worker and wait until its work is done; when no
        worker will start, run `work` (the same work, built here) through `here` instead."""
        try:
            worker = min(await self._running(), key=lambda w: len(w.pending))
        except Exception:
            log.exception("No worker process started; the work runs in this process")
            await here(work)
            return
        work.close()  # the worker builds its own
        job = next(self._jobs)
        done = asyncio.get_running_loop().create_future()
        worker.pending[job] = done
        write_frame(worker.writer, job, handed)
        try:
            await done
        except HandOffLost:
            log.error("A worker process stopped during job %d; its work may be unfinished", job)
        finally:
            worker.pending.pop(job, None)

    async def start(self) -> None:
        await self._running()

    async def close(self) -> None:
        """Let the workers finish what they were handed, then end them."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.writer.close()  # the worker finishes its jobs, then exits
        for worker in workers:
            if worker.reading is not None:
                await asyncio.gather(worker.reading, return_exceptions=True)
            await asyncio.to_thread(worker.process.join, 10)
            if worker.process.is_alive():
                worker.process.kill()

    async def _running(self) -> list[_Worker]:
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            self._workers = [w for w in self._workers if w.alive]
            while len(self._workers) < self._count:
                self._workers.append(await self._new_worker())
            return self._workers

    async def _new_worker(self) -> _Worker:
        ours, theirs = socket.socketpair()
        process = worker_context().Process(
            target=_run_named,
            args=(self._module, theirs, self._settings),
            name="after-ack-worker",
            # Not a daemon: a daemon may not start processes, and the worker starts its own
            # matching engine. It ends when this process closes its socket, or at exit.
            daemon=False,
        )
        try:
            await asyncio.to_thread(process.start)  # waits for the fork server's fork
        finally:
            theirs.close()
        atexit.register(_end, process)
        reader, writer = await asyncio.open_connection(sock=ours)
        # The worker says job 0 once its app is built: until then a request's trigger id
        # would age in the pipe.
        if await read_frame(reader) != (READY, b""):
            writer.close()
            await asyncio.to_thread(process.join, 10)
            raise HandOffLost(f"the worker process did not start (exit code {process.exitcode})")
        worker = _Worker(process, writer)
        worker.reading = asyncio.create_task(self._read(worker, reader))
        return worker

    async def _read(self, worker: _Worker, reader: asyncio.StreamReader) -> None:
        while (frame := await read_frame(reader)) is not None:
            job, _ = frame
            done = worker.pending.get(job)
            if done is not None and not done.done():
                self.done += 1
                done.set_result(None)
        worker.alive = False
        for done in worker.pending.values():
            if not done.done():
                done.set_exception(HandOffLost())
        await asyncio.to_thread(worker.process.join, 10)  # no zombie left behind
