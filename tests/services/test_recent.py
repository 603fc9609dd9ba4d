"""Values kept a few seconds: only the first read of a key waits, a stale value comes back at
once while one read in the background refreshes it, and a forgotten key is read afresh."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.recent import Recent


class Source:
    """Counts its reads; each read may be held until the test lets it go."""

    def __init__(self) -> None:
        self.value = "first"
        self.reads = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def read(self, key: int) -> str:
        self.reads += 1
        await self.gate.wait()
        return f"{self.value} {key}"


class Clock:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


async def test_reads_at_once_for_a_key_share_one_read() -> None:
    source = Source()
    source.gate.clear()
    recent = Recent(source.read, ttl_seconds=5, clock=Clock())
    waiting = [asyncio.ensure_future(recent.get(1)) for _ in range(3)]
    await asyncio.sleep(0)
    source.gate.set()
    assert await asyncio.gather(*waiting) == ["first 1"] * 3
    assert source.reads == 1


async def test_a_stale_value_comes_back_at_once_and_is_refreshed_behind() -> None:
    source, clock = Source(), Clock()
    recent = Recent(source.read, ttl_seconds=5, clock=clock)
    assert await recent.get(1) == "first 1"
    source.value = "second"
    clock.seconds = 4
    assert await recent.get(1) == "first 1"
    assert source.reads == 1
    clock.seconds = 5
    assert await recent.get(1) == "first 1"
    await asyncio.sleep(0)
    assert await recent.get(1) == "second 1"
    assert source.reads == 2


async def test_a_forgotten_key_is_read_afresh() -> None:
    source = Source()
    recent = Recent(source.read, ttl_seconds=5, clock=Clock())
    await recent.get(1)
    source.value = "second"
    recent.forget(1)
    assert await recent.get(1) == "second 1"


async def test_a_first_read_that_fails_keeps_nothing_and_is_tried_again() -> None:
    calls = 0

    async def read(key: int) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database away")
        return key

    recent = Recent(read, ttl_seconds=5, clock=Clock())
    with pytest.raises(RuntimeError):
        await recent.get(7)
    assert await recent.get(7) == 7
