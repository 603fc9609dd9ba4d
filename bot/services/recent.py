"""Values read from the database a few seconds ago, kept in memory so acknowledgements do not
wait on it: only a key's first read waits; a stale value is returned at once while one read in
the background refreshes it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    def __init__(
        self,
        read: Callable[[K], Awaitable[V]],
        *,
        ttl_seconds: float,
        clock: Callable[[], float],
    ) -> None:
        self._read = read
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[K, tuple[float, V]] = {}
        self._reading: dict[K, asyncio.Task[V]] = {}

    async def get(self, key: K) -> V:
        entry = self._entries.get(key)
        if entry is None:
            # Shielded: a request that gives up waiting does not cancel the read for the others.
            return await asyncio.shield(self._refresh(key))
        read_at, value = entry
        if self._clock() - read_at >= self._ttl:
            self._refresh(key)
        return value

    def forget(self, key: K) -> None:
        """Drop a value this process just changed, so its next get reads it afresh."""
        self._entries.pop(key, None)

    def _refresh(self, key: K) -> asyncio.Task[V]:
        task = self._reading.get(key)
        if task is None:
            # One read however many requests want it at once.
            task = asyncio.ensure_future(self._read_and_keep(key))
            self._reading[key] = task
        return task

    async def _read_and_keep(self, key: K) -> V:
        try:
            value = await self._read(key)
            self._entries[key] = (self._clock(), value)
            return value
        finally:
            del self._reading[key]
